"""Tracking use cases: open a signed link into the customer's view of their ticket, and take the
customer's message from the page.

The link is the credential: it names the tenant and the ticket, and the ticket's own customer is the
actor from there on (the tickets context's visibility rules apply as if they had signed in). Every
read is by key: the ticket, its timeline, its audit chain (for the parcels it names), the ticket's
deadlines, each parcel and its events, the ticket's refunds and the conversation."""

from __future__ import annotations

from dataclasses import dataclass, replace

from aftersales.core.clock import Clock
from aftersales.core.errors import Conflict, InvalidRequest, NotFound
from aftersales.media.model import LIMITS, MediaType, Purpose
from aftersales.media.ports import PresignedPost
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tickets.model import Role

from . import view
from .depot import depot
from .links import TrackingLinkRefused, TrackingLinks
from .ports import (
    ConversationRecords,
    CustomerMessages,
    CustomerZones,
    DeadlineRecords,
    EvidenceUploads,
    ParcelRecords,
    RefundRecords,
    TicketAudit,
    TrackedTickets,
)
from .visit import visit

MAX_MESSAGE = 2000
PHOTO_TYPE = MediaType.JPEG  # a form without JavaScript declares its file's type before it is picked
MAX_PARCELS = 5  # a return and reshipments; more would be a ticket gone wrong, not a page to draw


@dataclass(frozen=True)
class Opened:
    tenant_id: str
    ticket: Ticket
    actor: Actor


class TicketViews:
    """What a ticket's customer is shown of it, read by key as that customer: the tracking page's
    content, and what the automatic answers answer from (answers/computed.py)."""

    def __init__(self, tickets: TrackedTickets, audit: TicketAudit, deadlines: DeadlineRecords,
                 parcels: ParcelRecords, refunds: RefundRecords, conversations: ConversationRecords, *,
                 takes_photos: bool = False, zones: CustomerZones | None = None) -> None:
        self._tickets, self._audit, self._deadlines = tickets, audit, deadlines
        self._parcels, self._refunds, self._conversations = parcels, refunds, conversations
        self._takes_photos, self._zones = takes_photos, zones

    def view_of(self, tenant_id: str, ticket: Ticket) -> view.TrackingView:
        actor = Actor(id=ticket.customer_id, roles=frozenset({Role.CUSTOMER}), customer_id=ticket.customer_id)
        timeline = self._tickets.timeline(tenant_id, ticket.id, actor)
        entries = self._audit.audit_entries(tenant_id, ticket.id)
        numbers = view.tracking_numbers(entries)[:MAX_PARCELS]
        parcels = tuple(view.parcel_view(n, self._parcels.get(tenant_id, n), self._parcels.events(tenant_id, n))
                        for n in numbers)
        refunds = tuple(view.refund_view(g, self._refunds.attempts(tenant_id, ticket.id, g.grant_id))
                        for g in sorted(self._refunds.grants(tenant_id, ticket.id), key=lambda g: g.granted_at))
        steps = view.steps(ticket, timeline)
        ahead = [s.status for s in steps if s.state == "ahead"]
        due = None if ticket.is_terminal else view.next_due(
            list(self._deadlines.states_for_ticket(tenant_id, ticket.id).values()))
        return view.TrackingView(
            ticket_id=ticket.id, ticket_type=ticket.type.value, status=ticket.status.value, locale=ticket.locale,
            terminal=ticket.is_terminal, steps=steps, next_status=ahead[0] if ahead else None, due=due,
            parcels=parcels, refunds=refunds,
            messages=view.messages(self._conversations.list(tenant_id, ticket.id)),
            events=view.events(timeline), photos=len(ticket.media_ids),
            takes_photos=self._takes_photos and not ticket.is_terminal, visit=visit(entries),
            depot=depot(entries),
            time_zone=self._zones.time_zone(tenant_id, ticket.customer_id) if self._zones else None)


class TrackingPageService:
    def __init__(self, links: TrackingLinks, tickets: TrackedTickets, audit: TicketAudit,
                 deadlines: DeadlineRecords, parcels: ParcelRecords, refunds: RefundRecords,
                 conversations: ConversationRecords, messages: CustomerMessages, clock: Clock, *,
                 uploads: EvidenceUploads | None = None, zones: CustomerZones | None = None) -> None:
        self._links = links
        self._tickets = tickets
        self._views = TicketViews(tickets, audit, deadlines, parcels, refunds, conversations,
                                  takes_photos=uploads is not None, zones=zones)
        self._messages = messages
        self._clock = clock
        self._uploads = uploads

    def open_link(self, token: str) -> Opened:
        """TrackingLinkRefused for a link we did not sign, one past its expiry or a ticket gone."""
        claim = self._links.verify(token, self._clock.now())
        system = Actor(id="system:tracking", roles=frozenset({Role.SYSTEM}))
        try:
            ticket = self._tickets.get(claim.tenant_id, claim.ticket_id, system)
        except NotFound:
            raise TrackingLinkRefused("tracking.link_invalid", reason="unknown_ticket") from None
        customer = Actor(id=ticket.customer_id, roles=frozenset({Role.CUSTOMER}),
                         customer_id=ticket.customer_id)
        return Opened(claim.tenant_id, ticket, customer)

    def page(self, token: str) -> view.TrackingView:
        opened = self.open_link(token)
        return replace(self._views.view_of(opened.tenant_id, opened.ticket), shown_at=self._clock.now())

    def add_message(self, token: str, body: str) -> None:
        """The customer's message on the ticket's conversation, as the ticket's customer (a closed
        ticket refuses it: IllegalTransition, 409)."""
        opened = self.open_link(token)
        text = body.strip()
        if not text:
            raise InvalidRequest("tracking.message_empty", field="body.message")
        if len(text) > MAX_MESSAGE:
            raise InvalidRequest("tracking.message_too_long", field="body.message", limit=MAX_MESSAGE)
        self._messages.post(opened.tenant_id, opened.ticket.id, opened.actor, text)

    def photo_upload(self, token: str, page_base_url: str = "") -> PresignedPost:
        """A presigned POST for one photo of the customer, as evidence of this ticket; S3 sends the
        browser back to the page afterwards (under the configured base URL, else `page_base_url`:
        the stage URL the request came in on). Conflict once the ticket is closed."""
        opened = self.open_link(token)
        base = self._links.base_url or page_base_url
        if self._uploads is None or not base:
            raise Conflict("tracking.photos_unavailable")
        if opened.ticket.is_terminal:
            raise Conflict("tracking.message_closed")
        back = f"{base.rstrip('/')}/track/{token}?photo=1"
        grant = self._uploads.request_upload(
            opened.tenant_id, opened.actor, purpose=Purpose.TICKET_EVIDENCE, content_type=PHOTO_TYPE.value,
            size=LIMITS[PHOTO_TYPE].max_bytes, customer_id=opened.ticket.customer_id, ticket_id=opened.ticket.id,
            redirect=back)
        return grant.upload
