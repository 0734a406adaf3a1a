"""The customer-notification outbox consumer: one domain event -> at most one message per
(event, channel), in the ticket's language, through the channel the customer used."""

from __future__ import annotations

from typing import Any, Protocol

from aws_lambda_powertools import Logger

from aftersales.channels.ports import IntakeStore
from aftersales.core.errors import NotFound
from aftersales.notifications.templates import has_template, render
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Role
from aftersales.tickets.service import TicketService
from aftersales.tickets.timeline import customer_visible

logger = Logger(child=True)
SYSTEM = Actor(id="system:notifications", roles=frozenset({Role.SYSTEM}))


class ChannelSender(Protocol):
    def send(self, address: str, subject: str, body: str, *, idempotency_key: str) -> str:
        """Hands the message to the provider; raises DeliveryFailed (the queue retries, then DLQ)."""


class ConversationRecorder(Protocol):
    def __call__(self, tenant_id: str, ticket_id: str, *, channel: str, body: str, subject: str | None,
                 external_id: str) -> Any: ...


class NotificationService:
    def __init__(self, contacts: IntakeStore, tickets: TicketService, senders: dict[str, ChannelSender],
                 record: ConversationRecorder | None = None) -> None:
        self._contacts, self._tickets, self._senders, self._record = contacts, tickets, senders, record

    def handle(self, event: dict[str, Any]) -> str:
        detail, name = event.get("detail") or {}, event.get("detail-type") or ""
        if not has_template(name) or (name.startswith("ticket.") and not customer_visible(name)):
            return "no_template"
        tenant_id = detail["tenant_id"]
        ticket = None
        if detail.get("ticket_id"):
            try:
                ticket = self._tickets.get(tenant_id, detail["ticket_id"], SYSTEM)
            except NotFound:
                ticket = None
        customer_id = detail.get("customer_id") or (ticket.customer_id if ticket else None)
        if not customer_id:
            return "no_customer"
        contacts = self._contacts.contacts(tenant_id, customer_id)
        channel = self._channel(ticket.channel.value if ticket else None, contacts)
        if channel is None:
            logger.info("no reachable contact", extra={"event": name})
            return "no_contact"
        locale = ticket.locale if ticket else (contacts[channel].get("locale") or "en")
        message = render(name, locale, channel, ticket=ticket.id if ticket else "",
                         status=detail.get("to_status") or "", tracking=detail.get("tracking_number") or "")
        assert message is not None
        origin = detail.get("dedup_key") or f"{name}:{detail.get('tracking_number')}:{detail.get('at')}"
        key = f"{origin}:{channel}"
        if not self._contacts.first_seen(tenant_id, "notification", key, ttl_days=7):
            return "duplicate"
        try:
            provider_id = self._senders[channel].send(contacts[channel]["address"], message.subject, message.body,
                                                      idempotency_key=key)
        except Exception:
            self._contacts.forget(tenant_id, "notification", key)  # the retry must send again
            raise
        if ticket is not None and self._record is not None:
            self._record(tenant_id, ticket.id, channel=channel, body=message.body, subject=message.subject or None,
                         external_id=provider_id)
        logger.info("notification sent", extra={"event": name, "channel": channel, "locale": message.locale})
        return "sent"

    def _channel(self, preferred: str | None, contacts: dict[str, dict[str, Any]]) -> str | None:
        for candidate in (preferred, "email", "wecom", "douyin"):
            if candidate and candidate in contacts and candidate in self._senders:
                return candidate
        return None


class ChatOutbox:
    """WeCom / Douyin messages behind the ChannelSender port. Calling the platforms' send APIs
    needs per-tenant access tokens that this issue does not manage yet: the message is recorded on
    the ticket's conversation (agents see it, and the chat apps' own polling can pick it up)."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.sent: list[dict[str, str]] = []

    def send(self, address: str, subject: str, body: str, *, idempotency_key: str) -> str:
        self.sent.append({"key": idempotency_key})
        return f"{self.channel}:{idempotency_key}"
