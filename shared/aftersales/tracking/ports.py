"""What the tracking page reads of the other contexts (reads only, by key; no Scan) and the one
thing it writes: the customer's message, through the tickets' customer reply path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from aftersales.channels.ports import ConversationItem
from aftersales.logistics.ports import Parcel, StoredEvent
from aftersales.media.model import Purpose
from aftersales.media.service import Grant
from aftersales.refunds.grants import RefundAttempt, RefundGrant
from aftersales.sla.stages import DeadlineState
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tickets.ports import TimelineEntry


class TrackedTickets(Protocol):
    """The tickets context's TicketService (the customer's own view of their ticket)."""

    def get(self, tenant_id: str, ticket_id: str, actor: Actor) -> Ticket: ...

    def timeline(self, tenant_id: str, ticket_id: str, actor: Actor) -> list[TimelineEntry]: ...


class TicketAudit(Protocol):
    """The tickets context's TicketRecords: the audit chain names the ticket's parcels."""

    def audit_entries(self, tenant_id: str, ticket_id: str) -> list[AuditEntry]: ...


class DeadlineRecords(Protocol):
    """The SLA context's deadline store."""

    def states_for_ticket(self, tenant_id: str, ticket_id: str) -> Mapping[str, DeadlineState]: ...


class ParcelRecords(Protocol):
    """The logistics context's ParcelStore."""

    def get(self, tenant_id: str, tracking_number: str) -> Parcel | None: ...

    def events(self, tenant_id: str, tracking_number: str) -> list[StoredEvent]: ...


class RefundRecords(Protocol):
    """The refunds context's RefundStore."""

    def grants(self, tenant_id: str, ticket_id: str) -> list[RefundGrant]: ...

    def attempts(self, tenant_id: str, ticket_id: str, grant_id: str) -> list[RefundAttempt]: ...


class ConversationRecords(Protocol):
    """The channels context's ConversationStore."""

    def list(self, tenant_id: str, ticket_id: str) -> list[ConversationItem]: ...


class CustomerMessages(Protocol):
    """The notifications context's ReplyService: a customer's message on the ticket's conversation
    plus its `ticket.customer_replied` audit entry (the next-response clock starts)."""

    def post(self, tenant_id: str, ticket_id: str, actor: Actor, body: str) -> ConversationItem: ...


class EvidenceUploads(Protocol):
    """The media context's MediaService: a presigned POST for the customer's photo, remembered as
    evidence of the ticket (the media check attaches it once ready)."""

    def request_upload(self, tenant_id: str, actor: Actor, *, purpose: Purpose, content_type: str, size: int,
                       customer_id: str | None = None, ticket_id: str | None = None,
                       redirect: str | None = None) -> Grant: ...


class CustomerZones(Protocol):
    def time_zone(self, tenant_id: str, customer_id: str) -> str | None:
        """The IANA time zone stored with the customer's contacts, None when none names one."""
