"""TicketService on the in-memory TicketStore: opening reserves the order's quantities atomically,
changes are optimistic on the ticket's version, lists page newest first, the audit chain verifies."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from aftersales.core.clock import FixedClock
from aftersales.core.errors import ConcurrentModification, InvalidRequest, NotFound, PreconditionFailed
from aftersales.orders.domain import Order
from aftersales.tickets import domain
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import LineRequest, OpenTicket
from aftersales.tickets.model import Role, Status
from aftersales.tickets.ports import TimelineEntry
from aftersales.tickets.service import TicketService
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.ticket_factories import AGENT, CUSTOMER, STOREFRONT, SUPERVISOR, SYSTEM, actor
from tests.support.tickets import order_payload

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def store() -> InMemoryTicketStore:
    return InMemoryTicketStore()


@pytest.fixture
def tickets(store) -> TicketService:
    numbers = itertools.count(1)
    service = TicketService(store, FixedClock(NOW), id_factory=lambda: f"tkt_{next(numbers):04d}")
    service.upsert_order("acme", Order.model_validate(order_payload(quantity=3)))
    return service


def request(quantity: int = 1, **fields) -> OpenTicket:
    return OpenTicket(**{"type": "return_refund", "order_id": "O-1", "channel": "app", "reason_code": "damaged",
                         "lines": [LineRequest(line_id="L1", quantity=quantity)], **fields})


class RacingStore(InMemoryTicketStore):
    """Another writer moves the ticket on between the service's read and its first write."""

    def __init__(self, tickets: TicketService | None = None) -> None:
        super().__init__()
        self.rival: TicketService | None = tickets
        self.raced = False

    def save_change(self, change, expected_version, release=None, lines=None):
        if self.rival is not None and not self.raced:
            self.raced = True
            self.rival.assign("acme", change.ticket.id, "agent-9", SUPERVISOR, reason="rival")
        super().save_change(change, expected_version, release, lines)


def test_open_reserves_the_quantities_and_writes_the_first_audit_entry(tickets, store):
    """GIVEN an order of 3 mugs WHEN a ticket for 2 is opened THEN the order reserves 2, knows the
    ticket, and the ticket's chain starts with ticket.created."""
    ticket = tickets.open("acme", request(2), STOREFRONT)

    assert ticket.id in store and len(store) == 1
    stored = store.get_order("acme", "O-1")
    assert stored.reserved == {"L1": 2}
    assert stored.ticket_ids == {ticket.id}
    assert [e.event for e in store.audit_entries("acme", ticket.id)] == ["ticket.created"]


def test_a_second_ticket_cannot_claim_more_than_is_left(tickets, store):
    """GIVEN 2 of 3 mugs already on a ticket WHEN another ticket asks for 2 THEN it is refused and
    nothing more is reserved."""
    tickets.open("acme", request(2), STOREFRONT)

    with pytest.raises(InvalidRequest):
        tickets.open("acme", request(2), STOREFRONT)
    assert store.get_order("acme", "O-1").reserved == {"L1": 2}
    assert len(store) == 1


def test_cancelling_releases_the_reservation(tickets, store):
    """GIVEN a ticket holding 2 mugs WHEN the customer cancels it THEN the 2 are free again."""
    ticket = tickets.open("acme", request(2), STOREFRONT)

    cancelled = tickets.transition("acme", ticket.id, Status.CANCELLED, CUSTOMER, reason="changed mind")

    assert cancelled.status is Status.CANCELLED
    assert store.get_order("acme", "O-1").reserved == {"L1": 0}
    assert tickets.open("acme", request(3), STOREFRONT).id in store


def test_an_unknown_order_is_a_field_error(tickets):
    """GIVEN no order O-404 WHEN a ticket names it THEN InvalidRequest on order_id, nothing stored."""
    with pytest.raises(InvalidRequest) as caught:
        tickets.open("acme", request(order_id="O-404"), STOREFRONT)
    assert caught.value.details["field"] == "order_id"


def test_a_stale_expected_version_is_a_precondition_failure(tickets, store):
    """GIVEN a ticket at version 1 that an agent assigned (version 2) WHEN a supervisor acts with
    expected_version 1 THEN PreconditionFailed and the chain keeps two entries."""
    ticket = tickets.open("acme", request(), STOREFRONT)
    tickets.assign("acme", ticket.id, "agent-1", SUPERVISOR, expected_version=ticket.version)

    with pytest.raises(PreconditionFailed):
        tickets.assign("acme", ticket.id, "agent-2", SUPERVISOR, expected_version=ticket.version)
    assert len(store.audit_entries("acme", ticket.id)) == 2
    assert store.get_ticket("acme", ticket.id).assignee_id == "agent-1"


