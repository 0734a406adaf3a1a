"""TrackingService on the in-memory ParcelStore and integration settings, the real TicketService on
the in-memory ticket store, a recording ticket opener and a RecordingPublisher: carrier events are
stored once, parked until the parcel is registered, and then acted on (a return parcel moves its
ticket; a lost outbound parcel opens a claim)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.core.clock import FixedClock
from aftersales.core.errors import ConcurrentModification
from aftersales.logistics.events import Provider, SubStatus, TrackingEvent, TrackingStatus
from aftersales.logistics.ports import Registration
from aftersales.logistics.service import TrackingService
from aftersales.orders.domain import Order
from aftersales.tickets.domain import LineRequest, OpenTicket
from aftersales.tickets.model import Reception, Status
from aftersales.tickets.service import TicketService
from tests.support.channels_fakes import FakeIntegrationSettings
from tests.support.fakes.logistics import InMemoryParcelStore
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.ticket_factories import STOREFRONT
from tests.support.tickets import order_payload, walk

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NUMBER = "1Z999AA10123456784"


class RecordingOpener:
    """The TicketOpener port (channels' open_or_join): the tickets asked for, one per external id."""

    def __init__(self) -> None:
        self.opened: dict[str, dict[str, Any]] = {}

    def __len__(self) -> int:
        return len(self.opened)

    def __contains__(self, external_id: object) -> bool:
        return external_id in self.opened

    def open_or_join(self, tenant_id: str, *, external_id: str | None, **fields: Any) -> tuple[str, bool]:
        created = external_id not in self.opened
        self.opened.setdefault(str(external_id), {"tenant_id": tenant_id, **fields})
        return f"tkt_claim_{len(self.opened)}", created


class Rig:
    def __init__(self) -> None:
        self.clock = FixedClock(NOW)
        self.ticket_store = InMemoryTicketStore()
        self.parcels = InMemoryParcelStore()
        self.opener = RecordingOpener()
        self.events = RecordingPublisher()
        self.tickets = TicketService(self.ticket_store, self.clock)
        self.tracking = TrackingService(self.parcels, FakeIntegrationSettings(), self.tickets, self.opener,
                                        self.events, self.clock)
        self.tickets.upsert_order("acme", Order.model_validate(order_payload(quantity=2)))

    def awaiting_return(self) -> str:
        ticket = self.tickets.open("acme", OpenTicket(type="return_refund", order_id="O-1", channel="app",
                                                      reason_code="damaged",
                                                      lines=[LineRequest(line_id="L1", quantity=1)]), STOREFRONT)
        walk(self.tickets, "acme", ticket.id, "pending_approval", "approved", "awaiting_return")
        return ticket.id

    def register_return(self, ticket_id: str):
        return self.tracking.register("acme", NUMBER, Registration(direction="return", order_id="O-1",
                                                                   ticket_id=ticket_id, registered_at=NOW))


def scan(event_id: str, status: TrackingStatus, sub_status: SubStatus = SubStatus.NONE,
         hours: float = 1) -> TrackingEvent:
    return TrackingEvent(provider=Provider.AFTERSHIP, provider_event_id=event_id, tracking_number=NUMBER,
                         status=status, sub_status=sub_status, occurred_at=NOW + timedelta(hours=hours))


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_a_scan_before_registration_is_parked_then_acted_on_once(rig):
    """GIVEN a return parcel's in-transit scan arriving before the parcel is registered WHEN it is
    applied THEN it is stored and parked; WHEN the parcel is registered for the ticket THEN the ticket
    moves to return_in_transit and the stored event is marked acted."""
    ticket_id = rig.awaiting_return()

    outcome = rig.tracking.apply("acme", scan("evt-1", TrackingStatus.IN_TRANSIT))
    assert outcome.result == "parked" and ("acme", NUMBER) in rig.parcels
    assert rig.ticket_store.get_ticket("acme", ticket_id).status is Status.AWAITING_RETURN

    _parcel, actions = rig.register_return(ticket_id)

    assert actions == [f"ticket {ticket_id} -> return_in_transit"]
    assert rig.ticket_store.get_ticket("acme", ticket_id).status is Status.RETURN_IN_TRANSIT
    assert all(e.acted for e in rig.parcels.events("acme", NUMBER))


def test_a_delivered_return_is_received_with_its_lines(rig):
    """GIVEN a registered return parcel WHEN the carrier reports it delivered THEN the ticket passes
    through return_in_transit to return_received and its lines are received."""
    ticket_id = rig.awaiting_return()
    rig.register_return(ticket_id)

    outcome = rig.tracking.apply("acme", scan("evt-9", TrackingStatus.DELIVERED, hours=30))

    ticket = rig.ticket_store.get_ticket("acme", ticket_id)
    assert outcome.result == "accepted" and len(outcome.actions) == 2
    assert ticket.status is Status.RETURN_RECEIVED
    assert [ln.reception for ln in ticket.lines] == [Reception.RECEIVED]


def test_a_redelivered_event_is_a_duplicate_and_moves_nothing(rig):
    """GIVEN an applied in-transit scan WHEN the same event id arrives again THEN it is a duplicate,
    the parcel's version and the ticket's chain do not change."""
    ticket_id = rig.awaiting_return()
    rig.register_return(ticket_id)
    rig.tracking.apply("acme", scan("evt-1", TrackingStatus.IN_TRANSIT))
    version = rig.parcels.get("acme", NUMBER).version
    entries = len(rig.ticket_store.audit_entries("acme", ticket_id))

    outcome = rig.tracking.apply("acme", scan("evt-1", TrackingStatus.IN_TRANSIT))

    assert (outcome.result, outcome.actions) == ("duplicate", [])
    assert rig.parcels.get("acme", NUMBER).version == version
    assert len(rig.ticket_store.audit_entries("acme", ticket_id)) == entries


def test_a_lost_outbound_parcel_opens_one_claim(rig):
    """GIVEN a registered outbound parcel WHEN the carrier reports it lost (twice, under two event
    ids) THEN a claim is asked for once per parcel and reason, and parcel.exception is published."""
    rig.tracking.register("acme", NUMBER, Registration(direction="outbound", order_id="O-1", registered_at=NOW))

    first = rig.tracking.apply("acme", scan("evt-1", TrackingStatus.EXCEPTION, SubStatus.LOST))
    second = rig.tracking.apply("acme", scan("evt-2", TrackingStatus.EXCEPTION, SubStatus.LOST, hours=2))

    assert first.actions[0].startswith("opened") and second.actions[0].startswith("joined")
    assert f"{NUMBER}:parcel_lost" in rig.opener and len(rig.opener) == 1
    assert [t for t, _ in rig.events.events] == ["parcel.exception", "parcel.exception"]


def test_the_store_refuses_a_stale_parcel_version(rig):
    """GIVEN a stored parcel WHEN a change is saved from a copy read before the last write THEN
    ConcurrentModification, and the stored state is the later one."""
    rig.tracking.register("acme", NUMBER, Registration(direction="outbound", order_id="O-1", registered_at=NOW))
    stale = rig.parcels.get("acme", NUMBER)
    rig.tracking.apply("acme", scan("evt-1", TrackingStatus.IN_TRANSIT))

    with pytest.raises(ConcurrentModification):
        rig.parcels.save(stale.model_copy(update={"alerted_at": NOW}))
    assert rig.parcels.get("acme", NUMBER).alerted_at is None
