"""SlaService on the in-memory SlaStore, the real ticket and dispatch services on in-memory stores
and a RecordingPublisher: tracking indexes a ticket's deadline by its next stage, the sweep fires
each stage once (reminder, then breach and escalation), a closed ticket leaves the due index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.core.clock import FixedClock
from aftersales.dispatch.service import DispatchService
from aftersales.orders.domain import Order
from aftersales.sla.service import SlaService
from aftersales.tickets.domain import LineRequest, OpenTicket
from aftersales.tickets.model import Status
from aftersales.tickets.service import TicketService
from tests.support.fakes.analytics import FixedZones
from tests.support.fakes.dispatch import InMemoryDispatchStore
from tests.support.fakes.sla import InMemorySlaStore, RecordingPages
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.ticket_factories import CUSTOMER, STOREFRONT
from tests.support.tickets import order_payload

START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
POLICY = {"rules": [{"rule_id": "returns", "match": {"ticket_type": "return_refund"},
                     "targets": {"resolution": {"duration": "PT8H", "clock": "calendar", "reminders": [0.75],
                                                "escalations": [{"level": 1, "to_role": "supervisor"}]}}}]}


class RecordingApprover:
    """The TimeoutApprover port: the approvals it was asked for (this policy has no default action)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __len__(self) -> int:
        return len(self.calls)

    def approve_on_timeout(self, tenant_id: str, ticket_id: str, reason: str, data: dict[str, Any]) -> Any:
        self.calls.append((tenant_id, ticket_id))


class Rig:
    def __init__(self) -> None:
        self.clock = FixedClock(START)
        self.ticket_store = InMemoryTicketStore()
        self.store = InMemorySlaStore()
        self.events = RecordingPublisher()
        self.pages = RecordingPages()
        self.approver = RecordingApprover()
        self.tickets = TicketService(self.ticket_store, self.clock)
        dispatch = DispatchService(InMemoryDispatchStore(), self.tickets, self.clock)
        self.sla = SlaService(self.store, self.tickets, dispatch, self.events, self.clock, self.approver, self.pages,
                              zones=FixedZones())
        self.tickets.upsert_order("acme", Order.model_validate(order_payload(quantity=5)))
        self.sla.save_policy("acme", POLICY)

    def open(self) -> str:
        ticket = self.tickets.open("acme", OpenTicket(type="return_refund", order_id="O-1", channel="app",
                                                      reason_code="damaged",
                                                      lines=[LineRequest(line_id="L1", quantity=1)]), STOREFRONT)
        self.sla.track("acme", ticket.id)
        return ticket.id

    def audit_events(self, ticket_id: str) -> list[str]:
        return [e.event for e in self.ticket_store.audit_entries("acme", ticket_id)]

    def published(self) -> list[str]:
        return [detail_type for detail_type, _ in self.events.events]


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_tracking_indexes_the_deadline_under_its_next_stage(rig):
    """GIVEN a return opened at START under an 8-hour resolution target WHEN it is tracked THEN one
    deadline due at START+8h is stored, in the due index, and the ticket is among the open ones."""
    ticket_id = rig.open()

    (state,) = rig.sla.deadlines("acme", ticket_id, STOREFRONT)

    assert ("acme", ticket_id, state.deadline.key) in rig.store and len(rig.store) == 1
    assert state.deadline.due_at == START + timedelta(hours=8)
    assert ("acme", ticket_id, state.deadline.key) in rig.store.where
    assert rig.store.open_ticket_page("acme", None, 10) == ([ticket_id], None)


def test_the_reminder_fires_once_however_often_the_sweep_runs(rig):
    """GIVEN a tracked ticket WHEN the sweep runs at 75 % of its budget, and again (an overlapping
    run) THEN one reminder is noted on the ticket and one sla.reminder published."""
    ticket_id = rig.open()
    rig.clock.set(START + timedelta(hours=6, minutes=1))

    first = rig.sla.sweep()
    second = rig.sla.sweep()

    assert (first.actions_fired, second.actions_fired) == (1, 0)
    assert rig.audit_events(ticket_id).count("ticket.sla_reminder") == 1
    assert rig.published() == ["sla.reminder"]


def test_a_missed_deadline_is_breached_and_escalated(rig):
    """GIVEN a ticket whose reminder fired WHEN the sweep runs after its due time THEN the breach is
    noted and published, an escalation with nobody to take it is noted, and the breach is an
    outcome of the day for the figures."""
    ticket_id = rig.open()
    rig.clock.set(START + timedelta(hours=6, minutes=1))
    rig.sla.sweep()
    rig.clock.set(START + timedelta(hours=8, minutes=1))

    rig.sla.sweep()

    assert {"ticket.sla_breached", "ticket.sla_escalated"} <= set(rig.audit_events(ticket_id))
    assert rig.published()[:2] == ["sla.reminder", "sla.breached"]
    escalated = next(d for t, d in rig.events.events if t == "sla.escalated")
    assert (escalated["to_agent_id"], escalated["reason_code"]) == (None, "no_skilled_agent")
    (outcome,) = rig.store.outcomes_between("acme", START.date(), START.date())
    assert outcome.breached_at is not None
    assert len(rig.approver) == 0


def test_a_cancelled_ticket_leaves_the_due_index(rig):
    """GIVEN a tracked ticket WHEN it is cancelled and tracked again THEN it is neither indexed nor
    open, and a sweep past its due time fires nothing."""
    ticket_id = rig.open()
    rig.tickets.transition("acme", ticket_id, Status.CANCELLED, CUSTOMER, reason="sorted out")
    rig.sla.track("acme", ticket_id)
    rig.clock.set(START + timedelta(hours=9))

    report = rig.sla.sweep()

    assert report.actions_fired == 0 and rig.published() == []
    assert rig.store.where == {}
    assert rig.store.open_ticket_page("acme", None, 10) == ([], None)


def test_a_policy_change_asks_for_a_recompute_of_the_open_tickets(rig):
    """GIVEN a saved policy WHEN its item change arrives THEN the first page of open tickets is
    enqueued and sla.policy_changed published with the version."""
    assert rig.sla.policy_item_changed("acme", "POLICY")

    assert ("acme", None) in rig.pages
    assert rig.events.events == [("sla.policy_changed", {"tenant_id": "acme", "version": 1})]


def test_a_page_of_tickets_reads_its_clocks_in_one_batch(rig):
    """GIVEN two tracked tickets and one never tracked WHEN a queue page asks for their clocks
    THEN one store read answers with each tracked ticket's deadline as last recomputed (due at
    START+8h, reminder at 75 %), the untracked one is absent; more than 100 ids is refused at
    `ticket_ids`."""
    from aftersales.core.errors import InvalidRequest

    first, second = rig.open(), rig.open()
    reads = rig.store.reads
    clocks = rig.sla.clocks("acme", [first, second, "tkt_never_tracked"])
    assert rig.store.reads == reads + 1
    assert set(clocks) == {first, second}
    (resolution,) = clocks[first]
    assert resolution.deadline.metric == "resolution" and resolution.deadline.due_at == START + timedelta(hours=8)
    rig.tickets.transition("acme", first, Status.CANCELLED, STOREFRONT, reason="changed my mind")
    rig.sla.track("acme", first)
    assert not rig.sla.clocks("acme", [first])[first][0].deadline.is_open  # the clock stopped with the ticket
    with pytest.raises(InvalidRequest) as refused:
        rig.sla.clocks("acme", [f"t{n}" for n in range(101)])
    assert refused.value.details["field"] == "ticket_ids"
