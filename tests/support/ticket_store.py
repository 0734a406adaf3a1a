"""An in-memory TicketStore (tickets/ports.py) for use-case unit tests: the real TicketService runs
on it, with the same optimistic-lock rules as the DynamoDB adapter (order rev, ticket version)."""

from __future__ import annotations

from aftersales.core.errors import ConcurrentModification
from aftersales.orders.domain import Order
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Change, Ticket, TicketLine
from aftersales.tickets.ports import Page, StoredOrder, TimelineEntry


class InMemoryTicketStore:
    def __init__(self) -> None:
        self.orders: dict[tuple[str, str], StoredOrder] = {}
        self.tickets: dict[tuple[str, str], Ticket] = {}
        self.audit: dict[tuple[str, str], list[AuditEntry]] = {}
        self.timelines: dict[tuple[str, str], list[TimelineEntry]] = {}

    def __len__(self) -> int:
        return len(self.tickets)

    def __contains__(self, ticket_id: object) -> bool:
        return any(key[1] == ticket_id for key in self.tickets)

    # ------------------------------------------------------------------ orders
    def get_order(self, tenant_id: str, order_id: str) -> StoredOrder | None:
        stored = self.orders.get((tenant_id, order_id))
        if stored is None:
            return None
        return StoredOrder(stored.order, stored.rev, dict(stored.reserved), set(stored.ticket_ids))

    def put_order(self, tenant_id: str, order: Order, stored: StoredOrder | None) -> None:
        current = self.orders.get((tenant_id, order.order_id))
        if (current is None) != (stored is None) or (current and stored and current.rev != stored.rev):
            raise ConcurrentModification("error.concurrent_modification")
        self.orders[(tenant_id, order.order_id)] = StoredOrder(
            order, (current.rev + 1) if current else 1, dict(current.reserved) if current else {},
            set(current.ticket_ids) if current else set())

    # ------------------------------------------------------------------ tickets
    def create_ticket(self, change: Change, order: StoredOrder, reserved: dict[str, int],
                      parent: Ticket | None) -> None:
        ticket = change.ticket
        key = (ticket.tenant_id, ticket.order_id)
        current = self.orders.get(key)
        if current is None or current.rev != order.rev or (ticket.tenant_id, ticket.id) in self.tickets:
            raise ConcurrentModification("error.concurrent_modification")
        if parent is not None:
            stored_parent = self.tickets[(parent.tenant_id, parent.id)]
            if stored_parent.version != parent.version:
                raise ConcurrentModification("error.concurrent_modification")
            self.tickets[(parent.tenant_id, parent.id)] = stored_parent.model_copy(
                update={"child_ids": [*parent.child_ids, ticket.id]})
        self.orders[key] = StoredOrder(current.order, current.rev + 1, dict(reserved), {*current.ticket_ids, ticket.id})
        self.tickets[(ticket.tenant_id, ticket.id)] = ticket
        self.audit[(ticket.tenant_id, ticket.id)] = [change.entry]

    def get_ticket(self, tenant_id: str, ticket_id: str) -> Ticket | None:
        return self.tickets.get((tenant_id, ticket_id))

    def save_change(self, change: Change, expected_version: int,
                    release: dict[str, int] | None = None, lines: list[TicketLine] | None = None) -> None:
        ticket = change.ticket
        key = (ticket.tenant_id, ticket.id)
        if key not in self.tickets or self.tickets[key].version != expected_version:
            raise ConcurrentModification("error.concurrent_modification")
        self.tickets[key] = ticket
        self.audit[key].append(change.entry)
        if release:
            order = self.orders[(ticket.tenant_id, ticket.order_id)]
            reserved = {line: order.reserved.get(line, 0) - n for line, n in release.items()}
            self.orders[(ticket.tenant_id, ticket.order_id)] = StoredOrder(
                order.order, order.rev + 1, {**order.reserved, **reserved}, order.ticket_ids)

    def audit_entries(self, tenant_id: str, ticket_id: str) -> list[AuditEntry]:
        return list(self.audit.get((tenant_id, ticket_id), []))

    def list_tickets(self, tenant_id: str, *, customer_id: str | None, status: str | None,
                     limit: int, cursor: str | None) -> Page:
        """Newest first (ticket ids are ULIDs), as the adapter's indexes return them; one page."""
        found = [t for (tenant, _), t in self.tickets.items() if tenant == tenant_id
                 and (customer_id is None or t.customer_id == customer_id)
                 and (status is None or t.status.value == status)]
        found.sort(key=lambda t: t.id, reverse=True)
        return Page(items=[t.model_copy(update={"lines": []}) for t in found[:limit]], cursor=None)

    # ------------------------------------------------------------------ timeline
    def put_timeline(self, tenant_id: str, ticket_id: str, entry: TimelineEntry) -> None:
        self.timelines.setdefault((tenant_id, ticket_id), []).append(entry)

    def timeline(self, tenant_id: str, ticket_id: str) -> list[TimelineEntry]:
        return sorted(self.timelines.get((tenant_id, ticket_id), []), key=lambda e: e.seq)
