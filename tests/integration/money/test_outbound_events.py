"""What leaves the money path for other systems, read off the bus as a subscriber would (a rule on
the template's DomainEventBus -> SQS): order update events (source aftersales.orders) for every
completed node, the reshipment order and the repair dispatch (source aftersales.fulfilment), and a
refund the provider refused showing on the ticket."""

from __future__ import annotations

import pytest

from aftersales.adapters.sandbox_payments import SandboxBehaviour, SandboxPaymentProvider
from aftersales.orders.domain import Order
from aftersales.refunds.service import grant_id_for
from aftersales.tickets.domain import Actor, LineRequest, OpenTicket
from aftersales.tickets.model import Role, Status
from tests.support.money import refund_pending
from tests.support.pipeline import Pipeline
from tests.support.tickets import order_payload, walk

STOREFRONT = Actor(id="sf", roles=frozenset({Role.STOREFRONT}))
OPS = Actor(id="agent-1", roles=frozenset({Role.AGENT, Role.SYSTEM}))


@pytest.fixture
def pipeline(aws, money):
    return Pipeline(aws)


def _order(svc, order_id: str, country: str, category: str | None = None) -> None:
    payload = order_payload(order_id)
    payload["shipping"]["country"] = country
    payload["lines"][0]["category"] = category
    svc.tickets.upsert_order("acme", Order.model_validate(payload))


def _open(svc, ticket_type: str, order_id: str):
    return svc.tickets.open("acme", OpenTicket(type=ticket_type, order_id=order_id, channel="app",
                                               reason_code="quality",
                                               lines=[LineRequest(line_id="L1", quantity=1)]), STOREFRONT)


def _move(svc, ticket_id: str, *targets: str):
    walk(svc.tickets, "acme", ticket_id, *targets, actor=OPS)


def _of(events, source: str, detail_type: str, ticket_id: str) -> list[dict]:
    return [e["detail"] for e in events
            if e["source"] == source and e["detail-type"] == detail_type and e["detail"]["ticket_id"] == ticket_id]


def _nodes(events, ticket_id: str) -> list[str]:
    return [d["node"] for d in _of(events, "aftersales.orders", "order.after_sales_updated", ticket_id)]


def test_repair_is_dispatched_to_the_provider_for_region_and_brand_and_every_node_updates_the_order(
        money, pipeline):
    """GIVEN registered providers for (DE, Siemens), (CN, Bosch) and (DE, Bosch), and a Bosch item
    shipped to DE WHEN its repair ticket is approved and the pipeline runs
    THEN the ticket is dispatched to the (DE, Bosch) provider, `repair.dispatched` names it, and each
    completed node (created ... returned to customer) emitted one order update with the repair status."""
    svc = money
    registry = svc.repairs.registry
    registry.register("acme", name="DE Siemens", regions=["DE"], brands=["Siemens"])
    registry.register("acme", name="CN Bosch", regions=["CN"], brands=["Bosch"])
    de_bosch = registry.register("acme", name="DE Bosch", regions=["DE"], brands=["Bosch"]).provider_id
    _order(svc, "O-R", "DE", category="Bosch")
    ticket = _open(svc, "repair", "O-R")
    _move(svc, ticket.id, "pending_approval", "approved")
    pipeline.pump()

    dispatched = svc.tickets.get("acme", ticket.id, OPS)
    assert dispatched.status == Status.REPAIR_DISPATCHED
    entry = svc.tickets.audit("acme", ticket.id, OPS)[-1]
    assert entry.data["repair_provider_id"] == de_bosch and entry.actor_role == "system"
    events = pipeline.outbound_events()
    assert [d["provider_id"] for d in _of(events, "aftersales.fulfilment", "repair.dispatched", ticket.id)] == [
        de_bosch]

    _move(svc, ticket.id, "repair_in_progress", "repaired", "returned_to_customer")
    pipeline.pump()
    pipeline.pump()  # a second run finds nothing new: nothing is emitted twice
    events = pipeline.outbound_events()
    assert _nodes(events, ticket.id) == [
        "ticket.created", "ticket.submitted_for_approval", "ticket.approved", "ticket.repair_dispatched",
        "ticket.repair_received_by_provider", "ticket.repaired", "ticket.returned_to_customer"]
    updates = _of(events, "aftersales.orders", "order.after_sales_updated", ticket.id)
    assert [u.get("repair_status") for u in updates][3:] == [
        "dispatched", "provider_received", "repaired", "returned_to_customer"]
    assert all(u["order_id"] == "O-R" and u["tenant_id"] == "acme" for u in updates)
    assert [u["status"] for u in updates][-1] == "returned_to_customer"


def test_without_a_provider_for_the_region_the_repair_waits_for_manual_dispatch(money, pipeline):
    """GIVEN only a CN provider WHEN a DE repair is approved THEN it stays approved, no dispatch event."""
    svc = money
    svc.repairs.registry.register("acme", name="CN any", regions=["CN"])
    _order(svc, "O-R2", "DE", category="Bosch")
    ticket = _open(svc, "repair", "O-R2")
    _move(svc, ticket.id, "pending_approval", "approved")
    pipeline.pump()
    assert svc.tickets.get("acme", ticket.id, OPS).status == Status.APPROVED
    assert _of(pipeline.outbound_events(), "aftersales.fulfilment", "repair.dispatched", ticket.id) == []


