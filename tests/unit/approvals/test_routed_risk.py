"""The risk assessment approval routing decides on is kept on the ticket: routing writes its
summary (score, band, flags) once, with a staff-only audit entry; a retried routing step with the
same result writes nothing; a changed result replaces it; a closed ticket is routed, not written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aftersales.approvals.policy import Route
from aftersales.approvals.service import ApprovalService
from aftersales.core.clock import FixedClock, iso
from aftersales.core.errors import Forbidden
from aftersales.orders.domain import Order
from aftersales.risk.scoring import RiskBand
from aftersales.risk.service import RiskService
from aftersales.tickets import domain
from aftersales.tickets.domain import LineRequest, OpenTicket
from aftersales.tickets.model import Status
from aftersales.tickets.service import TicketService
from aftersales.tickets.timeline import customer_visible
from tests.support.fakes.money import (
    InMemoryCounterStore,
    InMemoryPolicyStore,
    InMemoryReviewStore,
    RecordingResumer,
)
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.ticket_factories import STOREFRONT, SUPERVISOR, SYSTEM
from tests.support.tickets import order_payload

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
DEVICE = "dev-shared"


class Rig:
    def __init__(self) -> None:
        self.clock = FixedClock(NOW)
        self.store = InMemoryTicketStore()
        self.risk = RiskService(InMemoryCounterStore(), self.clock)
        self.tickets = TicketService(self.store, self.clock)
        self.approvals = ApprovalService(self.tickets, self.store, self.risk, InMemoryPolicyStore(),
                                         InMemoryReviewStore(), RecordingResumer(), self.clock)

    def pending(self, customer: str, *, account_age_days: int = 400) -> str:
        """A CNY 95.00 return by `customer` opened from DEVICE, submitted for approval."""
        order = order_payload(order_id=f"O-{customer}", customer=customer, quantity=1)
        order["customer"]["account_created_at"] = iso(NOW - timedelta(days=account_age_days))
        self.tickets.upsert_order("acme", Order.model_validate(order))
        ticket = self.tickets.open("acme", OpenTicket(
            type="return_refund", order_id=order["order_id"], channel="app", reason_code="damaged",
            lines=[LineRequest(line_id="L1", quantity=1)], risk_keys={"device": DEVICE}), STOREFRONT)
        self.tickets.transition("acme", ticket.id, Status.PENDING_APPROVAL, SYSTEM)
        return ticket.id

    def bought_on_the_device(self, *customers: str) -> None:
        for customer in customers:
            order = Order.model_validate(order_payload(order_id=f"B-{customer}", customer=customer))
            self.risk.record_order("acme", order, {"device": DEVICE})


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_a_quiet_customers_routed_ticket_keeps_a_low_risk(rig):
    """GIVEN an old account alone on its device WHEN its ticket is routed THEN it is approved
    automatically and the ticket keeps score 0, band low, no flags, assessed now."""
    ticket_id = rig.pending("cust-1")

    decision = rig.approvals.route("acme", ticket_id)

    risk = rig.tickets.get("acme", ticket_id, SUPERVISOR).risk
    assert decision.route is Route.AUTO_APPROVE
    assert (risk.score, risk.band, risk.flags, risk.assessed_at) == (0, RiskBand.LOW, (), iso(NOW))


def test_a_new_account_on_a_shared_device_is_kept_as_medium_then_high_as_the_cluster_grows(rig):
    """GIVEN three other accounts that bought from the device, and a 2-day-old account opening a
    ticket from it (a device of 3 accounts: 25, a new account: 15) WHEN routed THEN medium, 40;
    WHEN two more accounts buy there and the account opens three refunds without a return, and the
    ticket is routed again THEN the ticket keeps the new, high result; the audit has one
    staff-only ticket.risk_assessed entry per result, by the workflow."""
    rig.bought_on_the_device("cust-a", "cust-b", "cust-c")
    ticket_id = rig.pending("cust-new", account_age_days=2)

    decision = rig.approvals.route("acme", ticket_id)

    first = rig.tickets.get("acme", ticket_id, SUPERVISOR).risk
    assert decision.route is not Route.AUTO_APPROVE
    assert (first.score, first.band) == (40, RiskBand.MEDIUM)
    assert first.flags == ("device_distinct_accounts", "new_account")

    rig.bought_on_the_device("cust-d", "cust-e")
    for n in range(3):
        rig.risk.record({"tenant_id": "acme", "ticket_id": f"tkt_{n}", "seq": 1, "event": "ticket.created",
                         "customer_id": "cust-new", "ticket_type": "refund_only", "at": iso(NOW),
                         "data": {"risk_keys": {"device": DEVICE}}})
    rig.approvals.route("acme", ticket_id)

    latest = rig.tickets.get("acme", ticket_id, SUPERVISOR).risk
    assert latest.band is RiskBand.HIGH and latest.score >= 70, latest
    entries = [e for e in rig.store.audit_entries("acme", ticket_id) if e.event == domain.RISK_ASSESSED_EVENT]
    assert [e.data["risk"]["band"] for e in entries] == ["medium", "high"]
    assert entries[-1].actor_role == "system" and not customer_visible(domain.RISK_ASSESSED_EVENT)


def test_a_retried_routing_step_with_the_same_result_writes_nothing(rig):
    """GIVEN a routed ticket WHEN the routing step runs again with nothing changed THEN the ticket's
    version and audit stay as they were."""
    ticket_id = rig.pending("cust-1")
    rig.approvals.route("acme", ticket_id)
    version = rig.tickets.get("acme", ticket_id, SUPERVISOR).version
    entries = len(rig.store.audit_entries("acme", ticket_id))

    rig.approvals.route("acme", ticket_id)

    assert rig.tickets.get("acme", ticket_id, SUPERVISOR).version == version
    assert len(rig.store.audit_entries("acme", ticket_id)) == entries


def test_a_ticket_cancelled_before_its_routing_step_is_routed_but_not_written(rig):
    """GIVEN a pending ticket the customer's storefront cancels WHEN the routing step runs THEN it
    answers a route and the cancelled ticket is not changed (no risk kept)."""
    ticket_id = rig.pending("cust-1")
    rig.tickets.transition("acme", ticket_id, Status.CANCELLED, STOREFRONT)
    version = rig.tickets.get("acme", ticket_id, SUPERVISOR).version

    rig.approvals.route("acme", ticket_id)

    ticket = rig.tickets.get("acme", ticket_id, SUPERVISOR)
    assert (ticket.version, ticket.risk) == (version, None)


def test_a_ticket_closed_while_it_was_being_routed_is_not_written(rig):
    """GIVEN a pending ticket read by the routing step, then cancelled by the storefront WHEN the
    step keeps its risk THEN nothing is written and the cancelled ticket comes back as it is."""
    ticket_id = rig.pending("cust-1")
    read = rig.tickets.get("acme", ticket_id, SYSTEM)
    summary = rig.approvals.assess_risk("acme", ticket_id, SUPERVISOR).summary(iso(NOW))
    cancelled = rig.tickets.transition("acme", ticket_id, Status.CANCELLED, STOREFRONT)

    kept = rig.tickets.record_risk("acme", read, summary, SYSTEM)

    assert (kept.status, kept.version, kept.risk) == (Status.CANCELLED, cancelled.version, None)


def test_only_automation_records_a_risk(rig):
    """GIVEN a pending ticket WHEN a supervisor tries to record a risk summary THEN 403: the summary
    is what routing saw, nobody types it in."""
    ticket_id = rig.pending("cust-1")
    summary = rig.approvals.assess_risk("acme", ticket_id, SUPERVISOR).summary(iso(NOW))
    with pytest.raises(Forbidden):
        rig.tickets.record_risk("acme", rig.tickets.get("acme", ticket_id, SUPERVISOR), summary, SUPERVISOR)
