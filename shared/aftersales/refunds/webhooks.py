"""Apply verified Stripe events: refund status updates and disputes (verification is the adapter's).

The verified body is read into a bounded envelope first (an object with an event id, a type and
`data.object`): anything else is a 400 with the field path and nothing is stored. Then the event is
deduplicated by Stripe's event id BEFORE applying; an event whose application fails is forgotten
again so Stripe's redelivery retries it. Unknown event types are acknowledged and ignored.

A dispute with one unusable optional field (an evidence due date outside any sane range, an
amount no payment can carry) is still recorded and still opens its complaint ticket, without that
field: refusing it would only make Stripe retry a dispute we must not miss.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from pydantic import ConfigDict, Field, ValidationError

from aftersales.core.clock import Clock, from_unix, iso
from aftersales.core.errors import DomainError, InvalidRequest
from aftersales.core.model import DomainModel
from aftersales.core.money import Money
from aftersales.refunds.ports import MoneyConfig, WebhookLedger
from aftersales.refunds.service import RefundService
from aftersales.tickets.domain import Actor, OpenTicket
from aftersales.tickets.model import Channel, Role, TicketType
from aftersales.tickets.service import TicketService

logger = Logger(child=True)
SYSTEM = Actor(id="stripe-webhook", roles=frozenset({Role.SYSTEM}))
REFUND_EVENTS = frozenset({"refund.created", "refund.updated", "refund.failed"})
DEDUP_DAYS = 30
MAX_ID = 255  # Stripe ids are well below; also the bound of every other label we keep

_ID = re.compile(r"[!-~]{1,255}")
_CODE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
StripeId = Annotated[str, Field(min_length=1, max_length=MAX_ID, pattern=r"^[!-~]+$")]


class StripePayloadError(InvalidRequest):
    """A verified Stripe body we cannot read as an event (400, with the field path when there is one)."""

    code = "stripe_payload_invalid"


class _EventData(DomainModel):
    model_config = ConfigDict(extra="ignore")

    object: dict[str, Any]


class StripeEvent(DomainModel):
    model_config = ConfigDict(extra="ignore")

    id: StripeId
    type: Annotated[str, Field(max_length=MAX_ID)] = ""
    data: _EventData


class _Refund(DomainModel):
    model_config = ConfigDict(extra="ignore")

    id: StripeId
    status: Annotated[str, Field(max_length=64)] | None = None
    failure_reason: Annotated[str, Field(max_length=MAX_ID)] | None = None


class _Dispute(DomainModel):
    model_config = ConfigDict(extra="ignore")

    id: StripeId


def _field_path(error: dict[str, Any], prefix: str) -> str:
    return ".".join([prefix, *(str(p) for p in error.get("loc", ()))]).strip(".") or prefix


def _read(model: type[DomainModel], value: Any, prefix: str) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise StripePayloadError("stripe.field_invalid", field=_field_path(first, prefix)) from None


def read_event(body: Any) -> StripeEvent:
    """The decoded, verified body as a Stripe event envelope; StripePayloadError (400) otherwise."""
    if not isinstance(body, dict):
        raise StripePayloadError("stripe.event_not_object")
    return _read(StripeEvent, body, "")


def _label(value: object) -> str | None:
    """An id-like value (a charge or payment intent id) we may look up and keep; else None."""
    return value if isinstance(value, str) and _ID.fullmatch(value) else None


def _code(value: object) -> str | None:
    """A Stripe enum value (dispute reason, status): an open set, but never free text."""
    return value if isinstance(value, str) and _CODE.fullmatch(value) else None


def _minor_units(amount: object, currency: object) -> Money | None:
    if isinstance(amount, bool) or not isinstance(amount, int) or not isinstance(currency, str):
        return None
    try:
        return Money(amount=amount, currency=currency.upper())
    except ValidationError:
        return None


class StripeEventApplier:
    def __init__(self, webhooks: WebhookLedger, config: MoneyConfig, refunds: RefundService, tickets: TicketService,
                 find_order_by_payment: Callable[[str, str], str | None], clock: Clock, *,
                 platform_secret: str = "") -> None:
        self._webhooks = webhooks
        self._config = config
        self._refund_service = refunds
        self._tickets = tickets
        self._find_order = find_order_by_payment
        self._clock = clock
        self._platform_secret = platform_secret

    def secret_for(self, tenant_id: str) -> str:
        """The tenant's own endpoint secret, else the platform's; empty when neither is set."""
        tenant_cfg = self._config.get(tenant_id, "STRIPE") or {}
        return tenant_cfg.get("webhook_secret") or self._platform_secret

    def apply(self, tenant_id: str, body: Any) -> dict[str, Any]:
        event = read_event(body)
        kind, obj = event.type, event.data.object
        refunds = self._refunds(kind, obj)  # every refund of the event is readable before anything is stored
        expires = int((self._clock.now() + timedelta(days=DEDUP_DAYS)).timestamp())
        if not self._webhooks.first_time(tenant_id, "stripe", event.id, expires,
                                               {"type": kind, "object_id": _label(obj.get("id"))}):
            return {"outcome": "duplicate", "event_id": event.id}
        try:
            outcome = self._dispatch(tenant_id, kind, obj, refunds)
        except Exception:
            self._webhooks.forget(tenant_id, "stripe", event.id)
            raise
        return {"outcome": outcome, "event_id": event.id, "type": kind}

    @staticmethod
    def _refunds(kind: str, obj: dict[str, Any]) -> list[_Refund]:
        if kind in REFUND_EVENTS and obj.get("object") == "refund":
            return [_read(_Refund, obj, "data.object")]
        if kind == "charge.refunded":
            listed = obj.get("refunds")
            entries = listed.get("data") if isinstance(listed, dict) else None
            if entries is not None and not isinstance(entries, list):
                raise StripePayloadError("stripe.field_invalid", field="data.object.refunds.data")
            return [_read(_Refund, r, f"data.object.refunds.data.{i}") for i, r in enumerate(entries or [])]
        return []

    def _dispatch(self, tenant_id: str, kind: str, obj: dict[str, Any], refunds: list[_Refund]) -> str:
        if kind in REFUND_EVENTS and obj.get("object") == "refund":
            return self._refund(tenant_id, refunds[0])
        if kind == "charge.refunded":
            return ",".join(self._refund(tenant_id, r) for r in refunds) or "no_refunds"
        if kind == "charge.dispute.created" and obj.get("object") == "dispute":
            return self._dispute(tenant_id, obj)
        return "ignored"

    def _refund(self, tenant_id: str, refund: _Refund) -> str:
        attempt = self._refund_service.apply_provider_update(
            tenant_id, refund.id, refund.status or "unknown", refund.failure_reason)
        return f"refund_{attempt.status.value}" if attempt else "refund_not_ours"

    def _dispute(self, tenant_id: str, dispute: dict[str, Any]) -> str:
        dispute_id = _read(_Dispute, dispute, "data.object").id
        charge, intent = _label(dispute.get("charge")), _label(dispute.get("payment_intent"))
        refs = [r for r in (charge, intent) if r]
        order_id = next((o for o in (self._find_order(tenant_id, r) for r in refs) if o), None)
        evidence = dispute.get("evidence_details")
        due_raw = evidence.get("due_by") if isinstance(evidence, dict) else None
        due_at = from_unix(due_raw)
        due = iso(due_at) if due_at else None
        if due_raw is not None and due_at is None:
            logger.warning("stripe dispute without a usable evidence due date", extra={"dispute_id": dispute_id})
        amount = _minor_units(dispute.get("amount"), dispute.get("currency"))
        record = {"dispute_id": dispute_id, "payment_ref": intent or charge,
                  "amount": amount.amount if amount else None, "currency": amount.currency if amount else None,
                  "reason": _code(dispute.get("reason")), "status": _code(dispute.get("status")),
                  "evidence_due_by": due, "order_id": order_id}
        if order_id is None:
            self._config.put(tenant_id, f"DISPUTE#{dispute_id}", {**record, "ticket_id": None})
            return "dispute_unmatched"
        due_text = f"evidence due {due}" if due else "evidence due date not given (see Stripe)"
        try:
            ticket = self._tickets.open(tenant_id, OpenTicket(
                type=TicketType.COMPLAINT, order_id=order_id, channel=Channel.API,
                reason_code="payment_dispute",
                description=f"Stripe dispute {dispute_id} ({record['reason']}); {due_text}"),
                SYSTEM)
        except DomainError:
            self._config.put(tenant_id, f"DISPUTE#{dispute_id}", {**record, "ticket_id": None})
            raise
        self._config.put(tenant_id, f"DISPUTE#{dispute_id}", {**record, "ticket_id": ticket.id})
        return "dispute_ticket_opened"
