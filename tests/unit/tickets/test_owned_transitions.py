"""No role and no path moves money or goods without the record that authorises it.

Every ticket type x every role x every transition of its table, with warrants drawn at random
(valid, forged, half-right): whatever succeeds must be backed by an approval record that satisfies
its route, and every step after approval needs the approval stamp (Hypothesis).
"""

from __future__ import annotations

import contextlib

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from aftersales.core.errors import Forbidden, IllegalTransition
from aftersales.tickets import domain, transitions, warrants
from aftersales.tickets.domain import Actor, LineRequest, OpenTicket, Ticket
from aftersales.tickets.model import Acceptance, Channel, Role, Status, TicketType
from tests.support.ticket_factories import T0, order

PEOPLE = ["cust-1", "agent-1", "agent-2", "sup-1", "fin-1"]
REQUESTER = "cust-1"
API_ROLES = [r for r in Role if r is not Role.SYSTEM]  # what a token or an API key can carry
GUARDED = frozenset({Status.APPROVED, Status.REFUND_PENDING, Status.RESHIPPING, Status.REPAIR_DISPATCHED,
                     Status.REFUNDED})
ALL_TRANSITIONS = [(tt, t) for tt, table in transitions.TABLES.items() for t in table]
OWNED = [(tt, t) for tt, t in ALL_TRANSITIONS if t.owner is not None]


def _ticket(ticket_type: TicketType, status: Status, *, channel: Channel = Channel.APP, approved: bool = True,
            acceptance: Acceptance = Acceptance.PENDING, accepted: int = 0) -> Ticket:
    lines = [] if ticket_type in (TicketType.COMPLAINT, TicketType.SHIPPING_FEE_REFUND) else [
        LineRequest(line_id="L1", quantity=1)]
    request = OpenTicket(type=ticket_type, order_id="O-1", channel=channel, reason_code="x", lines=lines)
    opened = domain.open_ticket(ticket_id="tkt_1", tenant_id="t", request=request, order=order(), reserved={},
                                actor=Actor(id=REQUESTER, roles=frozenset({Role.CUSTOMER}), customer_id=REQUESTER),
                                at=T0).ticket
    stamp = warrants.ApprovalStamp(route="single_review", approver_ids=("sup-1",), seq=2) if approved else None
    return opened.model_copy(update={"status": status, "approval": stamp, "lines": [
        ln.model_copy(update={"acceptance": acceptance, "quantity_accepted": accepted}) for ln in opened.lines]})


decisions = st.builds(warrants.ReviewerDecision, approver_id=st.sampled_from(PEOPLE),
                      role=st.sampled_from(["agent", "supervisor", "finance", "admin", "arbitrator"]),
                      verdict=st.sampled_from(["approve", "reject"]))
approval_records = st.builds(
    warrants.ApprovalRecord, outcome=st.sampled_from(["approved", "rejected"]),
    route=st.sampled_from([*warrants.MIN_APPROVALS, "platform", "none", ""]),
    requester_id=st.sampled_from([REQUESTER, *PEOPLE]), decisions=st.lists(decisions, max_size=3).map(tuple))
any_warrant = st.one_of(
    st.none(), approval_records,
    st.builds(warrants.PlatformDecision, platform=st.just("douyin"), reference=st.just("msg-1")),
    st.just(warrants.FulfilmentStep()), st.just(warrants.InspectionRecord()),
    st.builds(warrants.RefundSettlement, grant_id=st.just("g1"), provider_refund_id=st.just("re_1")),
    st.just(warrants.RefundDecision()))
actors = st.builds(lambda who, roles: Actor(id=who, roles=frozenset(roles),
                                            customer_id=who if Role.CUSTOMER in roles else None),
                   st.sampled_from(PEOPLE), st.sets(st.sampled_from(list(Role)), min_size=1, max_size=3))


