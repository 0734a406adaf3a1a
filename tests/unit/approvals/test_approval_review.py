from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.approvals.policy import Route
from aftersales.approvals.review import ReviewState, Role
from aftersales.approvals.routing import RoutingDecision
from aftersales.core.errors import Conflict, Forbidden, InvalidRequest

AT = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def review(route: Route, requires_finance: bool = False) -> ReviewState:
    routing = RoutingDecision(route=route, rule_id="r1", reasons=(), requires_finance=requires_finance,
                              policy_version=1)
    return ReviewState.open("t1", "tkt_1", "agent_req", routing)


def test_single_review_approved_by_one_agent():
    """GIVEN a single review WHEN an agent approves THEN it is approved and the decision is recorded."""
    state = review(Route.SINGLE_REVIEW).decide("agent_2", Role.AGENT, "approve", "photos ok", AT)
    assert state.status == "approved"
    decision = state.decisions[0]
    assert (decision.approver_id, decision.role, decision.comment, decision.decided_at, decision.rule_id) == (
        "agent_2", Role.AGENT, "photos ok", AT, "r1")


def test_requester_cannot_approve_own_ticket():
    """GIVEN a review requested by agent_req WHEN agent_req approves THEN Forbidden."""
    with pytest.raises(Forbidden, match="requester_cannot_decide"):
        review(Route.SINGLE_REVIEW).decide("agent_req", Role.SUPERVISOR, "approve", "", AT)


def test_dual_review_needs_two_different_approvers():
    """GIVEN a dual review WHEN one approves THEN pending; the same person again is Forbidden; another
    approves."""
    first = review(Route.DUAL_REVIEW).decide("a1", Role.AGENT, "approve", "", AT)
    assert first.status == "pending"
    with pytest.raises(Forbidden, match="approver_already_decided"):
        first.decide("a1", Role.SUPERVISOR, "approve", "", AT)
    assert first.decide("a2", Role.SUPERVISOR, "approve", "", AT).status == "approved"


def test_dual_review_with_finance_needs_a_finance_second_approver():
    """GIVEN requires_finance WHEN a supervisor gives the 2nd approval THEN Forbidden; finance may."""
    first = review(Route.DUAL_REVIEW, requires_finance=True).decide("a1", Role.AGENT, "approve", "", AT)
    assert first.eligible_roles("approve") == {Role.FINANCE}
    with pytest.raises(Forbidden, match="role_not_allowed") as raised:
        first.decide("s1", Role.SUPERVISOR, "approve", "", AT)
    assert raised.value.details["allowed"] == ["finance"]
    assert first.decide("f1", Role.FINANCE, "approve", "", AT).status == "approved"


def test_anyone_eligible_may_reject_the_second_step():
    """GIVEN a finance-gated dual review after one approval WHEN a supervisor rejects THEN it is rejected."""
    first = review(Route.DUAL_REVIEW, requires_finance=True).decide("a1", Role.AGENT, "approve", "", AT)
    assert first.decide("s1", Role.SUPERVISOR, "reject", "receipt forged", AT).status == "rejected"


def test_supervisor_route_is_for_supervisors_and_admins():
    """GIVEN a supervisor route WHEN an agent approves THEN Forbidden; an admin may."""
    with pytest.raises(Forbidden):
        review(Route.SUPERVISOR).decide("a1", Role.AGENT, "approve", "", AT)
    assert review(Route.SUPERVISOR).decide("adm", Role.ADMIN, "approve", "", AT).status == "approved"


def test_reject_ends_the_review_and_further_decisions_conflict():
    """GIVEN a rejected review WHEN anyone decides again THEN Conflict."""
    rejected = review(Route.DUAL_REVIEW).decide("a1", Role.AGENT, "reject", "duplicate claim", AT)
    assert rejected.status == "rejected"
    with pytest.raises(Conflict, match="review_already_decided"):
        rejected.decide("a2", Role.SUPERVISOR, "approve", "", AT)


def test_decision_on_an_approved_review_conflicts():
    """GIVEN an approved single review WHEN a second person decides THEN Conflict."""
    approved = review(Route.SINGLE_REVIEW).decide("a1", Role.AGENT, "approve", "", AT)
    with pytest.raises(Conflict):
        approved.decide("a2", Role.AGENT, "reject", "late", AT)


def test_reject_needs_a_comment():
    """GIVEN a review WHEN rejected with a blank comment THEN InvalidRequest."""
    with pytest.raises(InvalidRequest, match="reject_needs_comment"):
        review(Route.SINGLE_REVIEW).decide("a1", Role.AGENT, "reject", "  ", AT)


def test_decision_time_must_be_timezone_aware():
    """GIVEN a naive datetime WHEN deciding THEN InvalidRequest."""
    with pytest.raises(InvalidRequest):
        review(Route.SINGLE_REVIEW).decide("a1", Role.AGENT, "approve", "", datetime(2026, 1, 1))


@pytest.mark.parametrize("route", [Route.AUTO_APPROVE, Route.BLOCK])
def test_routes_without_humans_open_no_review(route):
    """GIVEN an auto-approve or block routing WHEN a review is opened THEN InvalidRequest."""
    with pytest.raises(InvalidRequest, match="route_needs_no_review"):
        review(route)


actors = st.tuples(st.sampled_from(["agent_req", "a1", "a2", "a3"]), st.sampled_from(list(Role)),
                   st.sampled_from(["approve", "reject"]))


@given(route=st.sampled_from([Route.SINGLE_REVIEW, Route.DUAL_REVIEW, Route.SUPERVISOR]),
       requires_finance=st.booleans(), attempts=st.lists(actors, max_size=6))
def test_any_decision_sequence_keeps_the_review_rules(route, requires_finance, attempts):
    """GIVEN any sequence of decision attempts WHEN applied THEN approvals respect every review rule."""
    state = review(route, requires_finance)
    for approver, role, verdict in attempts:
        try:
            state = state.decide(approver, role, verdict, "why", AT)
        except (Forbidden, Conflict):
            continue
    approvers = [d.approver_id for d in state.decisions]
    assert "agent_req" not in approvers
    assert len(approvers) == len(set(approvers))
    if state.status == "approved":
        assert len(approvers) == state.required_approvals
        if route is Route.DUAL_REVIEW and requires_finance:
            assert state.decisions[1].role is Role.FINANCE
        if route is Route.SUPERVISOR:
            assert state.decisions[0].role in {Role.SUPERVISOR, Role.ADMIN}
