"""A ticket's conversation: every message on it, whatever channel it came from or went to.

Nothing here logs message bodies, e-mail addresses or phone numbers.
"""

from __future__ import annotations

from typing import Any

from aftersales.channels.intake import SYSTEM
from aftersales.channels.ports import ConversationItem, ConversationStore, InboundAnswers
from aftersales.core.clock import Clock, iso
from aftersales.core.errors import IllegalTransition
from aftersales.core.ids import new_id
from aftersales.tickets.domain import CUSTOMER_REPLIED, Actor
from aftersales.tickets.service import TicketService


class Conversations:
    def __init__(self, items: ConversationStore, tickets: TicketService, clock: Clock, *,
                 answers: InboundAnswers | None = None) -> None:
        """`answers`: the bot that takes its turn after each customer message (None: agents only)."""
        self._items, self._tickets, self._clock, self._answers = items, tickets, clock, answers

    def add(self, tenant_id: str, ticket_id: str, *, channel: str, direction: str, author: str, body: str,
            external_id: str | None = None, subject: str | None = None,
            attachments: list[dict[str, Any]] | None = None, data: dict[str, Any] | None = None
            ) -> ConversationItem:
        """One item on the ticket's conversation (`direction`: inbound | outbound | system)."""
        now = self._clock.now()
        item = ConversationItem(message_id=new_id("msg", now), ticket_id=ticket_id, at=iso(now), channel=channel,
                                direction=direction, author=author, body=body, subject=subject,
                                external_id=external_id, attachments=attachments or [], data=data or {})
        self._items.add(tenant_id, item)
        return item

    def customer_wrote(self, tenant_id: str, ticket_id: str, *, channel: str, author: str, body: str,
                       external_id: str | None = None, subject: str | None = None,
                       attachments: list[dict[str, Any]] | None = None, data: dict[str, Any] | None = None
                       ) -> ConversationItem:
        """An inbound message on a ticket that already exists: on its conversation, and as a
        `ticket.customer_replied` audit entry so the next-response clock starts. Every channel's
        customer message on an existing ticket comes through here (WeCom, 微信客服, e-mail, the IM
        channels), so this is where the bot takes its turn: an automatic answer or the hand-off."""
        guess = self._answers.consider(tenant_id, ticket_id, body) if self._answers and body.strip() else None
        if guess is not None:  # the agent sees the bot's guess on the customer's message
            data = {**(data or {}), "bot": guess.data()}
        item = self.add(tenant_id, ticket_id, channel=channel, direction="inbound", author=author, body=body,
                        external_id=external_id, subject=subject, attachments=attachments, data=data)
        try:
            self._tickets.message(tenant_id, ticket_id, CUSTOMER_REPLIED, SYSTEM,
                                  data={"message_id": item.message_id, "channel": item.channel})
        except IllegalTransition:  # closed meanwhile: no clock to start, nobody to answer
            return item
        if self._answers is not None and guess is not None:
            self._answers.respond(tenant_id, item, guess)
        return item

    def record_outbound(self, tenant_id: str, ticket_id: str, *, channel: str, body: str, subject: str | None,
                        external_id: str) -> ConversationItem:
        """What the notification outbox delivered, on the ticket's conversation."""
        return self.add(tenant_id, ticket_id, channel=channel, direction="outbound", author="system",
                        body=body, subject=subject, external_id=external_id)

    def of_ticket(self, tenant_id: str, ticket_id: str, actor: Actor) -> list[ConversationItem]:
        """The conversation, for an actor who may see the ticket (NotFound otherwise); staff's
        internal notes only for staff."""
        self._tickets.get(tenant_id, ticket_id, actor)
        items = self._items.list(tenant_id, ticket_id)
        return items if actor.is_staff else [i for i in items if i.direction != "internal"]
