"""Staff replies and customer messages posted through the API.

The message goes on the ticket's conversation and a `ticket.agent_replied` /
`ticket.customer_replied` entry goes on its audit chain (response clocks run on these). A staff
reply is delivered by the notifications outbox, which receives that entry as a domain event: the
API never waits on SES or WeCom, and delivery gets the outbox's retries and DLQ.
"""

from __future__ import annotations

from typing import Literal

from aftersales.channels.ports import ConversationItem, ConversationStore
from aftersales.core.clock import Clock, iso
from aftersales.core.ids import new_id
from aftersales.tickets.domain import AGENT_REPLIED, CUSTOMER_REPLIED, INTERNAL_NOTE, Actor
from aftersales.tickets.model import STAFF_ROLES
from aftersales.tickets.service import TicketService

ReplyChannel = Literal["email", "wecom", "qiyu"]


class ReplyService:
    def __init__(self, conversations: ConversationStore, tickets: TicketService, clock: Clock) -> None:
        self._conversations, self._tickets, self._clock = conversations, tickets, clock

    def post(self, tenant_id: str, ticket_id: str, actor: Actor, body: str,
             channel: ReplyChannel | None = None) -> ConversationItem:
        staff = bool(actor.roles & STAFF_ROLES)
        now = self._clock.now()
        message_id = new_id("msg", now)
        # The audit entry first, in one read + one transaction: it applies the ticket's visibility
        # (a customer reaches only their own tickets), refuses a closed ticket or a role that may
        # not write, and nothing is left on the conversation then.
        ticket = self._tickets.message(tenant_id, ticket_id, AGENT_REPLIED if staff else CUSTOMER_REPLIED, actor,
                                       data={"message_id": message_id, "channel": channel})
        item = ConversationItem(
            message_id=message_id, ticket_id=ticket.id, at=iso(now),
            channel=(channel or "outbox") if staff else ticket.channel.value,
            direction="outbound" if staff else "inbound", author=actor.id, body=body,
            data={"requested_channel": channel} if channel else {})
        self._conversations.add(tenant_id, item)
        return item

    def note(self, tenant_id: str, ticket_id: str, actor: Actor, body: str) -> ConversationItem:
        """A staff member's internal note: on the conversation as `internal` (customers never see
        it, nothing delivers it) with a `ticket.internal_note` entry (not a response for the SLA)."""
        now = self._clock.now()
        message_id = new_id("msg", now)
        ticket = self._tickets.message(tenant_id, ticket_id, INTERNAL_NOTE, actor, data={"message_id": message_id})
        item = ConversationItem(message_id=message_id, ticket_id=ticket.id, at=iso(now), channel="internal",
                                direction="internal", author=actor.id, body=body)
        self._conversations.add(tenant_id, item)
        return item
