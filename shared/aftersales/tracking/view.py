"""What the customer sees of their ticket (pure): the progress steps, what happens next and by
when, the parcels with their checkpoints, the refunds' state and the conversation.

Only what the customer already knows or is owed goes in: statuses and customer-visible events, due
times, tracking numbers and carrier checkpoints, refund amounts and their state. Never the audit
chain's actors, reasons or notes, staff-only events, provider ids or failure details, assignees,
risk, or anyone's contact data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aftersales.channels.ports import ConversationItem
from aftersales.core.money import Money
from aftersales.logistics.ports import Parcel, StoredEvent
from aftersales.refunds.grants import RefundAttempt, RefundGrant
from aftersales.sla.stages import DeadlineState
from aftersales.tickets import paths
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Ticket
from aftersales.tickets.model import Role, Status
from aftersales.tickets.ports import TimelineEntry
from aftersales.tickets.timeline import customer_visible
from aftersales.tracking.depot import Depot
from aftersales.tracking.visit import Visit

# the way a ticket of each type normally goes (detours such as waiting for the customer are shown
# only when the ticket takes them)
OFF_PATH = frozenset({Status.CANCELLED, Status.REJECTED, Status.WAITING_CUSTOMER})
GOAL = Status.CLOSED
SHOWN_DIRECTIONS = frozenset({"inbound", "outbound"})  # "system" items are the back office's
MAX_MESSAGES = 50


@dataclass(frozen=True)
class Step:
    status: str
    state: str  # done | current | ahead


@dataclass(frozen=True)
class Due:
    metric: str  # first_response | next_response | resolution | ...
    due_at: datetime


@dataclass(frozen=True)
class Point:
    at: datetime
    message: str
    place: str | None


@dataclass(frozen=True)
class ParcelView:
    tracking_number: str
    direction: str | None  # outbound | return | None (never registered)
    carrier: str | None
    status: str  # a logistics TrackingStatus value, or not_tracked
    checkpoints: tuple[Point, ...]


@dataclass(frozen=True)
class RefundView:
    amount: Money
    destination: str
    status: str  # granted | pending | requires_action | succeeded | failed | canceled | unknown


@dataclass(frozen=True)
class MessageView:
    at: str
    from_customer: bool
    body: str


@dataclass(frozen=True)
class TrackingView:
    ticket_id: str
    ticket_type: str
    status: str
    locale: str
    terminal: bool
    steps: tuple[Step, ...]
    next_status: str | None
    due: Due | None
    parcels: tuple[ParcelView, ...]
    refunds: tuple[RefundView, ...]
    messages: tuple[MessageView, ...]
    events: tuple[TimelineEntry, ...]
    photos: int = 0  # the customer's evidence photos and videos on the ticket
    takes_photos: bool = False  # the page may offer the photo form
    time_zone: str | None = None  # the customer's IANA zone for times on the page; None shows UTC
    visit: Visit | None = None  # a repair's technician visit: the window, the ETA, the progress
    depot: Depot | None = None  # a depot repair: the item's way to the repair centre and back
    shown_at: datetime | None = None  # when the page is rendered: promises also read "in 2 days"


def steps(ticket: Ticket, timeline: list[TimelineEntry]) -> tuple[Step, ...]:
    """The statuses the ticket has been through (its timeline), where it is, and the usual way on."""
    current = ticket.status
    done: dict[str, None] = {Status.SUBMITTED.value: None}
    for entry in sorted(timeline, key=lambda e: e.seq):
        done.setdefault(entry.status, None)
    done.pop(current.value, None)
    ahead: list[Status] = []
    if not ticket.is_terminal:
        ahead = paths.route(ticket.type, current, GOAL, Role.ADMIN, avoid=OFF_PATH) or []
    return (*(Step(s, "done") for s in done), Step(current.value, "current"),
            *(Step(s.value, "ahead") for s in ahead))


def next_due(states: list[DeadlineState]) -> Due | None:
    """The earliest open, running deadline (a paused clock promises nothing)."""
    running = [s.deadline for s in states
               if s.deadline.is_open and not s.deadline.paused and s.deadline.due_at is not None]
    if not running:
        return None
    first = min(running, key=lambda d: d.due_at or datetime.max)
    assert first.due_at is not None
    return Due(first.metric, first.due_at)


def tracking_numbers(entries: list[AuditEntry]) -> list[str]:
    """The parcels the ticket's audit chain names (its return, a reshipment), in order, once each."""
    numbers: dict[str, None] = {}
    for entry in entries:
        number = entry.data.get("tracking_number")
        if isinstance(number, str) and number:
            numbers.setdefault(number, None)
    return list(numbers)


def parcel_view(tracking_number: str, parcel: Parcel | None, events: list[StoredEvent]) -> ParcelView:
    seen: dict[tuple[str, str], Point] = {}
    registration = parcel.registration if parcel else None
    carrier = registration.carrier if registration else None
    for stored in events:
        carrier = carrier or stored.event.carrier
        for point in stored.event.checkpoints:
            place = point.place
            text = (place.text or ", ".join(p for p in (place.city, place.state, place.country) if p) or None
                    ) if place else None
            seen.setdefault((point.at.isoformat(), point.message), Point(point.at, point.message, text))
    return ParcelView(tracking_number=tracking_number, direction=registration.direction if registration else None,
                      carrier=carrier, status=parcel.state.status.value if parcel else "not_tracked",
                      checkpoints=tuple(sorted(seen.values(), key=lambda p: p.at, reverse=True)))


def refund_view(grant: RefundGrant, attempts: list[RefundAttempt]) -> RefundView:
    latest = max(attempts, key=lambda a: a.attempt_number, default=None)
    return RefundView(amount=grant.amount, destination=grant.destination.value,
                      status=latest.status.value if latest else "granted")


def messages(items: list[ConversationItem]) -> tuple[MessageView, ...]:
    shown = [m for m in items if m.direction in SHOWN_DIRECTIONS and m.body]
    shown.sort(key=lambda m: m.at)
    return tuple(MessageView(at=m.at, from_customer=m.direction == "inbound", body=m.body)
                 for m in shown[-MAX_MESSAGES:])


def events(timeline: list[TimelineEntry]) -> tuple[TimelineEntry, ...]:
    return tuple(e for e in sorted(timeline, key=lambda e: e.seq, reverse=True) if customer_visible(e.event))
