"""Ticket rules: opening against an order, transitions by role, assignment."""

import pytest

from aftersales.core.errors import Forbidden, IllegalTransition, InvalidRequest
from aftersales.tickets import domain
from aftersales.tickets.audit import GENESIS_HASH, verify_chain
from aftersales.tickets.domain import LineRequest, OpenTicket
from aftersales.tickets.model import Role, Status, TicketType
from aftersales.tickets.warrants import InspectionRecord, RefundSettlement
from tests.support.ticket_factories import (
    AGENT,
    CUSTOMER,
    STOREFRONT,
    SUPERVISOR,
    SYSTEM,
    T0,
    actor,
    approval_by,
    order,
)


def _open(type_=TicketType.RETURN_REFUND, lines=(("L1", 2),), reserved=None, who=CUSTOMER, **kw):
    request = OpenTicket(type=type_, order_id="O-1", channel="app", reason_code="damaged",
                         lines=[LineRequest(line_id=line_id, quantity=q) for line_id, q in lines], **kw)
    return domain.open_ticket(ticket_id="tkt_1", tenant_id="t1", request=request, order=order(),
                              reserved=reserved or {}, actor=who, at=T0)


def test_opening_prices_the_requested_lines_and_starts_the_chain():
    """GIVEN an order with a 95.00 CNY line bought twice WHEN the customer returns both
    THEN the ticket asks 190.00 CNY, starts submitted at version 1 with a genesis-linked entry."""
    change = _open()
    assert change.ticket.requested_amount.amount == 19000
    assert change.ticket.requested_amount.currency == "CNY"
    assert change.ticket.status == Status.SUBMITTED and change.ticket.version == 1
    assert change.entry.prev_hash == GENESIS_HASH and change.entry.event == "ticket.created"
    assert change.ticket.head_hash == change.entry.hash


def test_quantity_beyond_purchase_minus_open_tickets_is_rejected_with_the_field():
    """GIVEN one of two mugs already on an open ticket WHEN asking for two THEN 422 on lines[0].quantity."""
    with pytest.raises(InvalidRequest) as err:
        _open(reserved={"L1": 1})
    assert err.value.details["field"] == "lines[0].quantity"
    assert err.value.details["available"] == 1


@pytest.mark.parametrize("lines,message", [((("NOPE", 1),), "error.unknown_order_line"),
                                           ((("L1", 1), ("L1", 1)), "error.duplicate_line"),
                                           ((), "error.lines_required")])
def test_bad_lines_are_named(lines, message):
    with pytest.raises(InvalidRequest) as err:
        _open(lines=lines)
    assert err.value.message_id == message


def test_a_complaint_needs_no_lines_and_a_shipping_refund_asks_the_shipping_fee():
    assert _open(type_=TicketType.COMPLAINT, lines=()).ticket.requested_amount.amount == 0
    assert _open(type_=TicketType.SHIPPING_FEE_REFUND, lines=()).ticket.requested_amount.amount == 1000


def test_a_customer_cannot_open_a_ticket_on_someone_elses_order():
    with pytest.raises(Forbidden):
        _open(who=actor(Role.CUSTOMER, id="cust-2", customer_id="cust-2"))


def test_illegal_transition_lists_what_is_allowed():
    """GIVEN a submitted ticket WHEN jumping to refunded THEN 409 carries the allowed targets (the
    intake checks' refusal listed as theirs, not the caller's)."""
    ticket = _open().ticket
    with pytest.raises(IllegalTransition) as err:
        domain.transition(ticket, Status.REFUNDED, actor=AGENT, at=T0)
    allowed = {a["to"]: a for a in err.value.details["allowed"]}
    assert set(allowed) == {"pending_approval", "cancelled", "rejected"}
    assert not allowed["rejected"]["permitted"] and "eligibility" in allowed["rejected"]["use"]


def test_roles_are_enforced_per_transition():
    """GIVEN a pending approval WHEN a customer applies even a valid review THEN 403; an agent who
    decided it may apply it."""
    ticket = domain.transition(_open().ticket, Status.PENDING_APPROVAL, actor=STOREFRONT, at=T0).ticket
    with pytest.raises(Forbidden):
        domain.transition(ticket, Status.APPROVED, actor=CUSTOMER, at=T0, warrant=approval_by(CUSTOMER))
    approved = domain.transition(ticket, Status.APPROVED, actor=AGENT, at=T0, warrant=approval_by(AGENT)).ticket
    assert approved.status == Status.APPROVED and approved.version == 3
    assert approved.approval is not None and approved.approval.approver_ids == ("agent-1",)


def test_every_change_extends_a_verifiable_chain():
    change = _open()
    entries = [change.entry]
    ticket = change.ticket
    inspected = [ln.model_copy(update={"quantity_received": 1, "quantity_accepted": 1, "acceptance": "accepted"})
                 for ln in ticket.lines]
    for target, who, warrant, lines in [
            (Status.PENDING_APPROVAL, STOREFRONT, None, None),
            (Status.APPROVED, SUPERVISOR, approval_by(SUPERVISOR), None),
            (Status.AWAITING_RETURN, AGENT, None, None), (Status.RETURN_IN_TRANSIT, CUSTOMER, None, None),
            (Status.RETURN_RECEIVED, AGENT, None, None), (Status.INSPECTING, AGENT, None, None),
            (Status.REFUND_PENDING, AGENT, InspectionRecord(), inspected),
            (Status.REFUNDED, SYSTEM, RefundSettlement(grant_id="g1", provider_refund_id="re_1"), None),
            (Status.CLOSED, AGENT, None, None)]:
        change = domain.transition(ticket, target, actor=who, at=T0, reason="step", warrant=warrant, lines=lines)
        entries.append(change.entry)
        ticket = change.ticket
    assert verify_chain(entries).valid and verify_chain(entries).head_hash == ticket.head_hash
    tampered = [*entries]
    tampered[3] = tampered[3].model_copy(update={"reason": "edited later"})
    result = verify_chain(tampered)
    assert not result.valid and result.first_broken_seq == 4 and result.reason == "hash_mismatch"


def test_agents_take_tickets_supervisors_hand_them_out():
    ticket = _open().ticket
    assert domain.assign(ticket, "agent-1", actor=AGENT, at=T0).ticket.assignee_id == "agent-1"
    with pytest.raises(Forbidden):
        domain.assign(ticket, "agent-2", actor=AGENT, at=T0)
    assert domain.assign(ticket, "agent-2", actor=SUPERVISOR, at=T0).entry.data == {
        "from_assignee": None, "to_assignee": "agent-2"}


def test_cancelling_releases_the_reservation_but_refunding_does_not():
    assert domain.releases_reservation(Status.SUBMITTED, Status.CANCELLED)
    assert domain.releases_reservation(Status.REJECTED, Status.CLOSED)
    assert not domain.releases_reservation(Status.REFUNDED, Status.CLOSED)


def test_customers_only_see_their_own_tickets():
    ticket = _open().ticket
    assert domain.can_view(ticket, CUSTOMER)
    assert not domain.can_view(ticket, actor(Role.CUSTOMER, id="x", customer_id="cust-9"))
    assert domain.can_view(ticket, actor(Role.AGENT))
