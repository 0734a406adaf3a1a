"""The tickets context's TicketStore (and TicketRecords) over dicts, with the DynamoDB adapter's
rules: a creation is atomic with the order reservation (conditional on the order's rev and the
parent's version), a change is conditional on the ticket's version, lists are newest first and
paged by an opaque cursor."""

from __future__ import annotations

import base64
import json

from aftersales.core.errors import ConcurrentModification, InvalidRequest
from aftersales.orders.domain import Order
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Change, Ticket, TicketLine
from aftersales.tickets.ports import Page, StoredOrder, TimelineEntry


def _conflict() -> ConcurrentModification:
    return ConcurrentModification("error.concurrent_modification")


def _copy(stored: StoredOrder) -> StoredOrder:
    return StoredOrder(stored.order, stored.rev, dict(stored.reserved), set(stored.ticket_ids))


class InMemoryTicketStore:
    def __init__(self) -> None:
        self.orders: dict[tuple[str, str], StoredOrder] = {}
        self.tickets: dict[tuple[str, str], Ticket] = {}
        self.audit: dict[tuple[str, str], list[AuditEntry]] = {}
        self.timelines: dict[tuple[str, str, int], TimelineEntry] = {}

    def __len__(self) -> int:
        return len(self.tickets)

    def __contains__(self, ticket_id: object) -> bool:
        return any(key[1] == ticket_id for key in self.tickets)

    # ------------------------------------------------------------------ orders
    def get_order(self, tenant_id: str, order_id: str) -> StoredOrder | None:
        stored = self.orders.get((tenant_id, order_id))
        return _copy(stored) if stored else None

    def put_order(self, tenant_id: str, order: Order, stored: StoredOrder | None) -> None:
        key = (tenant_id, order.order_id)
        current = self.orders.get(key)
        if stored is None:
            if current is not None:
                raise _conflict()
            self.orders[key] = StoredOrder(order, 1)
            return
        if current is None or current.rev != stored.rev:
            raise _conflict()
        self.orders[key] = StoredOrder(order, current.rev + 1, dict(current.reserved), set(current.ticket_ids))

    # ------------------------------------------------------------------ tickets
    def create_ticket(self, change: Change, order: StoredOrder, reserved: dict[str, int],
                      parent: Ticket | None) -> None:
        ticket = change.ticket
        order_key, ticket_key = (ticket.tenant_id, ticket.order_id), (ticket.tenant_id, ticket.id)
        current = self.orders.get(order_key)
        # every condition of the adapter's transaction is checked before anything is written
        if current is None or current.rev != order.rev or ticket_key in self.tickets:
            raise _conflict()
        stored_parent = self.tickets.get((parent.tenant_id, parent.id)) if parent is not None else None
        if parent is not None and (stored_parent is None or stored_parent.version != parent.version):
            raise _conflict()
        if parent is not None:
            self.tickets[(parent.tenant_id, parent.id)] = stored_parent.model_copy(
                update={"child_ids": [*parent.child_ids, ticket.id]})
        self.orders[order_key] = StoredOrder(current.order, current.rev + 1, dict(reserved),
                                             {*current.ticket_ids, ticket.id})
        self.tickets[ticket_key] = ticket
        self.audit[ticket_key] = [change.entry]

    def get_ticket(self, tenant_id: str, ticket_id: str) -> Ticket | None:
        return self.tickets.get((tenant_id, ticket_id))

    def save_change(self, change: Change, expected_version: int,
                    release: dict[str, int] | None = None, lines: list[TicketLine] | None = None) -> None:
        ticket = change.ticket
        key = (ticket.tenant_id, ticket.id)
        current = self.tickets.get(key)
        if current is None or current.version != expected_version:
            raise _conflict()
        if any(e.seq == change.entry.seq for e in self.audit.get(key, [])):
            raise _conflict()
        # the header carries no lines in the adapter: unchanged lines stay as stored
        self.tickets[key] = ticket if lines is not None else ticket.model_copy(update={"lines": current.lines})
        self.audit.setdefault(key, []).append(change.entry)
        if release:
            order_key = (ticket.tenant_id, ticket.order_id)
            order = self.orders[order_key]
            reserved = {**order.reserved, **{line: order.reserved.get(line, 0) - n for line, n in release.items()}}
            self.orders[order_key] = StoredOrder(order.order, order.rev + 1, reserved, set(order.ticket_ids))

    def audit_entries(self, tenant_id: str, ticket_id: str) -> list[AuditEntry]:
        return sorted(self.audit.get((tenant_id, ticket_id), []), key=lambda e: e.seq)

    def list_tickets(self, tenant_id: str, *, customer_id: str | None, status: str | None,
                     limit: int, cursor: str | None) -> Page:
        """Newest first (ticket ids sort by creation), headers only, `limit` per page; the cursor is
        opaque and a malformed one is the adapter's `error.bad_cursor`."""
        after = _decode(cursor)
        found = sorted((t for (tenant, _), t in self.tickets.items() if tenant == tenant_id
                        and (customer_id is None or t.customer_id == customer_id)
                        and (status is None or t.status.value == status)), key=lambda t: t.id, reverse=True)
        if after is not None:
            found = [t for t in found if t.id < after]
        page = found[:limit]
        more = len(found) > limit
        return Page(items=[t.model_copy(update={"lines": []}) for t in page],
                    cursor=_encode(page[-1].id) if more and page else None)

    # ------------------------------------------------------------------ timeline
    def put_timeline(self, tenant_id: str, ticket_id: str, entry: TimelineEntry) -> None:
        self.timelines[(tenant_id, ticket_id, entry.seq)] = entry  # a put by seq: redelivery overwrites

    def timeline(self, tenant_id: str, ticket_id: str) -> list[TimelineEntry]:
        return sorted((e for (t, tid, _), e in self.timelines.items() if (t, tid) == (tenant_id, ticket_id)),
                      key=lambda e: e.seq)


def _encode(ticket_id: str) -> str:
    """The adapter's cursor shape: base64 of the last key as JSON."""
    return base64.urlsafe_b64encode(json.dumps({"id": ticket_id}, separators=(",", ":")).encode()).decode()


def _decode(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        return str(json.loads(base64.urlsafe_b64decode(cursor.encode()))["id"])
    except (ValueError, UnicodeDecodeError, KeyError, TypeError):
        raise InvalidRequest("error.bad_cursor", field="cursor") from None
