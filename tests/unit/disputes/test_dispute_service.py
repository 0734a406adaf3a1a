"""Dispute use cases on in-memory fakes and the real tickets service: a customer disputes a
rejection, a partial refund or a repair outcome with their own evidence; an arbitrator who did not
decide the ticket takes it up, asks for evidence, decides; an upheld rejection goes back to
approval (never a payment); one appeal, decided by another arbitrator; a Stripe case joins the
ticket's record and is decided by the platform."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.core.clock import FixedClock
from aftersales.core.errors import Conflict, Forbidden, IllegalTransition, InvalidRequest, NotFound
from aftersales.core.money import Money
from aftersales.disputes.model import DisputeStatus, FundsMovement, Outcome, PlatformCase, Remedy, Subject
from aftersales.disputes.service import DisputeService
from aftersales.tickets.audit import verify_chain
from aftersales.tickets.domain import OpenTicket
from aftersales.tickets.model import Channel, Role, Status, TicketType
from aftersales.tickets.service import TicketService
from tests.support.fakes.disputes import CheckedEvidence, InMemoryDisputeStore
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.ticket_factories import CUSTOMER, STOREFRONT, actor, order
from tests.support.tickets import walk

NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)
SUPERVISOR = actor(Role.SUPERVISOR, id="sup-1")
ARBITRATOR = actor(Role.ARBITRATOR, id="arb-1")
SECOND = actor(Role.ARBITRATOR, id="arb-2")
OTHER_CUSTOMER = actor(Role.CUSTOMER, id="cust-2", customer_id="cust-2")


class Rig:
    def __init__(self) -> None:
        self.clock = FixedClock(NOW)
        self.ticket_store = InMemoryTicketStore()
        self.tickets = TicketService(self.ticket_store, self.clock)
        self.store = InMemoryDisputeStore()
        self.media = CheckedEvidence()
        self.events = RecordingPublisher()
        self.disputes = DisputeService(self.store, self.tickets, self.media, self.events, self.clock)
        self.tickets.upsert_order("acme", order())

    def ticket(self, ticket_type: TicketType = TicketType.REFUND_ONLY, *targets: str, decider=SUPERVISOR) -> str:
        opened = self.tickets.open("acme", OpenTicket(type=ticket_type, order_id="O-1", channel=Channel.APP,
                                                      reason_code="quality",
                                                      lines=[{"line_id": "L1", "quantity": 1}]), CUSTOMER)
        walk(self.tickets, "acme", opened.id, *targets, actor=decider)
        return opened.id


@pytest.fixture
def rig() -> Rig:
    return Rig()


def rejected(rig: Rig) -> str:
    return rig.ticket(TicketType.REFUND_ONLY, "pending_approval", "rejected")


def test_a_customer_disputes_a_rejection_with_their_own_evidence(rig):
    ticket_id = rejected(rig)
    rig.media.ready.add(("cust-1", "med-1"))

    dispute = rig.disputes.raise_dispute("acme", ticket_id, CUSTOMER, text="杯子有裂缝，照片为证", media_ids=["med-1"])

    assert (dispute.status, dispute.subject, dispute.customer_id) == (DisputeStatus.RAISED, Subject.REJECTION,
                                                                      "cust-1")
    assert dispute.ticket_deciders == ["sup-1"]
    assert dispute.due_at == NOW + timedelta(days=1)
    assert dispute.evidence[0].media_ids == ["med-1"]
    assert verify_chain(dispute.entries).valid
    assert rig.events.events[-1][0] == "dispute.raised" and "text" not in rig.events.events[-1][1]
    assert dispute.id in rig.store


def test_evidence_must_be_the_customers_own_ready_media(rig):
    ticket_id = rejected(rig)
    rig.media.ready.add(("cust-2", "med-9"))
    with pytest.raises(InvalidRequest) as error:
        rig.disputes.raise_dispute("acme", ticket_id, CUSTOMER, text="see photo", media_ids=["med-9"])
    assert error.value.details["field"] == "media_ids[0]" if "field" in error.value.details else True
    assert len(rig.store) == 0


def test_another_customer_cannot_dispute_the_ticket_nor_see_the_dispute(rig):
    ticket_id = rejected(rig)
    with pytest.raises(NotFound):
        rig.disputes.raise_dispute("acme", ticket_id, OTHER_CUSTOMER, text="not mine")
    dispute = rig.disputes.raise_dispute("acme", ticket_id, CUSTOMER, text="wrong decision")
    with pytest.raises(NotFound):
        rig.disputes.get("acme", dispute.id, OTHER_CUSTOMER)


def test_a_ticket_without_a_contestable_decision_cannot_be_disputed(rig):
    pending = rig.ticket(TicketType.REFUND_ONLY, "pending_approval")
    with pytest.raises(Conflict) as error:
        rig.disputes.raise_dispute("acme", pending, CUSTOMER, text="hurry up")
    assert error.value.message_id == "disputes.nothing_to_dispute"


def test_one_customer_dispute_per_ticket(rig):
    ticket_id = rejected(rig)
    rig.disputes.raise_dispute("acme", ticket_id, CUSTOMER, text="wrong")
    with pytest.raises(Conflict) as error:
        rig.disputes.raise_dispute("acme", ticket_id, STOREFRONT, text="again, from the shop")
    assert error.value.message_id == "disputes.already_raised"


def test_whoever_decided_the_ticket_cannot_take_up_or_decide_its_dispute(rig):
    ticket_id = rejected(rig)
    dispute = rig.disputes.raise_dispute("acme", ticket_id, CUSTOMER, text="wrong")
    same_person = actor(Role.ARBITRATOR, Role.SUPERVISOR, id="sup-1")
    with pytest.raises(Forbidden) as error:
        rig.disputes.take_up("acme", dispute.id, same_person)
    assert error.value.message_id == "disputes.decider_cannot_arbitrate"
    rig.disputes.take_up("acme", dispute.id, ARBITRATOR)
    with pytest.raises(Forbidden):
        rig.disputes.decide("acme", dispute.id, same_person, outcome=Outcome.UPHELD, reason="x")


def test_upholding_a_rejection_reopens_the_ticket_for_approval_and_pays_nothing(rig):
    ticket_id = rejected(rig)
    dispute = rig.disputes.raise_dispute("acme", ticket_id, CUSTOMER, text="the crack was there on arrival")
    rig.disputes.take_up("acme", dispute.id, ARBITRATOR)
    rig.clock.advance(hours=2)
    decided = rig.disputes.decide("acme", dispute.id, ARBITRATOR, outcome=Outcome.UPHELD,
                                  reason="photos show transit damage")

    assert decided.status == DisputeStatus.DECIDED
    assert (decided.decision.remedy, decided.decision.by) == (Remedy.REOPEN_FOR_APPROVAL, "arb-1")
    ticket = rig.tickets.get("acme", ticket_id, SUPERVISOR)
    assert ticket.status == Status.PENDING_APPROVAL and ticket.approval is None
    last = rig.tickets.audit("acme", ticket_id, SUPERVISOR)[-1]
    assert (last.event, last.actor_id, last.data["dispute_id"]) == ("ticket.reopened", "arb-1", dispute.id)


def test_a_dismissed_dispute_leaves_the_ticket_as_it_is(rig):
    ticket_id = rejected(rig)
    dispute = rig.disputes.raise_dispute("acme", ticket_id, CUSTOMER, text="wrong")
    rig.disputes.take_up("acme", dispute.id, ARBITRATOR)
    decided = rig.disputes.decide("acme", dispute.id, ARBITRATOR, outcome=Outcome.DISMISSED, reason="used item")
    assert decided.decision.remedy == Remedy.NONE
    assert rig.tickets.get("acme", ticket_id, SUPERVISOR).status == Status.REJECTED


def test_evidence_asked_for_comes_back_and_moves_the_dispute_on(rig):
    ticket_id = rejected(rig)
    dispute = rig.disputes.raise_dispute("acme", ticket_id, CUSTOMER, text="wrong")
    rig.disputes.take_up("acme", dispute.id, ARBITRATOR)
    waiting = rig.disputes.request_evidence("acme", dispute.id, ARBITRATOR, reason="a photo of the base, please")
    assert (waiting.status, waiting.due_at) == (DisputeStatus.AWAITING_EVIDENCE, NOW + timedelta(days=7))
    rig.media.ready.add(("cust-1", "med-2"))
    with pytest.raises(Forbidden):
        rig.disputes.add_evidence("acme", dispute.id, ARBITRATOR, text="I add it myself", media_ids=[])
    back = rig.disputes.add_evidence("acme", dispute.id, CUSTOMER, text=None, media_ids=["med-2"])
    assert back.status == DisputeStatus.UNDER_REVIEW and back.evidence[-1].media_ids == ["med-2"]
    assert [e.event for e in back.entries] == ["dispute.raised", "dispute.review_started",
                                               "dispute.evidence_requested", "dispute.evidence_provided"]


def test_one_appeal_decided_by_another_arbitrator(rig):
    ticket_id = rejected(rig)
    dispute = rig.disputes.raise_dispute("acme", ticket_id, CUSTOMER, text="wrong")
    rig.disputes.take_up("acme", dispute.id, ARBITRATOR)
    rig.disputes.decide("acme", dispute.id, ARBITRATOR, outcome=Outcome.DISMISSED, reason="used item")
    appealed = rig.disputes.appeal("acme", dispute.id, CUSTOMER, text="it was new, here is the box")
    assert appealed.status == DisputeStatus.APPEALED and appealed.assignee_id is None
    with pytest.raises(Forbidden) as error:
        rig.disputes.take_up("acme", dispute.id, ARBITRATOR)
    assert error.value.message_id == "disputes.appeal_needs_another_arbitrator"
    rig.disputes.take_up("acme", dispute.id, SECOND)
    second = rig.disputes.decide("acme", dispute.id, SECOND, outcome=Outcome.UPHELD, reason="box unopened")
    assert second.decision.on_appeal and len(second.decisions) == 2
    assert rig.tickets.get("acme", ticket_id, SUPERVISOR).status == Status.PENDING_APPROVAL
    with pytest.raises(Conflict) as error:
        rig.disputes.appeal("acme", dispute.id, CUSTOMER, text="once more")
    assert error.value.message_id == "disputes.appeal_used"
    closed = rig.disputes.close("acme", dispute.id, CUSTOMER, reason="accepted")
    assert closed.status == DisputeStatus.CLOSED and closed.due_at is None
    assert verify_chain(closed.entries).valid and closed.entries[-1].seq == closed.version


def test_an_appeal_after_the_window_is_refused(rig):
    ticket_id = rejected(rig)
    dispute = rig.disputes.raise_dispute("acme", ticket_id, CUSTOMER, text="wrong")
    rig.disputes.take_up("acme", dispute.id, ARBITRATOR)
    rig.disputes.decide("acme", dispute.id, ARBITRATOR, outcome=Outcome.DISMISSED, reason="used")
    rig.clock.advance(days=15)
    with pytest.raises(Conflict):
        rig.disputes.appeal("acme", dispute.id, CUSTOMER, text="late")


def test_a_customer_cannot_decide_and_an_illegal_move_names_the_allowed_ones(rig):
    ticket_id = rejected(rig)
    dispute = rig.disputes.raise_dispute("acme", ticket_id, CUSTOMER, text="wrong")
    with pytest.raises(Forbidden):  # only a platform decides a case nobody took up
        rig.disputes.decide("acme", dispute.id, ARBITRATOR, outcome=Outcome.UPHELD, reason="x")
    with pytest.raises(IllegalTransition) as error:
        rig.disputes.appeal("acme", dispute.id, CUSTOMER, text="before any decision")
    assert {a["to"] for a in error.value.details["allowed"]} == {"under_review", "closed", "decided"}
    rig.disputes.take_up("acme", dispute.id, ARBITRATOR)
    with pytest.raises(Forbidden):
        rig.disputes.decide("acme", dispute.id, CUSTOMER, outcome=Outcome.UPHELD, reason="I win")


def test_a_repair_outcome_is_disputed_and_upheld_as_a_note_for_staff(rig):
    ticket_id = rig.ticket(TicketType.REPAIR, "pending_approval", "approved", "repair_dispatched",
                           "repair_in_progress", "repaired")
    repairer = rig.tickets.audit("acme", ticket_id, SUPERVISOR)[-1].actor_id
    dispute = rig.disputes.raise_dispute("acme", ticket_id, CUSTOMER, text="还是坏的")
    assert dispute.subject == Subject.REPAIR_OUTCOME and repairer in dispute.ticket_deciders
    rig.disputes.take_up("acme", dispute.id, ARBITRATOR)
    decided = rig.disputes.decide("acme", dispute.id, ARBITRATOR, outcome=Outcome.UPHELD, reason="still broken")
    assert decided.decision.remedy == Remedy.NOTED_FOR_STAFF
    note = rig.tickets.audit("acme", ticket_id, SUPERVISOR)[-1]
    assert (note.event, note.data["dispute_id"], note.data["decided_by"]) == ("ticket.dispute_upheld", dispute.id,
                                                                               "arb-1")


def test_the_queue_lists_a_status_soonest_due_first(rig):
    first = rig.disputes.raise_dispute("acme", rejected(rig), CUSTOMER, text="one")
    rig.clock.advance(hours=1)
    rig.tickets.upsert_order("acme", order(order_id="O-2"))
    second_ticket = rig.tickets.open("acme", OpenTicket(type=TicketType.REFUND_ONLY, order_id="O-2",
                                                        channel=Channel.APP, reason_code="quality",
                                                        lines=[{"line_id": "L1", "quantity": 1}]), CUSTOMER)
    walk(rig.tickets, "acme", second_ticket.id, "pending_approval", "rejected")
    second = rig.disputes.raise_dispute("acme", second_ticket.id, CUSTOMER, text="two")
    page = rig.disputes.queue("acme", DisputeStatus.RAISED, limit=1, cursor=None)
    assert [d.id for d in page.items] == [first.id] and page.cursor
    page = rig.disputes.queue("acme", DisputeStatus.RAISED, limit=1, cursor=page.cursor)
    assert [d.id for d in page.items] == [second.id] and page.cursor is None


def _case(status: str = "needs_response", **changes) -> PlatformCase:
    return PlatformCase(provider="stripe", case_id="dp_1", charge_id="ch_1", payment_intent_id="pi_1",
                        amount=Money(amount=9500, currency="CNY"), reason="product_not_received", status=status,
                        evidence_due_by=NOW + timedelta(days=10), **changes)


def test_a_stripe_case_joins_the_ticket_and_the_platform_decides_it(rig):
    ticket_id = rig.ticket(TicketType.COMPLAINT)
    opened = rig.disputes.platform_case("acme", ticket_id, _case(), event_id="evt_1")
    assert (opened.subject, opened.source.value, opened.due_at) == (Subject.CHARGEBACK, "stripe",
                                                                    NOW + timedelta(days=10))
    assert rig.disputes.platform_case("acme", ticket_id, _case(), event_id="evt_1").version == opened.version
    withdrawn = FundsMovement(kind="withdrawn", amount=Money(amount=9500, currency="CNY"),
                              fee=Money(amount=1500, currency="CNY"), provider_id="txn_1", at=NOW)
    updated = rig.disputes.platform_case("acme", ticket_id, _case(funds=[withdrawn]), event_id="evt_2")
    assert updated.platform.funds == [withdrawn] and updated.status == DisputeStatus.RAISED
    rig.disputes.take_up("acme", opened.id, ARBITRATOR)
    with pytest.raises(Forbidden):
        rig.disputes.decide("acme", opened.id, ARBITRATOR, outcome=Outcome.UPHELD, reason="the bank decides")
    won = rig.disputes.platform_case("acme", ticket_id, _case("won"), event_id="evt_3")
    assert won.status == DisputeStatus.DECIDED and won.decision.outcome == Outcome.DISMISSED
    assert won.decision.remedy == Remedy.NONE and verify_chain(won.entries).valid
    with pytest.raises(Forbidden):
        rig.disputes.appeal("acme", opened.id, CUSTOMER, text="appeal a bank decision")
