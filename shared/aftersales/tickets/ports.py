"""Ports the tickets service needs; adapters in aftersales.adapters implement them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from aftersales.orders.domain import Order
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Change, Ticket, TicketLine


@dataclass
class StoredOrder:
    order: Order
    rev: int
    reserved: dict[str, int] = field(default_factory=dict)
    ticket_ids: set[str] = field(default_factory=set)


@dataclass
class Page:
    items: list[Ticket]
    cursor: str | None


@dataclass
class TimelineEntry:
    seq: int
    event: str
    at: str
    status: str


class TicketRecords(Protocol):
    """What other contexts read of the tickets context without an actor (system reads): the order
    snapshot behind a ticket, a ticket's audit entries, a customer's tickets."""

    def get_order(self, tenant_id: str, order_id: str) -> StoredOrder | None: ...

    def audit_entries(self, tenant_id: str, ticket_id: str) -> list[AuditEntry]: ...

    def list_tickets(self, tenant_id: str, *, customer_id: str | None, status: str | None,
                     limit: int, cursor: str | None) -> Page: ...


class TicketStore(Protocol):
    def get_order(self, tenant_id: str, order_id: str) -> StoredOrder | None: ...

    def put_order(self, tenant_id: str, order: Order, stored: StoredOrder | None) -> None:
        """Create or replace; raises ConcurrentModification when `stored` is no longer current."""

    def create_ticket(self, change: Change, order: StoredOrder, reserved: dict[str, int],
                      parent: Ticket | None) -> None:
        """Header, lines, first audit entry, order reservation and parent link in one atomic
        write; raises ConcurrentModification if the order (or parent) changed meanwhile."""

    def get_ticket(self, tenant_id: str, ticket_id: str) -> Ticket | None: ...

    def save_change(self, change: Change, expected_version: int,
                    release: dict[str, int] | None = None, lines: list[TicketLine] | None = None) -> None:
        """Header update + audit entry atomically, conditional on `expected_version`;
        `release` returns reserved quantities to the order in the same write; `lines` (when
        given) replaces the line sub-records in the same write."""

    def audit_entries(self, tenant_id: str, ticket_id: str) -> list[AuditEntry]: ...

    def list_tickets(self, tenant_id: str, *, customer_id: str | None, status: str | None,
                     limit: int, cursor: str | None) -> Page: ...

    def put_timeline(self, tenant_id: str, ticket_id: str, entry: TimelineEntry) -> None: ...

    def timeline(self, tenant_id: str, ticket_id: str) -> list[TimelineEntry]: ...


class EvidenceMedia(Protocol):
    """The media context, as the tickets context asks it about evidence."""

    def check_evidence(self, tenant_id: str, customer_id: str, media_ids: list[str]) -> None:
        """InvalidRequest at `media_ids[i]` unless each id is the customer's own ready evidence media."""
