"""The customer-notification outbox consumer: one domain event -> at most one message, in the
ticket's language, through the channel the customer used; when that channel says it can never
reach them, through their next channel (e-mail, then WeCom)."""

from __future__ import annotations

from typing import Any, Protocol

from aws_lambda_powertools import Logger

from aftersales.channels.ports import IntakeStore
from aftersales.core.errors import NotFound
from aftersales.notifications.errors import RecipientUnreachable
from aftersales.notifications.templates import has_template, render
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Role
from aftersales.tickets.service import TicketService
from aftersales.tickets.timeline import customer_visible

logger = Logger(child=True)
SYSTEM = Actor(id="system:notifications", roles=frozenset({Role.SYSTEM}))


class ChannelSender(Protocol):
    def ready(self, tenant_id: str) -> bool:
        """True when this tenant can send on this channel (outbound credentials configured)."""

    def send(self, tenant_id: str, address: str, subject: str, body: str, *, idempotency_key: str) -> str:
        """Hands the message to the provider and returns its message id. Raises DeliveryFailed (the
        queue retries, then DLQ) or RecipientUnreachable (this channel will never reach them)."""


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
        channels = self._channels(tenant_id, ticket.channel.value if ticket else None, contacts)
        if not channels:
            logger.info("no reachable contact", extra={"event": name})
            return "no_contact"
        origin = detail.get("dedup_key") or f"{name}:{detail.get('tracking_number')}:{detail.get('at')}"
        for channel in channels:
            locale = ticket.locale if ticket else (contacts[channel].get("locale") or "en")
            message = render(name, locale, channel, ticket=ticket.id if ticket else "",
                             status=detail.get("to_status") or "", tracking=detail.get("tracking_number") or "")
            assert message is not None
            key = f"{origin}:{channel}"
            if not self._contacts.first_seen(tenant_id, "notification", key, ttl_days=7):
                return "duplicate"
            try:
                provider_id = self._senders[channel].send(tenant_id, contacts[channel]["address"], message.subject,
                                                          message.body, idempotency_key=key)
            except RecipientUnreachable:
                # a marker means "sent": drop it, so a retry of a later channel's failure comes back here
                self._contacts.forget(tenant_id, "notification", key)
                logger.warning("recipient unreachable, trying the next channel", extra={"channel": channel})
                continue
            except Exception:
                self._contacts.forget(tenant_id, "notification", key)  # the retry must send again
                raise
            if ticket is not None and self._record is not None:
                self._record(tenant_id, ticket.id, channel=channel, body=message.body,
                             subject=message.subject or None, external_id=provider_id)
            logger.info("notification sent", extra={"event": name, "channel": channel, "locale": message.locale})
            return "sent"
        return "unreachable"

    def _channels(self, tenant_id: str, preferred: str | None, contacts: dict[str, dict[str, Any]]) -> list[str]:
        """The customer's channels in order of preference: the one the ticket came from, then e-mail,
        then WeCom; only those with a contact and a sender this tenant has configured."""
        ordered = dict.fromkeys(c for c in (preferred, "email", "wecom") if c)
        return [c for c in ordered if c in contacts and c in self._senders and self._senders[c].ready(tenant_id)]
