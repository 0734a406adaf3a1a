"""The customer-notification outbox consumer: one domain event -> at most one message, in the
ticket's language, through the channel the customer used; when that channel says it can never
reach them (an address that cannot be one, a recipient the provider refuses for good), through
their next channel (e-mail, then WeCom); when none can, a staff-only note on the ticket
(`ticket.notification_undeliverable`, `ticket.reply_undeliverable` for a staff reply). Such
outcomes are logged as warnings with a reason code, never with the address, and never retried.

A status message the ticket has already outgrown is not sent (`superseded`): when the ticket has
since entered another status the customer hears about, that status's own message carries the news
(a zero-touch refund sends "refund issued", not also "received" and "approved"). The notifications
queue's delivery delay (template parameter NotificationDelaySeconds) gives a fast ticket the time to
move on before its first message is read."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from aftersales.channels.ports import ConversationStore, IntakeStore
from aftersales.core.clock import Clock
from aftersales.core.errors import IllegalTransition, NotFound
from aftersales.core.i18n import DEFAULT, supported
from aftersales.core.money import Money
from aftersales.eligibility.checks import reason_of
from aftersales.notifications.errors import RecipientUnreachable
from aftersales.notifications.templates import Visit, has_template, render, reply_subject
from aftersales.tickets.domain import AGENT_REPLIED, Actor, Ticket
from aftersales.tickets.model import Role, Status
from aftersales.tickets.service import TicketService
from aftersales.tickets.timeline import customer_visible

logger = Logger(child=True)
SYSTEM = Actor(id="system:notifications", roles=frozenset({Role.SYSTEM}))
REPLY_UNDELIVERABLE = "ticket.reply_undeliverable"
AUTO_ANSWERED = "ticket.auto_answered"  # answers/service.py: delivered like a staff reply
# statuses whose entry the customer is told about (their events have templates)
ANNOUNCED = frozenset({Status.APPROVED, Status.REJECTED, Status.AWAITING_RETURN, Status.RETURN_IN_TRANSIT,
                       Status.RETURN_RECEIVED, Status.REFUNDED, Status.RESHIPPED, Status.RESOLVED, Status.CLOSED,
                       Status.CANCELLED})
NOTIFICATION_UNDELIVERABLE = "ticket.notification_undeliverable"


class ChannelSender(Protocol):
    def ready(self, tenant_id: str) -> bool:
        """True when this tenant can send on this channel (outbound credentials configured)."""

    def send(self, tenant_id: str, contact: Mapping[str, Any], subject: str, body: str, *,
             idempotency_key: str) -> str:
        """Hands the message to the customer's contact on this channel (its `address`, and whatever
        else the channel keeps with it, e.g. a WeCom kf account) and returns the provider's id.
        Raises DeliveryFailed (the queue retries, then DLQ) or RecipientUnreachable (this channel
        will never reach them)."""


class ConversationRecorder(Protocol):
    def __call__(self, tenant_id: str, ticket_id: str, *, channel: str, body: str, subject: str | None,
                 external_id: str) -> Any: ...


class TicketLinks(Protocol):
    def url(self, tenant_id: str, ticket_id: str, now: datetime) -> str | None:
        """The signed address of the ticket's tracking page (tracking/links.py), None without a base URL."""


class TenantLocales(Protocol):
    def default_locale(self, tenant_id: str) -> str:
        """The language the tenant set for customers whose own is not known."""