@pytest.mark.parametrize(("country", "warehouse", "reason"), [
    ("JP", "wh-jp", "overseas_for_country"),
    ("US", "wh-us", "overseas_for_country"),
    ("FR", "wh-cn", "default_warehouse"),
])
def test_exchange_reshipment_leaves_from_the_warehouse_for_the_destination_country(
        money, pipeline, country, warehouse, reason):
    """GIVEN a tenant with a default warehouse and overseas warehouses for JP/KR and US
    WHEN an exchange passes inspection (enters reshipping)
    THEN one `reshipment.requested` names the warehouse serving the destination country (else the
    default), with the lines to ship; the order update events cover every node."""
    svc = money
    svc.money_tables.config.put("acme", "WAREHOUSES", {
        "default": {"warehouse_id": "wh-cn"},
        "overseas": [{"warehouse_id": "wh-jp", "countries": ["JP", "KR"]},
                     {"warehouse_id": "wh-us", "countries": ["US"]}]})
    _order(svc, "O-X", country)
    ticket = _open(svc, "exchange", "O-X")
    _move(svc, ticket.id, "pending_approval", "approved")
    pipeline.pump()  # approved -> awaiting_return by the money-path consumer
    assert svc.tickets.get("acme", ticket.id, OPS).status == Status.AWAITING_RETURN
    _move(svc, ticket.id, "return_in_transit", "return_received", "inspecting", "reshipping")
    pipeline.pump()
    pipeline.pump()

    events = pipeline.outbound_events()
    orders = _of(events, "aftersales.fulfilment", "reshipment.requested", ticket.id)
    assert len(orders) == 1
    assert orders[0]["warehouse_id"] == warehouse and orders[0]["warehouse_reason"] == reason
    assert orders[0]["destination_country"] == country and orders[0]["order_id"] == "O-X"
    assert orders[0]["lines"] == [{"line_id": "L1", "sku": "MUG", "quantity": 1}]
    assert _nodes(events, ticket.id) == [
        "ticket.created", "ticket.submitted_for_approval", "ticket.approved", "ticket.return_authorized",
        "ticket.return_shipped", "ticket.return_received", "ticket.inspection_started",
        "ticket.inspection_passed"]


def test_a_refund_the_provider_declines_shows_on_the_ticket_and_updates_the_order(money, pipeline):
    """GIVEN a provider that declines WHEN the refund saga gives up (fail step, then retried)
    THEN the ticket's audit has ONE `ticket.refund_failed` entry by SYSTEM with the provider's reason,
    the reservation is released, and the storefront gets an order update carrying the failure."""
    svc = money
    svc.payments.use("acme", SandboxPaymentProvider(
        "acme", svc.clock, SandboxBehaviour(settle_seconds=0, decline_suffix=0)))
    ticket = refund_pending(svc)
    grant_id = grant_id_for(ticket.id, ticket.version)
    refunds = svc.refunds
    grant = refunds.grant("acme", ticket.id, grant_id)
    assert refunds.attempt("acme", ticket.id, grant_id).status.value == "failed"
    assert refunds.fail("acme", ticket.id, grant_id) == {"released": True, "reason": "declined"}
    assert refunds.fail("acme", ticket.id, grant_id)["released"] is False  # retried step

    failed = [e for e in svc.tickets.audit("acme", ticket.id, OPS) if e.event == "ticket.refund_failed"]
    assert len(failed) == 1
    assert failed[0].reason == "declined" and failed[0].actor_role == "system"
    assert failed[0].data["grant_id"] == grant_id and failed[0].data["reservation_released"] is True
    assert failed[0].data["amount"] == grant.amount.model_dump()
    assert svc.tickets.get("acme", ticket.id, OPS).status == Status.REFUND_PENDING
    assert svc.tickets.verify("acme", ticket.id, OPS).valid

    pipeline.pump()
    updates = _of(pipeline.outbound_events(), "aftersales.orders", "order.after_sales_updated", ticket.id)
    failure = [u for u in updates if u["node"] == "ticket.refund_failed"]
    assert len(failure) == 1
    assert failure[0]["refund_failed"] == {"reason": "declined", "amount": grant.amount.model_dump(),
                                           "grant_id": grant_id}
    assert failure[0]["status"] == "refund_pending" and "refunded" not in failure[0]


def test_the_refund_failure_is_on_the_customer_timeline_in_their_language(money, pipeline, api, demo):
    """GIVEN a declined refund WHEN the customer reads the timeline in zh-Hans THEN the failure shows
    with its catalog title."""
    svc = money
    svc.payments.use("acme", SandboxPaymentProvider(
        "acme", svc.clock, SandboxBehaviour(settle_seconds=0, decline_suffix=0)))
    ticket = refund_pending(svc)
    grant_id = grant_id_for(ticket.id, ticket.version)
    svc.refunds.grant("acme", ticket.id, grant_id)
    svc.refunds.attempt("acme", ticket.id, grant_id)
    svc.refunds.fail("acme", ticket.id, grant_id)
    pipeline.pump()
    reply = api.request("GET", f"/tickets/{ticket.id}/timeline",
                        headers={**demo["acme"]["cust-1"], "Accept-Language": "zh-Hans"})
    assert reply.status == 200, reply
    last = reply.body["entries"][-1]
    assert last["event"] == "ticket.refund_failed" and last["title"] == "退款未能完成"
    assert last["status"] == "refund_pending"
    assert last["at_label"].endswith(" UTC") and "年" in last["at_label"]  # Babel's zh-Hans date, zone named
    german = api.request("GET", f"/tickets/{ticket.id}/timeline",
                         headers={**demo["acme"]["cust-1"], "Accept-Language": "de-AT, en;q=0.5"}).body
    assert german["locale"] == "de"
    assert german["entries"][-1]["title"] == "Die Erstattung konnte nicht abgeschlossen werden"
