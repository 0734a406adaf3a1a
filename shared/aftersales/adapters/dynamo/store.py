"""DynamoDB implementation of the tickets' TicketStore port (PynamoDB)."""

from __future__ import annotations

from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from aftersales.adapters.dynamo.conditions import condition_failed
from aftersales.adapters.dynamo.connection import transactions
from aftersales.adapters.dynamo.cursors import decode_cursor, encode_cursor
from aftersales.adapters.dynamo.models import (
    AuditItem,
    OrderItem,
    TicketHeaderItem,
    TicketLineItem,
    TicketTableItem,
    TimelineItem,
)
from aftersales.core.errors import ConcurrentModification
from aftersales.orders.domain import Order
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Change, Ticket, TicketLine
from aftersales.tickets.ports import Page, StoredOrder, TimelineEntry

HEADER_SK = "HDR"


def ticket_pk(tenant_id: str, ticket_id: str) -> str:
    return f"{tenant_id}#TICKET#{ticket_id}"


def order_pk(tenant_id: str, order_id: str) -> str:
    return f"{tenant_id}#ORDER#{order_id}"


def header_item(ticket: Ticket) -> TicketHeaderItem:
    t = ticket.tenant_id
    return TicketHeaderItem(
        pk=ticket_pk(t, ticket.id), sk=HEADER_SK, tenant_id=t, ticket_id=ticket.id,
        status=ticket.status.value, version=ticket.version, customer_id=ticket.customer_id,
        doc=ticket.model_dump(mode="json", exclude={"lines"}),
        gsi1pk=f"{t}#T", gsi1sk=ticket.id,
        gsi2pk=f"{t}#C#{ticket.customer_id}", gsi2sk=ticket.id,
        gsi3pk=f"{t}#S#{ticket.status.value}", gsi3sk=f"{ticket.updated_at}#{ticket.id}",
    )


def _line_item(ticket: Ticket, line: TicketLine) -> TicketLineItem:
    return TicketLineItem(pk=ticket_pk(ticket.tenant_id, ticket.id), sk=f"LINE#{line.line_id}",
                          tenant_id=ticket.tenant_id, ticket_id=ticket.id,
                          doc=line.model_dump(mode="json"))


def _audit_item(ticket: Ticket, entry: AuditEntry) -> AuditItem:
    return AuditItem(pk=ticket_pk(ticket.tenant_id, ticket.id), sk=f"LOG#{entry.seq:08d}",
                     tenant_id=ticket.tenant_id, ticket_id=ticket.id, seq=entry.seq,
                     event=entry.event, ticket_type=ticket.type.value,
                     customer_id=ticket.customer_id, entry=entry.model_dump(mode="json"))




