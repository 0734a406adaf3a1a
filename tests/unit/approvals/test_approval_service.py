"""ApprovalService on in-memory ports (ticket store, counters, policy and review stores, a
recording task resumer): routing by the tenant's policy, a dual review decided by two people and
applied to the ticket, escalation, and policy drafts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aftersales.approvals.policy import Route
from aftersales.approvals.review import Role as ReviewRole
from aftersales.approvals.service import ApprovalService, auto_outcome
from aftersales.core.clock import FixedClock
from aftersales.core.errors import ConcurrentModification, Conflict, Forbidden
from aftersales.orders.domain import Order
from aftersales.risk.service import RiskService
from aftersales.tickets.domain import LineRequest, OpenTicket
from aftersales.tickets.model import Status
from aftersales.tickets.service import TicketService
from tests.support.fakes.money import (
    InMemoryCounterStore,
    InMemoryPolicyStore,
    InMemoryReviewStore,
    RecordingResumer,
)
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.ticket_factories import AGENT, FINANCE, STOREFRONT, SUPERVISOR, SYSTEM, actor
from tests.support.tickets import order_payload

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Rig:
    def __init__(self) -> None:
        self.clock = FixedClock(NOW)
        self.store = InMemoryTicketStore()
        self.policies = InMemoryPolicyStore()
        self.reviews = InMemoryReviewStore()
        self.resumer = RecordingResumer()
        self.tickets = TicketService(self.store, self.clock)
        self.approvals = ApprovalService(self.tickets, self.store, RiskService(InMemoryCounterStore(), self.clock),
                                         self.policies, self.reviews, self.resumer, self.clock)
        self.tickets.upsert_order("acme", Order.model_validate(order_payload(quantity=30)))

    def pending(self, quantity: int) -> str:
        """A ticket for `quantity` mugs of CNY 95.00, submitted for approval."""
        ticket = self.tickets.open("acme", OpenTicket(type="return_refund", order_id="O-1", channel="app",
                                                      reason_code="damaged",
                                                      lines=[LineRequest(line_id="L1", quantity=quantity)]),
                                   STOREFRONT)
        self.tickets.transition("acme", ticket.id, Status.PENDING_APPROVAL, SYSTEM)
        return ticket.id


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_a_small_low_risk_ticket_is_approved_automatically(rig):
    """GIVEN a CNY 95.00 ticket of a customer with no history WHEN it is routed and the automatic
    outcome applied THEN it is approved by the workflow, with the rule that matched, and no review
    exists."""
    ticket_id = rig.pending(1)

    decision = rig.approvals.route("acme", ticket_id)
    ticket = rig.approvals.apply_outcome("acme", ticket_id, auto_outcome(decision))

    assert decision.route is Route.AUTO_APPROVE and decision.rule_id == "auto-small-cny"
    assert ticket.status is Status.APPROVED
    assert rig.store.audit_entries("acme", ticket_id)[-1].data["route"] == "auto_approve"
    assert len(rig.reviews) == 0


def test_a_large_ticket_needs_two_different_reviewers(rig):
    """GIVEN a CNY 2375.00 ticket routed to dual review WHEN one supervisor approves THEN the review
    is pending and nothing is resumed; the same person cannot approve again; WHEN a second person
    approves THEN the task is resumed once with the approved review, and applying it approves the
    ticket in the name of the last approver with both decisions on the audit entry."""
    ticket_id = rig.pending(25)
    decision = rig.approvals.route("acme", ticket_id)
    assert decision.route is Route.DUAL_REVIEW
    rig.approvals.open_review("acme", ticket_id, decision, "token-1")

    first = rig.approvals.decide("acme", ticket_id, SUPERVISOR, "approve", "looks fine")
    assert first.status == "pending" and len(rig.resumer) == 0
    with pytest.raises(Forbidden):
        rig.approvals.decide("acme", ticket_id, SUPERVISOR, "approve", "again")

    second = rig.approvals.decide("acme", ticket_id, FINANCE, "approve", "agreed")
    assert second.status == "approved"
    assert "token-1" in rig.resumer and rig.resumer.resumed["token-1"]["status"] == "approved"

    ticket = rig.approvals.apply_outcome("acme", ticket_id, rig.resumer.resumed["token-1"])
    last = rig.store.audit_entries("acme", ticket_id)[-1]
    assert ticket.status is Status.APPROVED
    assert last.actor_id == FINANCE.id
    assert [d["approver_id"] for d in last.data["decisions"]] == [SUPERVISOR.id, FINANCE.id]


def test_a_reject_ends_the_review_and_rejects_the_ticket(rig):
    """GIVEN a dual review WHEN the first reviewer rejects THEN the review is over, the task resumes
    with `rejected`, a later approval is a Conflict, and the ticket is rejected."""
    ticket_id = rig.pending(25)
    rig.approvals.open_review("acme", ticket_id, rig.approvals.route("acme", ticket_id), "token-1")

    rejected = rig.approvals.decide("acme", ticket_id, AGENT, "reject", "photos show wear")

    assert rejected.status == "rejected"
    with pytest.raises(Conflict):
        rig.approvals.decide("acme", ticket_id, SUPERVISOR, "approve", "too late")
    ticket = rig.approvals.apply_outcome("acme", ticket_id, rig.resumer.resumed["token-1"])
    assert ticket.status is Status.REJECTED


def test_the_requester_cannot_decide(rig):
    """GIVEN a review of a ticket the storefront key opened WHEN that same principal decides THEN
    Forbidden and the review has no decision."""
    ticket_id = rig.pending(25)
    rig.approvals.open_review("acme", ticket_id, rig.approvals.route("acme", ticket_id), "token-1")
    requester = actor(SUPERVISOR.primary_role, id=STOREFRONT.id)

    with pytest.raises(Forbidden):
        rig.approvals.decide("acme", ticket_id, requester, "approve", "mine")
    assert rig.approvals.review("acme", ticket_id).decisions == ()


def test_escalation_starts_a_supervisor_review_with_a_new_token(rig):
    """GIVEN a dual review with one approval WHEN it times out and escalates THEN a supervisor review
    starts clean under a new token (generation 2), and an agent may not decide it."""
    ticket_id = rig.pending(25)
    rig.approvals.open_review("acme", ticket_id, rig.approvals.route("acme", ticket_id), "token-1")
    rig.approvals.decide("acme", ticket_id, AGENT, "approve", "ok")

    escalated = rig.approvals.escalate("acme", ticket_id, "token-2")

    state, token, generation = rig.reviews.get_with_token("acme", ticket_id)
    assert (escalated.route, state.decisions, token, generation) == (Route.SUPERVISOR, (), "token-2", 2)
    with pytest.raises(Forbidden):
        rig.approvals.decide("acme", ticket_id, actor(AGENT.primary_role, id="agent-2"), "approve", "ok")
    rig.approvals.decide("acme", ticket_id, SUPERVISOR, "approve", "ok")
    assert "token-2" in rig.resumer and "token-1" not in rig.resumer


def test_the_review_store_refuses_a_decision_on_a_moved_review(rig):
    """GIVEN a review two readers loaded with no decisions WHEN both save a decision THEN the second
    write is a ConcurrentModification (the adapter's condition on the decision count)."""
    ticket_id = rig.pending(25)
    state = rig.approvals.open_review("acme", ticket_id, rig.approvals.route("acme", ticket_id), "token-1")
    rig.reviews.save(state.decide("agent-1", ReviewRole.AGENT, "approve", "a", NOW), 0, 1)

    with pytest.raises(ConcurrentModification):
        rig.reviews.save(state.decide("agent-2", ReviewRole.AGENT, "approve", "b", NOW), 0, 1)
    assert [d.approver_id for d in rig.approvals.review("acme", ticket_id).decisions] == ["agent-1"]


def test_a_published_draft_becomes_the_policy_and_its_version_is_immutable(rig):
    """GIVEN the default policy (version 1) WHEN a draft that approves nothing automatically is
    published THEN version 2 routes the small ticket to a single review; publishing version 2 again
    is a Conflict."""
    document = rig.approvals.draft("acme")[0].model_dump(mode="json")
    document["rules"] = [r for r in document["rules"] if r["route"] != "auto_approve"]
    rig.approvals.put_draft("acme", document, None)

    published = rig.approvals.publish("acme")

    assert published.version == 2 and ("acme", 2) in rig.policies
    assert rig.approvals.route("acme", rig.pending(1)).route is Route.SINGLE_REVIEW
    with pytest.raises(Conflict):
        rig.policies.save(published)