def _satisfies_route(record: warrants.ApprovalRecord, actor: Actor) -> bool:
    people = [d.approver_id for d in record.decisions]
    if record.route in warrants.AUTOMATIC_ROUTES:
        return Role.SYSTEM in actor.roles and not people and record.route != "block"
    return (record.outcome == "approved" and len(set(people)) == len(people)
            and len(people) >= max(1, warrants.MIN_APPROVALS[record.route]) and REQUESTER not in people
            and record.requester_id not in people and all(d.verdict == "approve" for d in record.decisions)
            and actor.id in people)


@pytest.mark.parametrize(("ticket_type", "rule"), OWNED,
                         ids=[f"{tt.value}:{t.source.value}->{t.target.value}" for tt, t in OWNED])
@pytest.mark.parametrize("role", list(Role))
def test_the_generic_path_never_takes_an_owned_transition(ticket_type, rule, role):
    """GIVEN a ticket where an owned transition starts WHEN any role asks for it with no warrant
    (the generic transitions endpoint) THEN 409 names the endpoint that owns it."""
    ticket = _ticket(ticket_type, rule.source)
    with pytest.raises(IllegalTransition) as refused:
        domain.transition(ticket, rule.target, actor=Actor(id="agent-1", roles=frozenset({role})), at=T0)
    assert refused.value.message_id == "error.transition_owned"
    assert refused.value.details["use"] == transitions.OWNER_ENDPOINTS[rule.owner].replace("{ticket_id}", "tkt_1")


@settings(max_examples=1500, deadline=None)
@given(pick=st.sampled_from(ALL_TRANSITIONS), who=actors, warrant=any_warrant, approved=st.booleans(),
       channel=st.sampled_from([Channel.APP, Channel.DOUYIN]),
       inspected=st.sampled_from([(Acceptance.PENDING, 0), (Acceptance.ACCEPTED, 1), (Acceptance.REJECTED, 0)]))
def test_whatever_succeeds_is_backed_by_its_record(pick, who, warrant, approved, channel, inspected):
    """GIVEN any ticket type, transition, actor and warrant (forged or real) WHEN the domain lets the
    transition happen THEN approving needed a record that satisfies its route (or the owning
    platform), every step after approval had the approval stamp, and inspection outcomes match the
    inspected lines."""
    ticket_type, rule_ = pick
    ticket = _ticket(ticket_type, rule_.source, channel=channel, approved=approved,
                     acceptance=inspected[0], accepted=inspected[1])
    try:
        moved = domain.transition(ticket, rule_.target, actor=who, at=T0, warrant=warrant).ticket
    except (IllegalTransition, Forbidden):
        return
    assert who.roles & rule_.roles
    platform = (isinstance(warrant, warrants.PlatformDecision) and channel is Channel.DOUYIN
                and Role.SYSTEM in who.roles)
    if rule_.owner is not None:
        assert warrant is not None
    if rule_.target is Status.APPROVED:
        assert platform or (isinstance(warrant, warrants.ApprovalRecord) and _satisfies_route(warrant, who))
        assert moved.approval is not None
    if rule_.target in transitions.AFTER_APPROVAL:
        assert ticket.approval is not None
    if rule_.owner is transitions.Owner.INSPECTION and not platform:
        assert (inspected[0] is Acceptance.ACCEPTED) == (rule_.target is not Status.REJECTED)
    if rule_.target is Status.REFUNDED:
        assert platform or (isinstance(warrant, warrants.RefundSettlement) and Role.SYSTEM in who.roles)