class DynamoTicketStore:
    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection

    # ------------------------------------------------------------------ orders
    def get_order(self, tenant_id: str, order_id: str) -> StoredOrder | None:
        try:
            item = OrderItem.get(order_pk(tenant_id, order_id), "ORDER", consistent_read=True)
        except OrderItem.DoesNotExist:
            return None
        return StoredOrder(order=Order.model_validate(item.doc), rev=int(item.rev),
                           reserved={k: int(v) for k, v in (item.reserved.as_dict() if item.reserved else {}).items()},
                           ticket_ids=set(item.ticket_ids or ()))

    def put_order(self, tenant_id: str, order: Order, stored: StoredOrder | None) -> None:
        item = OrderItem(pk=order_pk(tenant_id, order.order_id), sk="ORDER")
        actions = [OrderItem.tenant_id.set(tenant_id), OrderItem.order_id.set(order.order_id),
                   OrderItem.version.set(order.version), OrderItem.doc.set(order.model_dump(mode="json")),
                   OrderItem.rev.set(OrderItem.rev + 1) if stored else OrderItem.rev.set(1),
                   OrderItem.gsi1pk.set(f"{tenant_id}#PAY#{order.payment.reference}"),
                   OrderItem.gsi1sk.set(order.order_id)]
        condition = (OrderItem.pk.does_not_exist() if stored is None
                     else OrderItem.rev == stored.rev)
        if stored is None:
            actions.append(OrderItem.reserved.set({}))
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as exc:
            if condition_failed(exc):
                raise ConcurrentModification("error.concurrent_modification") from exc
            raise

    # ------------------------------------------------------------------ tickets
    def create_ticket(self, change: Change, order: StoredOrder, reserved: dict[str, int],
                      parent: Ticket | None) -> None:
        ticket = change.ticket
        order_item = OrderItem(pk=order_pk(ticket.tenant_id, ticket.order_id), sk="ORDER")
        try:
            with TransactWrite(connection=self._conn()) as tx:
                tx.save(header_item(ticket), condition=TicketHeaderItem.pk.does_not_exist())
                for line in ticket.lines:
                    tx.save(_line_item(ticket, line))
                tx.save(_audit_item(ticket, change.entry), condition=AuditItem.pk.does_not_exist())
                tx.update(order_item, actions=[OrderItem.reserved.set(reserved),
                                               OrderItem.rev.set(OrderItem.rev + 1),
                                               OrderItem.ticket_ids.add({ticket.id})],
                          condition=OrderItem.rev == order.rev)
                if parent is not None:
                    tx.update(TicketHeaderItem(pk=ticket_pk(parent.tenant_id, parent.id), sk=HEADER_SK),
                              actions=[TicketHeaderItem.doc.set(
                                  {**parent.model_dump(mode="json", exclude={"lines"}),
                                   "child_ids": [*parent.child_ids, ticket.id]})],
                              condition=TicketHeaderItem.version == parent.version)
        except TransactWriteError as exc:
            if condition_failed(exc):
                raise ConcurrentModification("error.concurrent_modification") from exc
            raise

    def get_ticket(self, tenant_id: str, ticket_id: str) -> Ticket | None:
        # One Query returns the header and its lines (LINE# sorts before LOG# and TL#).
        header: TicketHeaderItem | None = None
        lines: list[dict[str, Any]] = []
        for item in TicketTableItem.query(ticket_pk(tenant_id, ticket_id), TicketTableItem.sk < "LOG",
                                          consistent_read=True):
            if isinstance(item, TicketHeaderItem):
                header = item
            elif isinstance(item, TicketLineItem):
                lines.append(item.doc)
        if header is None:
            return None
        return Ticket.model_validate({**header.doc, "lines": lines})

    def save_change(self, change: Change, expected_version: int,
                    release: dict[str, int] | None = None, lines: list[TicketLine] | None = None) -> None:
        ticket = change.ticket
        try:
            with TransactWrite(connection=self._conn()) as tx:
                tx.save(header_item(ticket), condition=TicketHeaderItem.version == expected_version)
                tx.save(_audit_item(ticket, change.entry), condition=AuditItem.pk.does_not_exist())
                for line in lines or ():
                    tx.save(_line_item(ticket, line))
                if release:
                    self._release(tx, ticket, release)
        except TransactWriteError as exc:
            if condition_failed(exc):
                raise ConcurrentModification("error.concurrent_modification") from exc
            raise

    def _release(self, tx: TransactWrite, ticket: Ticket, release: dict[str, int]) -> None:
        # Decrement in place (no read needed) and bump rev so in-flight creations re-validate.
        order_item = OrderItem(pk=order_pk(ticket.tenant_id, ticket.order_id), sk="ORDER")
        actions = [OrderItem.reserved[line_id].set(OrderItem.reserved[line_id] - quantity)
                   for line_id, quantity in release.items()]
        tx.update(order_item, actions=[*actions, OrderItem.rev.set(OrderItem.rev + 1)])

    def audit_entries(self, tenant_id: str, ticket_id: str) -> list[AuditEntry]:
        return [AuditEntry.model_validate(item.entry)
                for item in AuditItem.query(ticket_pk(tenant_id, ticket_id),
                                            AuditItem.sk.startswith("LOG#"), consistent_read=True)]

    def list_tickets(self, tenant_id: str, *, customer_id: str | None, status: str | None,
                     limit: int, cursor: str | None) -> Page:
        start = decode_cursor(cursor, field="cursor")
        if customer_id is not None:
            results = TicketHeaderItem.by_customer.query(
                f"{tenant_id}#C#{customer_id}", scan_index_forward=False, limit=limit,
                last_evaluated_key=start,
                filter_condition=(TicketHeaderItem.status == status) if status else None)
        elif status is not None:
            results = TicketHeaderItem.by_status.query(
                f"{tenant_id}#S#{status}", scan_index_forward=False, limit=limit, last_evaluated_key=start)
        else:
            results = TicketHeaderItem.by_tenant.query(
                f"{tenant_id}#T", scan_index_forward=False, limit=limit, last_evaluated_key=start)
        items = [Ticket.model_validate({**item.doc, "lines": []}) for item in results]
        return Page(items=items, cursor=encode_cursor(results.last_evaluated_key))

    # ------------------------------------------------------------------ timeline
    def put_timeline(self, tenant_id: str, ticket_id: str, entry: TimelineEntry) -> None:
        TimelineItem(pk=ticket_pk(tenant_id, ticket_id), sk=f"TL#{entry.seq:08d}", tenant_id=tenant_id,
                     ticket_id=ticket_id, seq=entry.seq, event=entry.event, at=entry.at,
                     status=entry.status).save()

    def timeline(self, tenant_id: str, ticket_id: str) -> list[TimelineEntry]:
        return [TimelineEntry(seq=int(i.seq), event=i.event, at=i.at, status=i.status)
                for i in TimelineItem.query(ticket_pk(tenant_id, ticket_id), TimelineItem.sk.startswith("TL#"))]

    def _conn(self) -> Connection:
        return self._connection or transactions()
