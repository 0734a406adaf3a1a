"""The declarative tables are well-formed, and random walks through them stay legal
with an audit chain that always verifies (Hypothesis rule-based state machine)."""

import hypothesis.strategies as st
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from aftersales.core.errors import Forbidden, IllegalTransition
from aftersales.tickets import domain, transitions
from aftersales.tickets.audit import verify_chain
from aftersales.tickets.domain import LineRequest, OpenTicket
from aftersales.tickets.model import TERMINAL_STATUSES, Acceptance, Role, Status, TicketType
from aftersales.tickets.warrants import (
    ApprovalRecord,
    EligibilityRefusal,
    FulfilmentStep,
    InspectionRecord,
    PlatformDecision,
    RefundDecision,
    RefundSettlement,
    ReviewerDecision,
)
from tests.support.ticket_factories import T0, actor, order

ALL_ROLES = list(Role)


def test_every_type_reaches_a_terminal_state_from_every_state():
    for ticket_type, table in transitions.TABLES.items():
        graph: dict[Status, set[Status]] = {}
        for t in table:
            graph.setdefault(t.source, set()).add(t.target)
        for state in transitions.states_of(ticket_type):
            seen, frontier = {state}, [state]
            while frontier:
                for nxt in graph.get(frontier.pop(), ()):
                    if nxt not in seen:
                        seen.add(nxt)
                        frontier.append(nxt)
            assert seen & TERMINAL_STATUSES, f"{ticket_type}: {state} can never finish"


def test_terminal_states_have_no_way_out_and_pairs_are_unique():
    for ticket_type, table in transitions.TABLES.items():
        pairs = [(t.source, t.target) for t in table]
        assert len(pairs) == len(set(pairs)), ticket_type
        assert not [t for t in table if t.source in TERMINAL_STATUSES]
        assert all(t.roles and t.event.startswith("ticket.") for t in table)


def test_mermaid_lists_every_transition():
    diagram = transitions.to_mermaid(TicketType.REPAIR)
    assert diagram.startswith("stateDiagram-v2")
    for t in transitions.TABLES[TicketType.REPAIR]:
        assert f"{t.source.value} --> {t.target.value}" in diagram


def _warrant_for(rule_, ticket, who):
    """The owning use case's warrant for an owned move (so walks get past approval), else none."""
    if rule_ is None or rule_.owner is None:
        return None, None
    owner = transitions.Owner
    if rule_.owner is owner.APPROVAL:
        verdict = "approve" if rule_.target == Status.APPROVED else "reject"
        return ApprovalRecord(outcome="approved" if verdict == "approve" else "rejected", route="single_review",
                              requester_id="cust-1", decisions=(ReviewerDecision(
                                  approver_id=who.id, role=who.primary_role.value, verdict=verdict),)), None
    if rule_.owner is owner.INSPECTION:
        accepted = rule_.target != Status.REJECTED
        return InspectionRecord(), [ln.model_copy(update={
            "acceptance": Acceptance.ACCEPTED if accepted else Acceptance.REJECTED,
            "quantity_accepted": 1 if accepted else 0}) for ln in ticket.lines]
    return {owner.FULFILMENT: FulfilmentStep(), owner.REFUND_DECISION: RefundDecision(),
            owner.ELIGIBILITY: EligibilityRefusal(rules_version=1, rule_id="returns", failed_checks=("return_window",)),
            owner.PLATFORM: PlatformDecision(platform="douyin", reference="msg-1"),
            owner.REFUND_SETTLEMENT: RefundSettlement(grant_id="g1", provider_refund_id="re_1")}[rule_.owner], None


class TicketWalk(RuleBasedStateMachine):
    """Random actors try random targets; only table-allowed moves by permitted roles happen."""

    @rule(ticket_type=st.sampled_from(list(TicketType)))
    @precondition(lambda self: not hasattr(self, "ticket"))
    def open(self, ticket_type):
        lines = [] if ticket_type in (TicketType.COMPLAINT, TicketType.SHIPPING_FEE_REFUND) else [
            LineRequest(line_id="L1", quantity=1)]
        request = OpenTicket(type=ticket_type, order_id="O-1", channel="app", reason_code="x", lines=lines)
        change = domain.open_ticket(ticket_id="tkt_1", tenant_id="t", request=request, order=order(),
                                    reserved={}, actor=actor(Role.CUSTOMER, id="cust-1", customer_id="cust-1"), at=T0)
        self.ticket, self.entries = change.ticket, [change.entry]

    @rule(data=st.data(), role=st.sampled_from(ALL_ROLES))
    @precondition(lambda self: hasattr(self, "ticket"))
    def attempt(self, data, role):
        # Half the time a target the table allows from here, so walks get deep.
        legal = [t.target for t in transitions.transitions_from(self.ticket.type, self.ticket.status)]
        pool = st.sampled_from(legal) if legal else st.sampled_from(list(Status))
        target = data.draw(st.one_of(pool, st.sampled_from(list(Status))))
        who = actor(role, customer_id="cust-1" if role == Role.CUSTOMER else None)
        rule_ = transitions.find(self.ticket.type, self.ticket.status, target)
        warrant, lines = _warrant_for(rule_, self.ticket, who)
        try:
            change = domain.transition(self.ticket, target, actor=who, at=T0, warrant=warrant, lines=lines)
        except IllegalTransition:
            assert rule_ is None
            return
        except Forbidden as refused:
            assert rule_ is not None and (role not in rule_.roles or refused.message_id == "error.warrant_refused")
            return
        assert rule_ is not None and role in rule_.roles
        self.ticket, self.entries = change.ticket, [*self.entries, change.entry]

    @invariant()
    def chain_verifies_and_status_is_known(self):
        if hasattr(self, "ticket"):
            assert self.ticket.status in transitions.states_of(self.ticket.type)
            result = verify_chain(self.entries)
            assert result.valid and result.head_hash == self.ticket.head_hash
            assert self.ticket.version == len(self.entries)


TestTicketWalk = TicketWalk.TestCase
TestTicketWalk.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