class NotificationService:
    def __init__(self, contacts: IntakeStore, tickets: TicketService, senders: dict[str, ChannelSender],
                 record: ConversationRecorder | None = None, conversations: ConversationStore | None = None, *,
                 links: TicketLinks | None = None, clock: Clock | None = None,
                 tenant_locales: TenantLocales | None = None) -> None:
        self._contacts, self._tickets, self._senders, self._record = contacts, tickets, senders, record
        self._tenant_locales = tenant_locales
        self._conversations = conversations
        self._links, self._clock = links, clock

    def handle(self, event: dict[str, Any]) -> str:
        detail, name = event.get("detail") or {}, event.get("detail-type") or ""
        if name in (AGENT_REPLIED, AUTO_ANSWERED):  # a staff reply, or the bot's automatic answer
            return self._deliver_reply(detail)
        if not has_template(name) or (name.startswith("ticket.") and not customer_visible(name)):
            return "no_template"
        tenant_id = detail["tenant_id"]
        ticket = None
        if detail.get("ticket_id"):
            try:
                ticket = self._tickets.get(tenant_id, detail["ticket_id"], SYSTEM)
            except NotFound:
                ticket = None
        if ticket is not None and superseded(detail, ticket):
            logger.info("notification superseded", extra={"event": name, "status": ticket.status.value})
            return "superseded"
        customer_id = detail.get("customer_id") or (ticket.customer_id if ticket else None)
        if not customer_id:
            return "no_customer"
        contacts = self._contacts.contacts(tenant_id, customer_id)
        channels = self._channels(tenant_id, ticket.channel.value if ticket else None, contacts)
        if not channels:
            logger.info("no reachable contact", extra={"event": name})
            return "no_contact"
        evaluation = (detail.get("data") or {}).get("eligibility")  # the intake checks refused it: say why
        reason, reason_params = reason_of(evaluation) if name == "ticket.rejected" and evaluation else ("", {})
        origin = detail.get("dedup_key") or f"{name}:{detail.get('tracking_number')}:{detail.get('at')}"
        refused: dict[str, str] = {}
        link = self._link(tenant_id, ticket)
        amount = refunded_amount(name, detail)
        visit = repair_visit(detail)
        for channel in channels:
            locale = self._locale(tenant_id, ticket, contacts, channel)
            message = render(name, locale, channel, ticket=ticket.id if ticket else "",
                             status=detail.get("to_status") or "", tracking=detail.get("tracking_number") or "",
                             reason=reason, reason_params=reason_params, link=link, amount=amount,
                             visit=visit, code=str(detail.get("code") or ""),
                             time_zone=customer_zone(contacts, channel))
            assert message is not None
            key = f"{origin}:{channel}"
            if not self._contacts.first_seen(tenant_id, "notification", key, ttl_days=7):
                return "duplicate"
            provider_id = self._attempt(tenant_id, channel, contacts[channel], message.subject, message.body, key,
                                        refused)
            if provider_id is None:
                continue
            if ticket is not None and self._record is not None:
                self._record(tenant_id, ticket.id, channel=channel, body=message.body,
                             subject=message.subject or None, external_id=provider_id)
            logger.info("notification sent", extra={"event": name, "channel": channel, "locale": message.locale})
            return "sent"
        flag_key = f"{origin}:undeliverable"  # once per event, however often it is delivered
        if ticket is not None and self._contacts.first_seen(tenant_id, "notification", flag_key, ttl_days=7):
            try:
                self._flag(tenant_id, ticket, NOTIFICATION_UNDELIVERABLE,
                           {"event": name, "tried": channels, "reasons": refused})
            except Exception:
                self._contacts.forget(tenant_id, "notification", flag_key)
                raise
        return "unreachable"

    def _locale(self, tenant_id: str, ticket: Ticket | None, contacts: Mapping[str, Mapping[str, Any]],
                channel: str) -> str:
        """The customer's language: the preference stored with the contact used (channel intake
        and the customer directory record it), else with any of their contacts, else the language
        the ticket was opened in, else the tenant's default."""
        stored = contacts[channel].get("locale") or next(
            (c.get("locale") for c in contacts.values() if c.get("locale")), None)
        if stored:
            return supported(stored, DEFAULT)
        if ticket is not None:
            return supported(ticket.locale, DEFAULT)
        return supported(self._tenant_locales.default_locale(tenant_id), DEFAULT) if self._tenant_locales else DEFAULT

    def _link(self, tenant_id: str, ticket: Ticket | None) -> str:
        """A fresh signed link to the ticket's tracking page, in every ticket message ("" without one)."""
        if ticket is None or self._links is None or self._clock is None:
            return ""
        return self._links.url(tenant_id, ticket.id, self._clock.now()) or ""

    def _deliver_reply(self, detail: dict[str, Any]) -> str:
        """A staff reply (written on the conversation by ReplyService) to the customer: on the channel
        staff asked for, else the customer's usual order of channels; when none can reach them, the
        ticket says so (`ticket.reply_undeliverable`) for the agent to call or write otherwise."""
        tenant_id, ticket_id = detail["tenant_id"], detail["ticket_id"]
        data = detail.get("data") or {}
        ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
        message = next((m for m in self._conversations.list(tenant_id, ticket_id)
                        if m.message_id == data.get("message_id")), None) if self._conversations else None
        if message is None:
            raise NotFound("error.message_not_found", message_id=data.get("message_id"))  # retried, then DLQ
        contacts = self._contacts.contacts(tenant_id, ticket.customer_id)
        channels = self._channels(tenant_id, data.get("channel") or ticket.channel.value, contacts)
        refused: dict[str, str] = {}
        for channel in channels:
            key = f"reply:{message.message_id}:{channel}"
            if not self._contacts.first_seen(tenant_id, "notification", key, ttl_days=7):
                return "duplicate"
            subject = reply_subject(ticket.id, self._locale(tenant_id, ticket, contacts, channel)) \
                if channel == "email" else ""
            if self._attempt(tenant_id, channel, contacts[channel], subject, message.body, key, refused) is None:
                continue
            logger.info("reply delivered", extra={"channel": channel})
            return "sent"
        self._flag(tenant_id, ticket, REPLY_UNDELIVERABLE, {"message_id": message.message_id, "tried": channels,
                                                            "reasons": refused})
        return "unreachable"

    def _attempt(self, tenant_id: str, channel: str, contact: Mapping[str, Any], subject: str, body: str,
                 key: str, refused: dict[str, str]) -> str | None:
        """One send; the provider's id, or None when this channel can never reach the customer (the
        reason code goes into `refused` and a warning, never the address). Any other failure raises
        for the queue to retry. The dedupe marker is dropped unless the message went out: a marker
        means "sent", and a retry of a later channel's failure must come back here."""
        try:
            return self._senders[channel].send(tenant_id, contact, subject, body, idempotency_key=key)
        except RecipientUnreachable as exc:
            self._contacts.forget(tenant_id, "notification", key)
            refused[channel] = str(exc.details.get("reason") or exc.code)
            logger.warning("recipient unreachable, trying the next channel",
                           extra={"channel": channel, "reason": refused[channel],
                                  "provider_code": exc.details.get("provider_code")})
            return None
        except Exception:
            self._contacts.forget(tenant_id, "notification", key)
            raise

    def _flag(self, tenant_id: str, ticket: Ticket, event: str, data: dict[str, Any]) -> None:
        """A staff-only note that the customer could not be reached, for the agent to call or write
        otherwise; nothing to flag on a closed ticket."""
        if ticket.is_terminal:
            return
        try:
            self._tickets.note(tenant_id, ticket.id, event, SYSTEM, reason="no_reachable_channel", data=data)
        except IllegalTransition:  # closed meanwhile
            return
        logger.warning("customer unreachable on every channel", extra={"event": event, "tried": data["tried"]})

    def _channels(self, tenant_id: str, preferred: str | None, contacts: dict[str, dict[str, Any]]) -> list[str]:
        """The customer's channels in order of preference: the one the ticket came from, then e-mail,
        then WeCom; only those with a contact and a sender this tenant has configured."""
        ordered = dict.fromkeys(c for c in (preferred, "email", "wecom") if c)
        return [c for c in ordered if c in contacts and c in self._senders and self._senders[c].ready(tenant_id)]