class ApiWalk(RuleBasedStateMachine):
    """Random API callers (every role a token or key can carry) walk a ticket through the generic
    transitions endpoint: money and goods never move."""

    @rule(ticket_type=st.sampled_from(list(TicketType)))
    @precondition(lambda self: not hasattr(self, "ticket"))
    def open(self, ticket_type):
        self.ticket = _ticket(ticket_type, Status.SUBMITTED, approved=False)

    @rule(data=st.data(), role=st.sampled_from(API_ROLES), who=st.sampled_from(PEOPLE))
    @precondition(lambda self: hasattr(self, "ticket"))
    def attempt(self, data, role, who):
        legal = [t.target for t in transitions.transitions_from(self.ticket.type, self.ticket.status)]
        target = data.draw(st.sampled_from(legal) if legal else st.sampled_from(list(Status)))
        actor = Actor(id=who, roles=frozenset({role}), customer_id=who if role is Role.CUSTOMER else None)
        with contextlib.suppress(IllegalTransition, Forbidden):
            self.ticket = domain.transition(self.ticket, target, actor=actor, at=T0).ticket

    @invariant()
    def nothing_guarded_was_reached(self):
        if hasattr(self, "ticket"):
            assert self.ticket.status not in GUARDED
            assert self.ticket.approval is None


class AnyWalk(RuleBasedStateMachine):
    """Any actor with any warrant: wherever the ticket gets, a state past approval carries an
    approval stamp whose approvers satisfy the route (distinct, never the requester)."""

    @rule(ticket_type=st.sampled_from(list(TicketType)), channel=st.sampled_from([Channel.APP, Channel.DOUYIN]))
    @precondition(lambda self: not hasattr(self, "ticket"))
    def open(self, ticket_type, channel):
        self.ticket = _ticket(ticket_type, Status.SUBMITTED, channel=channel, approved=False)

    @rule(data=st.data(), who=actors, warrant=any_warrant)
    @precondition(lambda self: hasattr(self, "ticket"))
    def attempt(self, data, who, warrant):
        legal = [t.target for t in transitions.transitions_from(self.ticket.type, self.ticket.status)]
        if not legal:
            return
        target = data.draw(st.sampled_from(legal))
        lines = None
        if target in (Status.REFUND_PENDING, Status.RESHIPPING, Status.REJECTED):
            lines = [ln.model_copy(update={"acceptance": Acceptance.ACCEPTED, "quantity_accepted": 1})
                     for ln in self.ticket.lines] if data.draw(st.booleans()) else None
        with contextlib.suppress(IllegalTransition, Forbidden):
            self.ticket = domain.transition(self.ticket, target, actor=who, at=T0, warrant=warrant,
                                            lines=lines).ticket

    @invariant()
    def past_approval_means_a_satisfied_record(self):
        if not hasattr(self, "ticket") or self.ticket.status not in GUARDED | transitions.AFTER_APPROVAL:
            return
        stamp = self.ticket.approval
        assert stamp is not None
        if stamp.route.startswith("platform:"):
            assert self.ticket.channel is Channel.DOUYIN
        elif stamp.route not in warrants.AUTOMATIC_ROUTES:
            assert len(set(stamp.approver_ids)) == len(stamp.approver_ids) >= warrants.MIN_APPROVALS[stamp.route]
            assert REQUESTER not in stamp.approver_ids


TestApiWalk = ApiWalk.TestCase
TestApiWalk.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
TestAnyWalk = AnyWalk.TestCase
TestAnyWalk.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)


def test_a_platform_refund_after_our_refusal_carries_the_platforms_decision_as_its_approval():
    """GIVEN a Douyin return refused by the platform before anyone approved it WHEN Douyin refunds it
    after all THEN the refunded ticket carries the platform's decision as its approval stamp (a state
    past approval never lacks the record that authorised it; found by AnyWalk)."""
    system = Actor(id="douyin-intake", roles=frozenset({Role.SYSTEM}))
    decision = warrants.PlatformDecision(platform="douyin", reference="msg-1")
    ticket = _ticket(TicketType.RETURN_REFUND, Status.SUBMITTED, channel=Channel.DOUYIN, approved=False)
    ticket = domain.transition(ticket, Status.REJECTED, actor=system, at=T0, warrant=decision).ticket
    assert ticket.approval is None
    ticket = domain.transition(ticket, Status.REFUNDED, actor=system, at=T0, warrant=decision).ticket
    assert ticket.status is Status.REFUNDED and ticket.approval is not None
    assert ticket.approval.route == "platform:douyin" and ticket.approval.approver_ids == ()
