"""Money-path helpers: the `money` fixture (moto tables + wiring, with a resumer the test reads), a
refund-ready ticket, and tickets moved through their lifecycle."""

from __future__ import annotations

import pytest

from tests.support.tickets import order_payload, walk


class RecordingWorkflows:
    """Starts executions for real (moto's Step Functions) but records the task resumptions
    (SendTaskSuccess) instead of sending them: `calls` is what the approval flow would get."""

    def __init__(self) -> None:
        from aftersales.adapters.aws_workflows import StepFunctionsGateway

        self.executions = StepFunctionsGateway()
        self.calls: list[tuple[str, dict]] = []

    def start(self, state_machine_arn: str, name: str, payload: dict) -> bool:
        return self.executions.start(state_machine_arn, name, payload)

    def succeed(self, task_token: str, output: dict) -> None:
        self.calls.append((task_token, output))


@pytest.fixture
def money(aws, monkeypatch):
    """The container of the money functions' environment, with recorded task resumptions
    (`money.workflows.calls`)."""
    from aftersales import wiring

    for key, value in aws.functions["MoneyEventsFunction"].environment.items():
        monkeypatch.setenv(key, str(value))
    container = wiring.Container(workflows=RecordingWorkflows())
    wiring.override(container)
    yield container
    wiring.override(None)


def open_ticket(svc, tenant: str = "acme", ticket_type: str = "refund_only", order_id: str = "O-1",
                quantity: int = 1, order_quantity: int = 2, currency: str = "CNY", customer: str = "cust-1",
                reason: str = "quality"):
    from aftersales.orders.domain import Order
    from aftersales.tickets.domain import Actor, LineRequest, OpenTicket
    from aftersales.tickets.model import Role

    storefront = Actor(id="sf", roles=frozenset({Role.STOREFRONT}))
    if svc.ticket_store.get_order(tenant, order_id) is None:
        svc.tickets.upsert_order(tenant, Order.model_validate(
            order_payload(order_id, customer=customer, quantity=order_quantity, currency=currency)))
    lines = [LineRequest(line_id="L1", quantity=quantity)] if ticket_type != "shipping_fee_refund" else []
    return svc.tickets.open(tenant, OpenTicket(type=ticket_type, order_id=order_id, channel="app",
                                               reason_code=reason, lines=lines), storefront)


def move(svc, tenant: str, ticket_id: str, *targets: str):
    return walk(svc.tickets, tenant, ticket_id, *targets)


def refund_pending(svc, tenant: str = "acme", **kwargs):
    ticket = open_ticket(svc, tenant, **kwargs)
    return move(svc, tenant, ticket.id, "pending_approval", "approved", "refund_pending")