def customer_zone(contacts: Mapping[str, Mapping[str, Any]], channel: str) -> str | None:
    """The time zone stored with the contact used, else with any of the customer's contacts."""
    return contacts[channel].get("time_zone") or next(
        (c["time_zone"] for c in contacts.values() if c.get("time_zone")), None)


def refunded_amount(name: str, detail: Mapping[str, Any]) -> Money | None:
    """The money a `ticket.refunded` moved (its audit data's amount, from the refund grant), else None."""
    stored = (detail.get("data") or {}).get("amount") if name == "ticket.refunded" else None
    if not isinstance(stored, Mapping) or not isinstance(stored.get("amount"), int) or not stored.get("currency"):
        return None
    return Money(amount=stored["amount"], currency=str(stored["currency"]))


def repair_visit(detail: Mapping[str, Any]) -> Visit | None:
    """The visit window (and ETA) a repair booking, reschedule or "on the way" note carries, else None."""
    data = detail.get("data") or {}
    window = data.get("window") if isinstance(data, Mapping) else None
    if not isinstance(window, Mapping):
        return None
    try:
        return Visit(start=window.get("start"), end=window.get("end"), eta=data.get("eta"))
    except ValidationError:
        return None


def superseded(detail: Mapping[str, Any], ticket: Ticket) -> bool:
    """The ticket has moved past this event into a status the customer is told about."""
    seq = detail.get("seq")
    return (seq is not None and ticket.version > int(seq) and ticket.status in ANNOUNCED
            and ticket.status.value != detail.get("to_status"))
