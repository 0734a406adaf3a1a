"""Free-text messages (WeCom, 微信客服, e-mail): on the ticket they name or the sender's open one,
else a ticket (opened or joined) for the order they name, else parked under the sender until the
sender can be matched; and the replay of a sender's parked messages once they can.

Nothing here logs message bodies, e-mail addresses or phone numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from aws_lambda_powertools import Logger

from aftersales.channels.aggregation import Aggregation
from aftersales.channels.conversations import Conversations
from aftersales.channels.customers import CustomerLinks
from aftersales.channels.email_inbound import references_in, thread_index_key
from aftersales.channels.identity import Identity, IdentityKind, identity_from_key, order_identity
from aftersales.channels.intake import SYSTEM, IntakeResult, classify, ticket_type
from aftersales.channels.parking import Parking
from aftersales.channels.ports import IndexKeys
from aftersales.core.errors import NotFound
from aftersales.tickets.service import TicketService

logger = Logger(child=True)
REPLAYED_CHANNELS = ("wecom", "email")  # parked under a sender's identity; Douyin's wait for their order


@dataclass(frozen=True)
class TextMessage:
    """One message of one sender. `contact` (channel, address) becomes the customer's contact once
    the customer is known, with `contact_details` kept beside the address (e.g. the 微信客服 account)."""

    channel: str
    identities: tuple[Identity, ...]
    author: str  # channel-scoped ("wecom:<digest>"), never an address
    body: str
    external_id: str
    subject: str | None = None
    attachments: list[dict[str, Any]] | None = None
    contact: tuple[str, str] | None = None
    contact_details: Mapping[str, str] | None = None
    ticket_id: str | None = None  # the ticket this sender's conversation is linked to (IM channels)

    def said(self) -> dict[str, Any]:
        """What goes on a conversation item."""
        return {"channel": self.channel, "author": self.author, "body": self.body, "external_id": self.external_id,
                "subject": self.subject, "attachments": self.attachments}


class Replayed(NamedTuple):
    item: dict[str, Any]  # the parked item
    result: IntakeResult


class TextIntake:
    def __init__(self, links: CustomerLinks, aggregation: Aggregation, conversations: Conversations,
                 tickets: TicketService, keys: IndexKeys, parking: Parking) -> None:
        self._links, self._aggregation, self._conversations = links, aggregation, conversations
        self._tickets, self._keys, self._parking = tickets, keys, parking

    def file(self, tenant_id: str, message: TextMessage, *, replaying: bool = False) -> IntakeResult:
        """Comment on a named / open ticket, else open (or join) one for the order the message names,
        else park it. When this message linked a sender we could not match before, the sender's
        parked messages are replayed after it. A replayed message that still does not fit stays
        where it is parked (`replaying`)."""
        unlinked = [] if replaying else self._links.unlinked(tenant_id, message.identities)
        result = self._route(tenant_id, message, replaying)
        if result.outcome != "parked":
            for identity in unlinked:
                self.replay_identity(tenant_id, identity.key)
        return result

    def _route(self, tenant_id: str, message: TextMessage, replaying: bool) -> IntakeResult:
        refs = references_in(message.subject, message.body)
        base = {"source": message.channel, "external_id": message.external_id}
        customer = self._links.customer_for(tenant_id, message.identities)
        order_id = None
        for number in refs.order_numbers:
            order_customer = self._aggregation.customer_of_order(tenant_id, number)
            if order_customer and (customer is None or customer == order_customer):
                order_id, customer = number, order_customer
                break
        if customer:
            order = [order_identity(tenant_id, order_id)] if order_id else []
            self._links.link(tenant_id, customer, [*message.identities, *order])
            if message.contact:
                self._links.remember_contact(tenant_id, customer, *message.contact, None, message.contact_details)
        linked = self._open_ticket(tenant_id, message.ticket_id) if message.ticket_id else None
        if linked:
            self._conversations.customer_wrote(tenant_id, linked, **message.said())
            return IntakeResult(**base, outcome="commented", ticket_id=linked)
        for number in refs.ticket_numbers:
            try:
                ticket = self._tickets.get(tenant_id, number, SYSTEM)
            except NotFound:
                continue
            if ticket.customer_id == customer and not ticket.is_terminal:
                self._conversations.customer_wrote(tenant_id, ticket.id, **message.said())
                return IntakeResult(**base, outcome="commented", ticket_id=ticket.id)
        if order_id:
            category = classify(message.subject, message.body)
            ticket_id, created = self._aggregation.open_or_join(
                tenant_id, order_id=order_id, category=category, ticket_type=ticket_type(category),
                reason_code=f"{message.channel}_{category.value}", description=None, data={}, **message.said())
            return IntakeResult(**base, ticket_id=ticket_id, outcome="created" if created else "joined")
        open_ticket = self._aggregation.open_ticket_of(tenant_id, customer) if customer else None
        if open_ticket:
            self._conversations.customer_wrote(tenant_id, open_ticket, **message.said())
            return IntakeResult(**base, outcome="commented", ticket_id=open_ticket)
        if not replaying:
            self._park(tenant_id, message, refs.order_numbers)
        return IntakeResult(**base, outcome="parked")

    def _open_ticket(self, tenant_id: str, ticket_id: str) -> str | None:
        try:
            ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
        except NotFound:
            return None
        return None if ticket.is_terminal else ticket.id

    def _park(self, tenant_id: str, message: TextMessage, order_numbers: tuple[str, ...]) -> None:
        item = self._parking.new_item(channel=message.channel, author=message.author, body=message.body,
                                      external_id=message.external_id, subject=message.subject,
                                      attachments=message.attachments or [])
        if message.contact_details:  # e.g. the 微信客服 account: replies to this sender go back through it
            item["contact_details"] = dict(message.contact_details)
        key = message.identities[0].key if message.identities else f"{message.channel}:unknown"
        self._parking.park(tenant_id, key, item, order_numbers)

    # ------------------------------------------------------------------ replay
    def replay_identity(self, tenant_id: str, identity_key: str) -> list[Replayed]:
        """Re-run the parked WeCom / e-mail messages of one sender (oldest first); each one that now
        lands on a ticket leaves the inbox, the others stay parked."""
        identity = identity_from_key(identity_key)
        replayed: list[Replayed] = []
        for item in self._parking.parked(tenant_id, identity_key):
            channel = item.get("channel")
            if channel not in REPLAYED_CHANNELS or identity is None:
                continue
            details = item.get("contact_details") if identity.kind is IdentityKind.PLATFORM_USER else None
            result = self.file(tenant_id, TextMessage(
                channel=channel, identities=(identity,), author=item["author"], body=item.get("body") or "",
                external_id=item.get("external_id") or item["message_id"], subject=item.get("subject"),
                attachments=item.get("attachments") or None, contact=(channel, identity.value) if details else None,
                contact_details=details), replaying=True)
            if result.outcome == "parked":
                continue
            if channel == "email" and result.ticket_id and item.get("external_id"):
                self._keys.claim(tenant_id, thread_index_key(item["external_id"]), result.ticket_id)
            self._parking.matched(tenant_id, identity_key, item, result.ticket_id)
            logger.info("parked message matched", extra={"channel": channel, "outcome": result.outcome})
            replayed.append(Replayed(item, result.model_copy(update={"detail": "replayed"})))
        return replayed

    def replay_mentions(self, tenant_id: str, order_id: str) -> list[IntakeResult]:
        """An order we did not know arrived: replay the inboxes of senders whose parked messages named it."""
        results: list[IntakeResult] = []
        for pointer in self._parking.mentions(tenant_id, order_id):
            results += [r.result for r in self.replay_identity(tenant_id, pointer["identity_key"])]
            self._parking.mention_replayed(tenant_id, order_id, pointer)
        return results
