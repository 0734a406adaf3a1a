"""A tracked return for the tracking page's tests: a return-and-refund ticket in the customer's
language, its timeline projected from its audit chain (as the timeline projector does), the return
parcel with two carrier checkpoints, a refund being processed, a running resolution deadline, a
staff-only note and an assignment on its audit chain, and a conversation. Everything runs on the real
tickets and reply services over the in-memory fakes of their ports. `text_of` reads a page as the customer
does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from aftersales.adapters.media_inspector import PillowInspector
from aftersales.core.clock import FixedClock
from aftersales.core.money import Money
from aftersales.logistics.events import Checkpoint, Place, Provider, TrackingEvent, TrackingStatus
from aftersales.logistics.ports import Parcel, Registration
from aftersales.logistics.progression import ParcelState
from aftersales.media.model import Screening
from aftersales.media.service import MediaService
from aftersales.notifications.replies import ReplyService
from aftersales.refunds.grants import RefundAttempt, RefundGrant, RefundStatus
from aftersales.refunds.refundable import QuotedLine, RefundDestination
from aftersales.sla.deadlines import Deadline
from aftersales.sla.stages import DeadlineState
from aftersales.tickets.domain import OpenTicket
from aftersales.tickets.model import Channel, Role, Status, TicketType
from aftersales.tickets.ports import TimelineEntry
from aftersales.tickets.service import TicketService
from aftersales.tickets.timeline import customer_visible
from aftersales.tracking.links import TrackingLinks
from aftersales.tracking.service import TrackingPageService
from tests.support.channels_fakes import FakeConversationStore
from tests.support.fakes.logistics import InMemoryParcelStore
from tests.support.fakes.media import InMemoryMediaObjects, InMemoryMediaStore, ScriptedModeration
from tests.support.fakes.money import InMemoryPaymentLedgerStore, InMemoryRefundStore
from tests.support.fakes.sla import InMemorySlaStore
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.ticket_factories import CUSTOMER, actor, order
from tests.support.tickets import walk

NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)
TENANT = "acme"
SECRET = "tracking-test-secret-of-at-least-32-chars"
SUPERVISOR = actor(Role.SUPERVISOR, id="sup-1")
SYSTEM = actor(Role.SYSTEM, id="system:sla")
TRACKING_NUMBER = "SF1234567890"
STAFF_NOTE = "customer sounds angry, check risk score 87"
PROVIDER_REFUND_ID = "re_3MtwBwLkdIwHu7ix28a3tqPa"
DUE = NOW + timedelta(days=3)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(html: str) -> str:
    """The page's text as the customer reads it: its text nodes, stripped, joined by single spaces."""
    parser = _Text()
    parser.feed(html)
    return " ".join(p.strip() for p in parser.parts if p.strip())


class CustomerAttaches:
    """The media context's EvidenceTickets on the real TicketService (what wiring's bridge does)."""

    def __init__(self) -> None:
        self.tickets: TicketService | None = None

    def attach_evidence(self, tenant_id: str, ticket_id: str, customer_id: str, media_id: str) -> None:
        assert self.tickets is not None
        self.tickets.attach_media(tenant_id, ticket_id, [media_id],
                                  actor(Role.CUSTOMER, id=customer_id, customer_id=customer_id))


