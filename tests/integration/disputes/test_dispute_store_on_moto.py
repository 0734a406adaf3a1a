"""The disputes DynamoDB store under moto, over the table template.yaml declares: a create writes
the dispute, its ticket link and its claim together or nothing (one customer dispute per ticket,
one record per platform case); saves are conditional on the version read; the queue is one index
query per page, soonest due first, with cursors that work only for their own queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aftersales.core.clock import FixedClock
from aftersales.core.errors import ConcurrentModification, Conflict, InvalidRequest
from aftersales.core.money import Money
from aftersales.disputes.model import Dispute, DisputeStatus, PlatformCase, Source, Subject
from aftersales.tickets.domain import OpenTicket
from aftersales.tickets.model import Channel, TicketType
from tests.support.ticket_factories import CUSTOMER, SUPERVISOR, order
from tests.support.tickets import walk

NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)


@pytest.fixture
def rig(aws):
    from aftersales import wiring
    from aftersales.adapters.eventbridge import RecordingPublisher
    from aftersales.wiring import Container

    container = Container(clock=FixedClock(NOW), events=RecordingPublisher())
    wiring.override(container)
    container.tenants.create_tenant("acme", "Acme")
    container.tickets.upsert_order("acme", order())
    yield container
    wiring.override(None)


def _rejected(container, order_id: str = "O-1") -> str:
    ticket = container.tickets.open("acme", OpenTicket(type=TicketType.REFUND_ONLY, order_id=order_id,
                                                       channel=Channel.APP, reason_code="quality",
                                                       lines=[{"line_id": "L1", "quantity": 1}]), CUSTOMER)
    walk(container.tickets, "acme", ticket.id, "pending_approval", "rejected", actor=SUPERVISOR)
    return ticket.id


def _like(dispute: Dispute, dispute_id: str, **update) -> Dispute:
    return dispute.model_copy(update={"id": dispute_id, **update})


def test_a_raised_dispute_is_read_back_by_id_and_by_ticket(rig):
    ticket_id = _rejected(rig)
    dispute = rig.disputes.raise_dispute("acme", ticket_id, CUSTOMER, text="杯子有裂缝")
    store = rig.dispute_store

    assert store.get("acme", dispute.id) == dispute
    assert store.get("other", dispute.id) is None  # keys start with the tenant
    assert [d.id for d in store.for_ticket("acme", ticket_id)] == [dispute.id]
    assert store.for_ticket("other", ticket_id) == []
    assert store.get("acme", dispute.id).text == "杯子有裂缝"


def test_one_customer_dispute_per_ticket_and_nothing_written_on_a_clash(rig):
    ticket_id = _rejected(rig)
    first = rig.disputes.raise_dispute("acme", ticket_id, CUSTOMER, text="wrong")
    store = rig.dispute_store

    with pytest.raises(Conflict) as error:
        store.create(_like(first, "dsp_second"))
    assert error.value.message_id == "disputes.already_raised"
    assert error.value.details["dispute_id"] == first.id
    assert store.get("acme", "dsp_second") is None  # the transaction wrote nothing
    assert [d.id for d in store.for_ticket("acme", ticket_id)] == [first.id]
    with pytest.raises(ConcurrentModification):  # the same id twice
        store.create(first)


def test_a_platform_case_is_joined_once_and_found_by_its_case_id(rig):
    ticket_id = _rejected(rig)
    customer = rig.disputes.raise_dispute("acme", ticket_id, CUSTOMER, text="wrong")
    case = PlatformCase(provider="stripe", case_id="dp_1", amount=Money(amount=4200, currency="CNY"),
                        status="needs_response", evidence_due_by=NOW + timedelta(days=5))
    chargeback = _like(customer, "dsp_case", source=Source.STRIPE, subject=Subject.CHARGEBACK, platform=case)
    store = rig.dispute_store

    store.create(chargeback)  # the ticket's customer dispute does not stop a platform's case
    assert store.for_platform_case("acme", "stripe", "dp_1").id == "dsp_case"
    assert store.for_platform_case("acme", "stripe", "dp_2") is None
    assert store.for_platform_case("other", "stripe", "dp_1") is None
    with pytest.raises(ConcurrentModification):  # another delivery joined the case first: read it again
        store.create(_like(chargeback, "dsp_case_again"))
    assert store.get("acme", "dsp_case_again") is None
    assert [d.id for d in store.for_ticket("acme", ticket_id)] == sorted([customer.id, "dsp_case"])


def test_a_save_is_conditional_on_the_version_read(rig):
    ticket_id = _rejected(rig)
    raised = rig.disputes.raise_dispute("acme", ticket_id, CUSTOMER, text="wrong")
    store = rig.dispute_store
    moved = raised.model_copy(update={"version": 2, "status": DisputeStatus.UNDER_REVIEW, "assignee_id": "arb-1"})

    store.save(moved, 1)
    assert store.get("acme", raised.id).status == DisputeStatus.UNDER_REVIEW
    with pytest.raises(ConcurrentModification):
        store.save(moved.model_copy(update={"version": 3, "assignee_id": "arb-9"}), 1)
    assert store.get("acme", raised.id).assignee_id == "arb-1"


def test_the_queue_lists_a_status_soonest_due_first_in_pages(rig):
    ticket_id = _rejected(rig)
    base = rig.disputes.raise_dispute("acme", ticket_id, CUSTOMER, text="wrong")
    store = rig.dispute_store
    for n, hours in enumerate((30, 5, 17, 2)):
        store.create(_like(base, f"dsp_q{n}", source=Source.STRIPE, due_at=NOW + timedelta(hours=hours),
                           platform=PlatformCase(provider="stripe", case_id=f"dp_q{n}", status="needs_response",
                                                 amount=Money(amount=100, currency="CNY"))))
    store.save(base.model_copy(update={"version": 2, "status": DisputeStatus.UNDER_REVIEW}), 1)

    first = store.queue("acme", DisputeStatus.RAISED, limit=3, cursor=None)
    assert [d.id for d in first.items] == ["dsp_q3", "dsp_q1", "dsp_q2"]
    assert first.cursor is not None
    rest = store.queue("acme", DisputeStatus.RAISED, limit=3, cursor=first.cursor)
    assert [d.id for d in rest.items] == ["dsp_q0"]
    assert [d.id for d in store.queue("acme", DisputeStatus.UNDER_REVIEW, limit=10, cursor=None).items] == [base.id]
    assert store.queue("other", DisputeStatus.RAISED, limit=10, cursor=None).items == []
    with pytest.raises(InvalidRequest):  # a cursor of another queue (or tenant) is no position here
        store.queue("other", DisputeStatus.RAISED, limit=3, cursor=first.cursor)
    with pytest.raises(InvalidRequest):
        store.queue("acme", DisputeStatus.RAISED, limit=3, cursor="not-a-cursor")


def test_a_closed_dispute_leaves_the_open_queues(rig):
    ticket_id = _rejected(rig)
    raised = rig.disputes.raise_dispute("acme", ticket_id, CUSTOMER, text="wrong")
    closed = rig.disputes.close("acme", raised.id, CUSTOMER, reason="sorted out with the shop")

    assert closed.due_at is None
    assert rig.dispute_store.queue("acme", DisputeStatus.RAISED, limit=10, cursor=None).items == []
    assert [d.id for d in rig.dispute_store.queue("acme", DisputeStatus.CLOSED, limit=10, cursor=None).items] == [
        raised.id]


def test_the_sweeper_function_closes_and_escalates_from_the_due_index(aws, monkeypatch):
    """GIVEN a dispute decided 14 days ago and one raised a day ago, on the template's table
    WHEN the DisputeSweeperFunction runs with only its template environment
    THEN the first is closed by the system, the second escalated once (dispute.overdue)."""
    from aftersales import wiring
    from aftersales.adapters.eventbridge import RecordingPublisher
    from aftersales.disputes.model import Outcome
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role
    from aftersales.wiring import Container
    from tests.support.lambdas import FakeContext, load_handler

    function = aws.functions["DisputeSweeperFunction"]
    assert function.environment["DISPUTES_TABLE"] == aws.functions["ApiFunction"].environment["DISPUTES_TABLE"]
    clock, events = FixedClock(NOW), RecordingPublisher()
    setup = Container(clock=clock, events=events)
    wiring.override(setup)
    setup.tenants.create_tenant("acme", "Acme")
    setup.tickets.upsert_order("acme", order())
    arbitrator = Actor(id="arb-1", roles=frozenset({Role.ARBITRATOR}))
    decided = setup.disputes.raise_dispute("acme", _rejected(setup), CUSTOMER, text="wrong")
    setup.disputes.take_up("acme", decided.id, arbitrator)
    setup.disputes.decide("acme", decided.id, arbitrator, outcome=Outcome.DISMISSED, reason="used")
    clock.advance(days=13, hours=1)
    setup.tickets.upsert_order("acme", order(order_id="O-2"))
    raised = setup.disputes.raise_dispute("acme", _rejected(setup, "O-2"), CUSTOMER, text="also wrong")
    setup.dispute_due_index.set_last_swept(clock.now())
    clock.advance(days=1, minutes=1)

    for key in list(aws.functions["ApiFunction"].environment):
        monkeypatch.delenv(key, raising=False)
    for key, value in function.environment.items():
        monkeypatch.setenv(key, str(value))
    events.events.clear()
    wiring.override(Container(clock=clock, events=events))
    sweeper = load_handler("dispute_sweeper")
    report = sweeper.lambda_handler({}, FakeContext("dispute-sweeper"))

    assert (report["closed"], report["overdue"], report["failures"]) == (1, 1, 0)
    assert report["buckets"] == 24 * 12 + 1  # a 5-minute bucket each since the last run, not a scan
    store = wiring.services().dispute_store
    assert store.get("acme", decided.id).status == DisputeStatus.CLOSED
    assert store.get("acme", raised.id).status == DisputeStatus.RAISED
    assert [(kind, detail["dispute_id"]) for kind, detail in events.events] == [
        ("dispute.closed", decided.id), ("dispute.overdue", raised.id)]
    again = sweeper.lambda_handler({}, FakeContext("dispute-sweeper"))
    assert (again["closed"], again["overdue"], again["items_read"]) == (0, 0, 0)