def test_the_store_refuses_a_change_on_a_version_that_moved():
    """GIVEN the stored ticket at version 2 WHEN a change is saved expecting version 1 THEN the store
    raises ConcurrentModification (the adapter's conditional write)."""
    store = InMemoryTicketStore()
    service = TicketService(store, FixedClock(NOW), id_factory=lambda: "tkt_1")
    service.upsert_order("acme", Order.model_validate(order_payload()))
    ticket = service.open("acme", request(), STOREFRONT)

    first = domain.assign(ticket, "agent-1", actor=SUPERVISOR, at=NOW, reason=None)
    store.save_change(first, ticket.version)

    with pytest.raises(ConcurrentModification):
        store.save_change(domain.assign(ticket, "agent-2", actor=SUPERVISOR, at=NOW, reason=None), ticket.version)
    assert store.get_ticket("acme", ticket.id).assignee_id == "agent-1"


def test_a_lost_race_is_retried_on_the_fresh_ticket():
    """GIVEN another writer assigns the ticket between the service's read and write WHEN an agent
    assignment is made THEN the service re-reads and lands on top: both changes are in the chain."""
    store = RacingStore()
    service = TicketService(store, FixedClock(NOW), id_factory=lambda: "tkt_1")
    service.upsert_order("acme", Order.model_validate(order_payload()))
    ticket = service.open("acme", request(), STOREFRONT)
    store.rival = service

    result = service.assign("acme", ticket.id, "agent-1", SUPERVISOR, reason="mine")

    assert result.assignee_id == "agent-1"
    assert [e.reason for e in store.audit_entries("acme", ticket.id)][1:] == ["rival", "mine"]
    assert service.verify("acme", ticket.id, SUPERVISOR).valid


def test_batch_reports_each_item(tickets):
    """GIVEN one open ticket and one unknown id WHEN both are assigned in a batch THEN the first is
    ok at version 2 and the second fails with NotFound, without stopping the batch."""
    ticket = tickets.open("acme", request(), STOREFRONT)

    results = tickets.batch("acme", [ticket.id, "tkt_missing"], SUPERVISOR,
                            lambda tid: tickets.assign("acme", tid, "agent-1", SUPERVISOR))

    assert [(r.ticket_id, r.ok, r.version) for r in results] == [(ticket.id, True, 2), ("tkt_missing", False, None)]
    assert isinstance(results[1].error, NotFound)


def test_the_audit_chain_verifies_and_a_tampered_entry_does_not(tickets, store):
    """GIVEN a ticket with three audit entries WHEN its chain is verified THEN it is valid; WHEN one
    stored entry's reason is rewritten THEN verification fails."""
    ticket = tickets.open("acme", request(), STOREFRONT)
    tickets.assign("acme", ticket.id, "agent-1", SUPERVISOR, reason="first")
    tickets.note("acme", ticket.id, "sla.reminder", SYSTEM, reason="due soon")
    assert tickets.verify("acme", ticket.id, SUPERVISOR).valid

    key = ("acme", ticket.id)
    entries = store.audit[key]
    entries[1] = AuditEntry.model_validate({**entries[1].model_dump(mode="json"), "reason": "rewritten"})

    result = tickets.verify("acme", ticket.id, SUPERVISOR)
    assert not result.valid


def test_a_customer_sees_only_their_tickets(tickets):
    """GIVEN a ticket of cust-1 WHEN another customer asks for it THEN NotFound (existence hidden);
    their list is empty while cust-1's holds it."""
    ticket = tickets.open("acme", request(), STOREFRONT)
    stranger = actor(Role.CUSTOMER, id="cust-2", customer_id="cust-2")

    with pytest.raises(NotFound):
        tickets.get("acme", ticket.id, stranger)
    assert tickets.list("acme", stranger).items == []
    assert [t.id for t in tickets.list("acme", CUSTOMER).items] == [ticket.id]


def test_lists_page_newest_first_with_a_cursor(tickets):
    """GIVEN three tickets WHEN listed two at a time THEN the pages are newest first, the second page
    ends the list, and no ticket appears twice."""
    ids = [tickets.open("acme", request(), STOREFRONT).id for _ in range(3)]

    first = tickets.list("acme", AGENT, limit=2)
    second = tickets.list("acme", AGENT, limit=2, cursor=first.cursor)

    assert [t.id for t in first.items] == ids[::-1][:2]
    assert [t.id for t in second.items] == ids[:1]
    assert second.cursor is None
    assert all(t.lines == [] for t in first.items)  # headers only, as the indexes return them


def test_a_malformed_cursor_is_a_field_error(tickets):
    """GIVEN a cursor that is not one of ours WHEN listing THEN InvalidRequest on `cursor`."""
    with pytest.raises(InvalidRequest) as caught:
        tickets.list("acme", AGENT, cursor="%%%")
    assert caught.value.details["field"] == "cursor"


def test_the_timeline_is_ordered_by_seq_and_a_redelivery_overwrites(tickets):
    """GIVEN timeline entries projected out of order and one delivered twice WHEN read THEN they are
    in seq order, once each."""
    ticket = tickets.open("acme", request(), STOREFRONT)
    for seq in (2, 1, 2):
        tickets.project_timeline("acme", ticket.id, TimelineEntry(seq=seq, event=f"e{seq}", at="t", status="s"))

    assert [e.seq for e in tickets.timeline("acme", ticket.id, SUPERVISOR)] == [1, 2]
