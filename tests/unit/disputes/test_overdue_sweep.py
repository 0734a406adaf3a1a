"""The overdue sweep on in-memory fakes and the real tickets service: it reads only the due
buckets since its last run; a decided dispute past the appeal window is closed by the system; an
open dispute past its state's SLA is escalated once (dispute.overdue, no text) and leaves the due
index until its next change; a dispute due later, or moved on, is left alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.core.clock import FixedClock, iso
from aftersales.disputes.model import DisputeStatus, Outcome
from aftersales.disputes.overdue import DisputeSweep
from aftersales.disputes.service import DisputeService
from aftersales.tickets.audit import verify_chain
from aftersales.tickets.domain import OpenTicket
from aftersales.tickets.model import Channel, Role, TicketType
from aftersales.tickets.service import TicketService
from tests.support.fakes.disputes import CheckedEvidence, InMemoryDisputeStore, InMemoryDueDisputes
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.ticket_factories import CUSTOMER, actor, order
from tests.support.tickets import walk

NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)
ARBITRATOR = actor(Role.ARBITRATOR, id="arb-1")


class Rig:
    def __init__(self) -> None:
        self.clock = FixedClock(NOW)
        self.tickets = TicketService(InMemoryTicketStore(), self.clock)
        self.store = InMemoryDisputeStore()
        self.due = InMemoryDueDisputes(self.store)
        self.events = RecordingPublisher()
        self.disputes = DisputeService(self.store, self.tickets, CheckedEvidence(), self.events, self.clock)
        self.sweep = DisputeSweep(self.store, self.due, self.disputes, self.events, self.clock)
        self.tickets.upsert_order("acme", order())

    def dispute(self) -> str:
        ticket = self.tickets.open("acme", OpenTicket(type=TicketType.REFUND_ONLY, order_id="O-1", channel=Channel.APP,
                                                      reason_code="quality",
                                                      lines=[{"line_id": "L1", "quantity": 1}]), CUSTOMER)
        walk(self.tickets, "acme", ticket.id, "pending_approval", "rejected")
        return self.disputes.raise_dispute("acme", ticket.id, CUSTOMER, text="wrong").id

    def overdue_events(self) -> list[dict]:
        return [detail for kind, detail in self.events.events if kind == "dispute.overdue"]


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_a_dispute_not_taken_up_within_a_day_is_escalated_once(rig):
    dispute_id = rig.dispute()
    assert rig.sweep.sweep().overdue == 0  # due in a day: nothing yet
    assert dispute_id in rig.due

    rig.clock.advance(hours=24, minutes=1)
    report = rig.sweep.sweep()

    assert (report.overdue, report.closed, report.failures) == (1, 0, 0)
    [event] = rig.overdue_events()
    assert (event["dispute_id"], event["status"], event["assignee_id"]) == (dispute_id, "raised", None)
    assert event["due_at"] == iso(NOW + timedelta(days=1))
    assert "text" not in event
    assert dispute_id not in rig.due  # settled until its next change
    rig.clock.advance(minutes=15)
    assert rig.sweep.sweep().overdue == 0 and len(rig.overdue_events()) == 1


def test_each_sweep_reads_only_the_buckets_since_the_last_one(rig):
    rig.dispute()
    rig.sweep.sweep()
    rig.due.buckets_read.clear()
    rig.clock.advance(minutes=15)
    report = rig.sweep.sweep()
    assert report.buckets == rig.due.buckets_read
    assert len(report.buckets) == 4  # the last run's 5-minute bucket through the current one
    assert report.items_read == 0  # the dispute due tomorrow is not read


def test_a_change_after_an_escalation_indexes_the_dispute_under_its_new_due_time(rig):
    dispute_id = rig.dispute()
    rig.clock.advance(days=1, minutes=1)
    rig.sweep.sweep()
    taken = rig.disputes.take_up("acme", dispute_id, ARBITRATOR)
    assert dispute_id in rig.due and taken.due_at == rig.clock.now() + timedelta(days=3)
    rig.clock.advance(days=3, minutes=1)
    assert rig.sweep.sweep().overdue == 1
    assert [e["status"] for e in rig.overdue_events()] == ["raised", "under_review"]
    assert rig.overdue_events()[-1]["assignee_id"] == "arb-1"


def test_a_decided_dispute_is_closed_when_the_appeal_window_is_over(rig):
    dispute_id = rig.dispute()
    rig.disputes.take_up("acme", dispute_id, ARBITRATOR)
    rig.disputes.decide("acme", dispute_id, ARBITRATOR, outcome=Outcome.DISMISSED, reason="used, not damaged")
    rig.clock.advance(days=13)
    assert rig.sweep.sweep().closed == 0
    rig.clock.advance(days=1, minutes=1)
    report = rig.sweep.sweep()

    closed = rig.store.get("acme", dispute_id)
    assert (report.closed, report.overdue) == (1, 0)
    assert closed.status == DisputeStatus.CLOSED and closed.due_at is None
    last = closed.entries[-1]
    assert (last.event, last.actor_id, last.reason) == ("dispute.closed", "system:dispute-sweep", "appeal_window_over")
    assert verify_chain(closed.entries).valid
    assert dispute_id not in rig.due


def test_an_appealed_dispute_is_not_closed_by_a_stale_index_entry(rig):
    dispute_id = rig.dispute()
    rig.disputes.take_up("acme", dispute_id, ARBITRATOR)
    rig.disputes.decide("acme", dispute_id, ARBITRATOR, outcome=Outcome.DISMISSED, reason="used")
    rig.sweep.sweep()
    rig.clock.advance(days=2)
    rig.disputes.appeal("acme", dispute_id, CUSTOMER, text="please look again")
    rig.clock.advance(days=1, minutes=1)  # the appeal has its own due time: a day to be taken up
    assert rig.sweep.sweep().overdue == 1
    rig.clock.advance(days=12)  # past the first decision's appeal window
    report = rig.sweep.sweep()
    assert report.closed == 0 and rig.store.get("acme", dispute_id).status == DisputeStatus.APPEALED
    assert [e["status"] for e in rig.overdue_events()] == ["appealed"]
