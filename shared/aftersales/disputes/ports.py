"""Ports the disputes service needs; adapters (and the tickets and media contexts) implement them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from aftersales.disputes.model import Dispute, DisputeStatus
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tickets.model import Status


@dataclass
class Page:
    items: list[Dispute]
    cursor: str | None


class DisputeStore(Protocol):
    def create(self, dispute: Dispute) -> None:
        """Conflict `disputes.already_raised` when the ticket already has a customer dispute, or the
        platform case (provider, case id) is already joined; nothing written then."""

    def save(self, dispute: Dispute, expected_version: int) -> None:
        """Replace, conditional on the stored version (ConcurrentModification otherwise)."""

    def get(self, tenant_id: str, dispute_id: str) -> Dispute | None: ...

    def for_ticket(self, tenant_id: str, ticket_id: str) -> list[Dispute]: ...

    def for_platform_case(self, tenant_id: str, provider: str, case_id: str) -> Dispute | None: ...

    def queue(self, tenant_id: str, status: DisputeStatus, *, limit: int, cursor: str | None) -> Page:
        """Disputes in `status`, the soonest due first (an index query, no scan)."""


class DisputedTickets(Protocol):
    """The tickets context as disputes use it (TicketService): read a ticket and its audit chain as
    the caller may, and move or note it through the transition table."""

    def get(self, tenant_id: str, ticket_id: str, actor: Actor) -> Ticket: ...

    def audit(self, tenant_id: str, ticket_id: str, actor: Actor) -> list[AuditEntry]: ...

    def transition(self, tenant_id: str, ticket_id: str, target: Status, actor: Actor, *,
                   reason: str | None = None, data: dict[str, Any] | None = None) -> Ticket: ...

    def note(self, tenant_id: str, ticket_id: str, event: str, actor: Actor, *,
             reason: str | None = None, data: dict[str, Any] | None = None) -> Ticket: ...


class EvidenceMedia(Protocol):
    """The media context, as disputes ask it about the customer's evidence."""

    def check_evidence(self, tenant_id: str, customer_id: str, media_ids: list[str]) -> None:
        """InvalidRequest at `media_ids[i]` unless each id is the customer's own ready evidence media."""


class DueDisputes(Protocol):
    """The due index of open disputes across tenants (a sparse GSI keyed by the time bucket of
    each dispute's due time) and the sweep's own cursor."""

    def due_in_bucket(self, bucket: str) -> list[tuple[str, str]]:
        """(tenant, dispute id) of the disputes indexed under `bucket`."""

    def settle(self, tenant_id: str, dispute_id: str, version: int) -> None:
        """Out of the due index while the dispute stays at `version` (a later change indexes it again)."""

    def last_swept(self) -> datetime | None: ...

    def set_last_swept(self, at: datetime) -> None: ...
