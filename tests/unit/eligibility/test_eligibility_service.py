"""EligibilityService on in-memory ports (the real TicketService on the in-memory ticket store, the
rules store fake, a FixedClock): triage moves a new ticket exactly once (routed, refused or left for
an agent with one audit entry carrying every check), a redelivery moves nothing, and the rules go
through draft, dry run and publish."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.core.clock import FixedClock
from aftersales.core.errors import ConcurrentModification, Conflict, Forbidden, InvalidRequest, NotFound
from aftersales.eligibility.service import CHECKED_EVENT, EligibilityService
from aftersales.orders.domain import Order
from aftersales.tickets import domain
from aftersales.tickets.domain import LineRequest, OpenTicket
from aftersales.tickets.model import Role, Status
from aftersales.tickets.service import TicketService
from aftersales.tickets.warrants import EligibilityRefusal
from tests.support.fakes.eligibility import InMemoryRulesStore
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.ticket_factories import AGENT, CUSTOMER, STOREFRONT, SYSTEM, actor, order
from tests.support.tickets import order_payload

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Rig:
    def __init__(self) -> None:
        self.clock = FixedClock(NOW)
        self.store = InMemoryTicketStore()
        self.rules = InMemoryRulesStore()
        self.tickets = TicketService(self.store, self.clock)
        self.service = EligibilityService(self.tickets, self.store, self.rules, self.clock)

    def order(self, order_id: str, delivered_days_ago: int | None, quantity: int = 2) -> None:
        payload = order_payload(order_id=order_id, quantity=quantity)
        if delivered_days_ago is not None:
            at = (NOW - timedelta(days=delivered_days_ago)).isoformat()
            payload["fulfilment"] = {"status": "delivered", "delivered_at": at}
        self.tickets.upsert_order("acme", Order.model_validate(payload))

    def open(self, order_id: str, ticket_type: str = "return_refund", reason: str = "dislike",
             channel: str = "app", quantity: int = 1) -> str:
        return self.tickets.open("acme", OpenTicket(type=ticket_type, order_id=order_id, channel=channel,
                                                    reason_code=reason, locale="zh-Hans",
                                                    lines=[LineRequest(line_id="L1", quantity=quantity)]),
                                 STOREFRONT).id

    def entries(self, ticket_id: str):
        return self.store.audit_entries("acme", ticket_id)


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_an_eligible_refund_goes_straight_to_approval_routing_with_its_checks_on_the_record(rig):
    """GIVEN a refund-only request on an order delivered 3 days ago WHEN triaged THEN the ticket is
    pending_approval, moved by the system, and that one entry carries every check and its reason."""
    rig.order("O-1", delivered_days_ago=3)
    ticket_id = rig.open("O-1", "refund_only")
    assert rig.service.triage("acme", ticket_id) == "routed"
    ticket = rig.tickets.get("acme", ticket_id, SYSTEM)
    assert ticket.status is Status.PENDING_APPROVAL
    entry = rig.entries(ticket_id)[-1]
    assert entry.event == "ticket.submitted_for_approval" and entry.actor_role == "system"
    assert entry.reason == "eligibility.eligible"
    recorded = entry.data["eligibility"]
    assert recorded["outcome"] == "eligible" and recorded["rule_id"] == "refunds"
    assert {c["check"]: c["verdict"] for c in recorded["checks"]} == {
        "order_state": "pass", "return_window": "pass", "line_returnable": "pass", "quantity_left": "pass",
        "duplicate_request": "pass", "previous_refund": "pass", "evidence": "pass"}


def test_an_out_of_window_return_is_refused_with_the_reason_and_the_eligibility_warrant(rig):
    rig.order("O-1", delivered_days_ago=45)
    ticket_id = rig.open("O-1")
    assert rig.service.triage("acme", ticket_id) == "rejected"
    ticket = rig.tickets.get("acme", ticket_id, SYSTEM)
    assert ticket.status is Status.REJECTED and ticket.approval is None
    entry = rig.entries(ticket_id)[-1]
    assert (entry.event, entry.reason) == ("ticket.rejected", "eligibility.outside_return_window")
    assert entry.data["eligibility"]["checks"][1]["details"]["days_since_delivery"] == 45
    # the reservation stays until the customer closes it (or an appeal reopens it)
    assert rig.store.get_order("acme", "O-1").reserved == {"L1": 1}


def test_unknown_data_leaves_the_ticket_for_an_agent_with_what_is_missing(rig):
    rig.order("O-1", delivered_days_ago=None)
    ticket_id = rig.open("O-1")
    assert rig.service.triage("acme", ticket_id) == "left_for_agent"
    assert rig.tickets.get("acme", ticket_id, SYSTEM).status is Status.SUBMITTED
    entry = rig.entries(ticket_id)[-1]
    assert entry.event == CHECKED_EVENT
    assert entry.data["eligibility"]["missing"] == ["order.fulfilment", "order.fulfilment.delivered_at"]


def test_a_redelivered_event_moves_nothing_twice(rig):
    """GIVEN a ticket already triaged (each kind of outcome) WHEN the same event comes again THEN
    nothing is written."""
    for order_id, days in (("O-1", 3), ("O-2", 45), ("O-3", None)):
        rig.order(order_id, delivered_days_ago=days)
        ticket_id = rig.open(order_id)
        rig.service.triage("acme", ticket_id)
        before = len(rig.entries(ticket_id))
        assert rig.service.triage("acme", ticket_id) == "already_triaged"
        assert len(rig.entries(ticket_id)) == before


def test_a_second_open_request_on_the_same_line_goes_to_an_agent(rig):
    rig.order("O-1", delivered_days_ago=3)
    first = rig.open("O-1")
    assert rig.service.triage("acme", first) == "routed"
    second = rig.open("O-1")
    assert rig.service.triage("acme", second) == "left_for_agent"
    recorded = rig.entries(second)[-1].data["eligibility"]
    assert recorded["outcome"] == "referred" and recorded["reason"] == "eligibility.duplicate_open_request"


def test_complaints_and_platform_owned_after_sales_are_not_checked(rig):
    rig.order("O-1", delivered_days_ago=3)
    douyin = rig.open("O-1", channel="douyin")
    complaint = rig.tickets.open("acme", OpenTicket(type="complaint", order_id="O-1", channel="app",
                                                    reason_code="late"), STOREFRONT).id
    for ticket_id in (douyin, complaint):
        assert rig.service.triage("acme", ticket_id) == "not_checked"
        assert len(rig.entries(ticket_id)) == 1


def test_the_tenant_may_send_ineligible_tickets_to_an_agent_instead(rig):
    rig.service.put_draft("acme", {"rules": [{"id": "all", "when_ineligible": "agent"}]}, None)
    rig.service.publish("acme")
    rig.order("O-1", delivered_days_ago=45)
    ticket_id = rig.open("O-1")
    assert rig.service.triage("acme", ticket_id) == "left_for_agent"
    assert rig.entries(ticket_id)[-1].data["eligibility"]["outcome"] == "ineligible"


def test_only_automation_may_take_the_refusal():
    """GIVEN a submitted ticket WHEN an agent hands over the eligibility warrant THEN it is refused."""
    ticket = domain.open_ticket(ticket_id="tkt-1", tenant_id="acme", request=OpenTicket(
        type="refund_only", order_id="O-1", channel="app", reason_code="x",
        lines=[LineRequest(line_id="L1", quantity=1)]),
        order=order(), reserved={}, actor=STOREFRONT, at=NOW).ticket
    warrant = EligibilityRefusal(rules_version=1, rule_id="refunds", failed_checks=("return_window",))
    with pytest.raises(Forbidden):
        domain.transition(ticket, Status.REJECTED, actor=AGENT, at=NOW, warrant=warrant)
    assert domain.transition(ticket, Status.REJECTED, actor=SYSTEM, at=NOW, warrant=warrant).ticket.status \
        is Status.REJECTED


def test_the_checks_of_a_ticket_are_the_recorded_ones_or_evaluated_now(rig):
    rig.order("O-1", delivered_days_ago=45)
    ticket_id = rig.open("O-1")
    _ticket, live, recorded = rig.service.of_ticket("acme", ticket_id, STOREFRONT)
    assert not recorded and live["outcome"] == "ineligible" and len(rig.entries(ticket_id)) == 1
    rig.service.triage("acme", ticket_id)
    _ticket, stored, recorded = rig.service.of_ticket("acme", ticket_id, CUSTOMER)
    assert recorded and stored == rig.entries(ticket_id)[-1].data["eligibility"]
    with pytest.raises(NotFound):
        rig.service.of_ticket("acme", ticket_id, actor(Role.CUSTOMER, id="cust-2", customer_id="cust-2"))


def test_rules_go_through_draft_dry_run_and_publish(rig):
    """GIVEN tickets triaged under the defaults WHEN a draft widens the window to 60 days THEN the dry
    run shows the out-of-window return would now pass, nothing changes until publish, and publish
    makes version 2 the tenant's rules."""
    rig.order("O-1", delivered_days_ago=45)
    ticket_id = rig.open("O-1")
    draft, revision = rig.service.draft("acme")
    assert (draft.version, draft.status, revision) == (2, "draft", 0)
    document = {"rules": [{"id": "all", "return_window_days": 60}]}
    _rules, revision = rig.service.put_draft("acme", document, None)
    with pytest.raises(ConcurrentModification):
        rig.service.put_draft("acme", document, 7)
    report = rig.service.dry_run("acme", [ticket_id], 50)
    assert report["changed"] == 1 and report["by_outcome"] == {"eligible": 1}
    assert report["tickets"][0]["published_outcome"] == "ineligible"
    assert rig.service.rules("acme").version == 1
    assert rig.service.dry_run("acme", [], 10)["total"] == 1
    published = rig.service.publish("acme")
    assert published.version == 2 and rig.service.rules("acme") == published and ("acme", 2) in rig.rules
    with pytest.raises(Conflict):
        rig.service.publish("acme")