class TrackingRig:
    def __init__(self, *, locale: str = "zh-Hans", base_url: str = "https://track.example.com/v1") -> None:
        self.clock = FixedClock(NOW)
        self.ticket_store = InMemoryTicketStore()
        attaches = CustomerAttaches()
        self.media_store, self.media_objects = InMemoryMediaStore(), InMemoryMediaObjects()
        self.media = MediaService(self.media_store, self.media_objects, PillowInspector(),
                                  ScriptedModeration(Screening.PASSED, ()), self.clock, tickets=attaches)
        self.tickets = TicketService(self.ticket_store, self.clock, evidence=self.media)
        attaches.tickets = self.tickets
        self.conversations = FakeConversationStore()
        self.parcels = InMemoryParcelStore()
        self.refunds = InMemoryRefundStore(InMemoryPaymentLedgerStore())
        self.deadlines = InMemorySlaStore()
        self.replies = ReplyService(self.conversations, self.tickets, self.clock)
        self.links = TrackingLinks(SECRET, base_url)
        self.locale = locale
        self.service = TrackingPageService(
            self.links, tickets=self.tickets, audit=self.ticket_store, deadlines=self.deadlines,
            parcels=self.parcels, refunds=self.refunds, conversations=self.conversations,
            messages=self.replies, clock=self.clock, uploads=self.media)
        self.tickets.upsert_order(TENANT, order())

    def token(self, ticket_id: str) -> str:
        return self.links.token(TENANT, ticket_id, self.clock.now())

    def project(self, ticket_id: str) -> None:
        """What the timeline projector does with the ticket's domain events."""
        for entry in self.ticket_store.audit_entries(TENANT, ticket_id):
            if customer_visible(entry.event):
                self.tickets.project_timeline(TENANT, ticket_id, TimelineEntry(
                    seq=entry.seq, event=entry.event, at=entry.at, status=entry.to_status))

    def opened(self, ticket_type: TicketType = TicketType.RETURN_REFUND) -> str:
        ticket = self.tickets.open(TENANT, OpenTicket(
            type=ticket_type, order_id="O-1", channel=Channel.APP, reason_code="quality",
            description="到货破损 arrived broken", locale=self.locale,
            lines=[{"line_id": "L1", "quantity": 1}]), CUSTOMER)
        self.project(ticket.id)
        return ticket.id

    def return_in_transit(self) -> str:
        ticket_id = self.opened()
        self.tickets.assign(TENANT, ticket_id, "agent-7", SUPERVISOR, reason="vip queue")
        self.tickets.note(TENANT, ticket_id, "ticket.sla_reminder", SYSTEM, reason=STAFF_NOTE)
        walk(self.tickets, TENANT, ticket_id, "pending_approval", "approved", "awaiting_return", actor=SUPERVISOR)
        self.tickets.transition(TENANT, ticket_id, Status.RETURN_IN_TRANSIT, CUSTOMER,
                                data={"carrier": "SF Express", "tracking_number": TRACKING_NUMBER})
        self.project(ticket_id)
        self._parcel(ticket_id)
        self._refund(ticket_id)
        self._deadline(ticket_id)
        return ticket_id

    def _parcel(self, ticket_id: str) -> None:
        start = self.clock.now()
        points = (Checkpoint(at=start + timedelta(hours=2), message="快件已揽收",
                             place=Place(city="深圳", country="CN")),
                  Checkpoint(at=start + timedelta(hours=9), message="快件已到达上海转运中心",
                             place=Place(text="上海")))
        registration = Registration(direction="return", order_id="O-1", ticket_id=ticket_id, carrier="SF Express",
                                    registered_at=start)
        state = ParcelState.new(TRACKING_NUMBER).model_copy(update={
            "status": TrackingStatus.IN_TRANSIT, "progress": TrackingStatus.IN_TRANSIT, "status_at": points[-1].at})
        self.parcels.record(Parcel(tenant_id=TENANT, state=state, registration=registration), TrackingEvent(
            provider=Provider.AFTERSHIP, provider_event_id="evt-1", tracking_number=TRACKING_NUMBER,
            carrier="sf-express", status=TrackingStatus.IN_TRANSIT, checkpoints=points, occurred_at=points[-1].at),
            start)

    def _refund(self, ticket_id: str) -> None:
        amount, zero = Money(amount=12950, currency="CNY"), Money.zero("CNY")
        self.refunds.ledger.open(TENANT, "ch_1", Money(amount=29000, currency="CNY"))
        grant = RefundGrant(grant_id="grt-1", tenant_id=TENANT, ticket_id=ticket_id, payment_ref="ch_1",
                            destination=RefundDestination.ORIGINAL_PAYMENT, amount=amount,
                            lines=(QuotedLine(line_id="L1", quantity=1, amount=amount),), return_shipping=zero,
                            restocking_fee=zero, granted_at=self.clock.now())
        self.refunds.create_grant(grant, Money(amount=29000, currency="CNY"))
        self.refunds.add_attempt(TENANT, ticket_id, RefundAttempt(
            grant_id="grt-1", attempt_number=1, idempotency_key="grt-1-1", status=RefundStatus.PENDING,
            raw_status="pending", provider_refund_id=PROVIDER_REFUND_ID))
        self.refunds.save_attempt(TENANT, ticket_id, RefundAttempt(
            grant_id="grt-1", attempt_number=1, idempotency_key="grt-1-1", status=RefundStatus.PENDING,
            raw_status="pending", provider_refund_id=PROVIDER_REFUND_ID), "card_declined_by_issuer")

    def _deadline(self, ticket_id: str) -> None:
        for metric, due, paused in (("resolution", DUE, False), ("first_response", NOW + timedelta(hours=1), True)):
            self.deadlines.save(DeadlineState(deadline=Deadline(
                tenant_id=TENANT, ticket_id=ticket_id, metric=metric, cycle=0, started_at=NOW,
                budget=timedelta(days=3), due_at=due, reminder_at=(), paused=paused, remaining=None,
                completed_at=None, breached_at=None, stages=())), None)
