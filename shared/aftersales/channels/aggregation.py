"""Same tenant + order + issue -> one ticket, whichever channel (or carrier) raises it first."""

from __future__ import annotations

from typing import Any

from aftersales.channels.conversations import Conversations
from aftersales.channels.customers import CustomerLinks
from aftersales.channels.identity import IssueCategory, aggregation_key
from aftersales.channels.intake import SYSTEM
from aftersales.channels.ports import IndexKeys
from aftersales.core.errors import NotFound
from aftersales.tickets.domain import LineRequest, OpenTicket
from aftersales.tickets.model import LINE_TYPES, Channel, Status, TicketType
from aftersales.tickets.service import TicketService


class Aggregation:
    def __init__(self, keys: IndexKeys, links: CustomerLinks, tickets: TicketService,
                 conversations: Conversations) -> None:
        self._keys, self._links, self._tickets, self._conversations = keys, links, tickets, conversations

    def open_or_join(self, tenant_id: str, *, order_id: str, category: IssueCategory, ticket_type: TicketType,
                     channel: str, reason_code: str, description: str | None, author: str, body: str,
                     external_id: str | None, data: dict[str, Any], locale: str | None = None,
                     line_ids: list[str] | None = None, subject: str | None = None,
                     attachments: list[dict[str, Any]] | None = None) -> tuple[str, bool]:
        """(ticket id, whether it was opened now). The key is claimed with a conditional put after
        opening; the loser of a race cancels its own fresh ticket and joins the winner."""
        key = "AGG#" + aggregation_key(tenant_id, order_id, category)
        message: dict[str, Any] = {"channel": channel, "author": author, "body": body, "external_id": external_id,
                                   "subject": subject, "attachments": attachments, "data": data}
        existing = self._keys.lookup(tenant_id, key)
        if existing and self.is_open(tenant_id, existing):
            self._conversations.customer_wrote(tenant_id, existing, **message)
            return existing, False
        if existing:
            self._keys.release(tenant_id, key, existing)
        ticket = self._tickets.open(tenant_id, self._request(tenant_id, order_id, ticket_type, channel, reason_code,
                                                             description, locale, line_ids), SYSTEM)
        winner = self._keys.claim(tenant_id, key, ticket.id)
        if winner and winner != ticket.id:
            self._tickets.transition(tenant_id, ticket.id, Status.CANCELLED, SYSTEM, reason="merged_duplicate",
                                     data={"merged_into": winner})
            self._conversations.customer_wrote(tenant_id, winner, **message)
            return winner, False
        self._conversations.add(tenant_id, ticket.id, direction="inbound", **message)
        return ticket.id, True

    def is_open(self, tenant_id: str, ticket_id: str) -> bool:
        """The ticket exists and is not closed (a message for it still lands on it)."""
        try:
            return not self._tickets.get(tenant_id, ticket_id, SYSTEM).is_terminal
        except NotFound:
            return False

    def open_ticket_of(self, tenant_id: str, customer_id: str) -> str | None:
        """The customer's newest ticket that is still open (among their 20 newest)."""
        page = self._tickets.list(tenant_id, SYSTEM, customer_id=customer_id, limit=20)
        return next((t.id for t in page.items if not t.is_terminal), None)

    def customer_of_order(self, tenant_id: str, order_id: str) -> str | None:
        """The customer of an order we know, else None."""
        try:
            return self._tickets.get_order(tenant_id, order_id, SYSTEM).customer.id
        except NotFound:
            return None

    def _request(self, tenant_id: str, order_id: str, wanted: TicketType, channel: str, reason_code: str,
                 description: str | None, locale: str | None, line_ids: list[str] | None) -> OpenTicket:
        stored = self._tickets.get_order(tenant_id, order_id, SYSTEM)
        lines: list[LineRequest] = []
        if wanted in LINE_TYPES:
            for line in stored.lines:
                if line_ids and line.line_id not in line_ids:
                    continue
                lines.append(LineRequest(line_id=line.line_id, quantity=line.quantity))
        contacts = self._links.contacts(tenant_id, stored.customer.id)
        loc = locale or next((c.get("locale") for c in contacts.values() if c.get("locale")), None) or "en"
        return OpenTicket(type=wanted, order_id=order_id, channel=Channel(channel), reason_code=reason_code,
                          description=description, lines=lines, locale=loc)