def test_an_invalid_draft_is_refused_and_nothing_is_stored(rig):
    with pytest.raises(InvalidRequest) as refused:
        rig.service.put_draft("acme", {"rules": [{"id": "x", "when": {"channels": ["web"]}}]}, None)
    assert refused.value.details["field"] == "body" and "catch-all" in refused.value.details["problem"]
    assert rig.rules.draft("acme") is None
    with pytest.raises(NotFound):
        rig.service.publish("acme")


def test_no_automatic_route_takes_the_intake_refusal():
    """GIVEN a submitted ticket WHEN automation looks for its way to rejected (e.g. a platform's push)
    THEN the route goes through approval; the direct refusal is the intake checks' alone."""
    from aftersales.tickets.paths import route

    assert route("refund_only", Status.SUBMITTED, Status.REJECTED) == [Status.PENDING_APPROVAL, Status.REJECTED]


@settings(max_examples=60, deadline=None)
@given(orders=st.lists(st.sampled_from([3, 45, None]), min_size=1, max_size=4),
       deliveries=st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=12))
def test_any_order_of_redeliveries_moves_each_ticket_at_most_once(orders, deliveries):
    """GIVEN tickets on delivered, long-delivered and undated orders WHEN their ticket.created events
    arrive in any order, any number of times THEN each ticket carries exactly one evaluation and
    changed status at most once."""
    rig = Rig()
    ids = []
    for n, days in enumerate(orders):
        rig.order(f"O-{n}", delivered_days_ago=days)
        ids.append(rig.open(f"O-{n}"))
    for pick in [*deliveries, *range(len(ids))]:
        rig.service.triage("acme", ids[pick % len(ids)])
    for ticket_id in ids:
        entries = rig.entries(ticket_id)
        assert sum("eligibility" in (e.data or {}) for e in entries) == 1
        assert sum(e.from_status != e.to_status for e in entries[1:]) <= 1
