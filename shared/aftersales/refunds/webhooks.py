"""Apply verified Stripe events: refund status updates and disputes (verification is the adapter's).

The verified body is read into a bounded envelope first (an object with an event id, a type and
`data.object`): anything else is a 400 with the field path and nothing is stored. Then the event is
deduplicated by Stripe's event id BEFORE applying; an event whose application fails is forgotten
again so Stripe's redelivery retries it. Unknown event types are acknowledged and ignored.

Disputes (`charge.dispute.created/updated/closed/funds_withdrawn/funds_reinstated`) join the
disputes record (stripe_disputes maps the dispute): the record sits on the order's open ticket, or
on a complaint ticket opened for it when the order has none open, and each event leaves a
`ticket.platform_dispute` note there for the ticket's agent. A dispute with an unusable optional
field (an evidence due date outside any sane range) still joins, without that field: refusing it
would only make Stripe retry a dispute we must not miss. A dispute on no order of ours, or with no
usable amount, is kept for staff under `DISPUTE#<id>` in the money config.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from pydantic import ConfigDict, Field, ValidationError

from aftersales.core.clock import Clock, iso
from aftersales.core.errors import IllegalTransition, InvalidRequest
from aftersales.core.model import DomainModel
from aftersales.disputes.model import Dispute, PlatformCase
from aftersales.refunds import stripe_disputes
from aftersales.refunds.ports import MoneyConfig, PlatformDisputes, WebhookLedger
from aftersales.refunds.service import RefundService
from aftersales.refunds.stripe_disputes import DISPUTE_EVENTS, label
from aftersales.tickets.domain import Actor, OpenTicket
from aftersales.tickets.model import Channel, Role, TicketType
from aftersales.tickets.service import TicketService

logger = Logger(child=True)
SYSTEM = Actor(id="stripe-webhook", roles=frozenset({Role.SYSTEM}))
REFUND_EVENTS = frozenset({"refund.created", "refund.updated", "refund.failed"})
DEDUP_DAYS = 30
MAX_ID = 255  # Stripe ids are well below; also the bound of every other label we keep

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


class StripeEventApplier:
    def __init__(self, webhooks: WebhookLedger, config: MoneyConfig, refunds: RefundService, tickets: TicketService,
                 find_order_by_payment: Callable[[str, str], str | None], disputes: PlatformDisputes, clock: Clock,
                 *, platform_secret: str = "") -> None:
        self._webhooks = webhooks
        self._config = config
        self._refund_service = refunds
        self._tickets = tickets
        self._find_order = find_order_by_payment
        self._disputes = disputes
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
        if kind in DISPUTE_EVENTS and obj.get("object") == "dispute":
            _read(_Dispute, obj, "data.object")  # a dispute without a usable id is a 400, nothing stored
        expires = int((self._clock.now() + timedelta(days=DEDUP_DAYS)).timestamp())
        if not self._webhooks.first_time(tenant_id, "stripe", event.id, expires,
                                               {"type": kind, "object_id": label(obj.get("id"))}):
            return {"outcome": "duplicate", "event_id": event.id}
        try:
            outcome = self._dispatch(tenant_id, event.id, kind, obj, refunds)
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

    def _dispatch(self, tenant_id: str, event_id: str, kind: str, obj: dict[str, Any],
                  refunds: list[_Refund]) -> str:
        if kind in REFUND_EVENTS and obj.get("object") == "refund":
            return self._refund(tenant_id, refunds[0])
        if kind == "charge.refunded":
            return ",".join(self._refund(tenant_id, r) for r in refunds) or "no_refunds"
        if kind in DISPUTE_EVENTS and obj.get("object") == "dispute":
            return self._dispute(tenant_id, event_id, kind, obj)
        return "ignored"

    def _refund(self, tenant_id: str, refund: _Refund) -> str:
        attempt = self._refund_service.apply_provider_update(
            tenant_id, refund.id, refund.status or "unknown", refund.failure_reason)
        return f"refund_{attempt.status.value}" if attempt else "refund_not_ours"

    # ------------------------------------------------------------------ disputes
    def _dispute(self, tenant_id: str, event_id: str, kind: str, obj: dict[str, Any]) -> str:
        dispute_id = _read(_Dispute, obj, "data.object").id
        case = stripe_disputes.dispute_case(obj, dispute_id, received_at=self._clock.now())
        if obj.get("evidence_details") and stripe_disputes.evidence_due_by(obj) is None:
            logger.warning("stripe dispute without a usable evidence due date", extra={"dispute_id": dispute_id})
        joined = self._disputes.platform_dispute(tenant_id, stripe_disputes.PROVIDER, dispute_id)
        order_id = joined.order_id if joined else self._order_of(tenant_id, obj)
        if case is None or order_id is None:
            self._keep_for_staff(tenant_id, dispute_id, obj, order_id)
            logger.warning("stripe dispute not joined", extra={"dispute_id": dispute_id,
                                                               "order_known": order_id is not None})
            return "dispute_unreadable" if case is None else "dispute_unmatched"
        ticket_id, opened = (joined.ticket_id, False) if joined else self._case_ticket(tenant_id, order_id, case)
        dispute = self._disputes.platform_case(tenant_id, ticket_id, case, event_id=event_id)
        self._note(dispute, kind, event_id)
        if joined is None:
            return "dispute_opened_with_ticket" if opened else "dispute_joined_ticket"
        return "dispute_updated"

    def _order_of(self, tenant_id: str, obj: dict[str, Any]) -> str | None:
        refs = [r for r in (label(obj.get("charge")), label(obj.get("payment_intent"))) if r]
        return next((o for o in (self._find_order(tenant_id, r) for r in refs) if o), None)

    def _case_ticket(self, tenant_id: str, order_id: str, case: PlatformCase) -> tuple[str, bool]:
        """The order's case: its newest open ticket (among the customer's 50 newest, one index
        query), else a complaint ticket opened for the chargeback so that someone owns it."""
        order = self._tickets.get_order(tenant_id, order_id, SYSTEM)
        page = self._tickets.list(tenant_id, SYSTEM, customer_id=order.customer.id, limit=50)
        open_one = next((t for t in page.items if t.order_id == order_id and not t.is_terminal), None)
        if open_one is not None:
            return open_one.id, False
        due = iso(case.evidence_due_by) if case.evidence_due_by else None
        due_text = f"evidence due {due}" if due else "evidence due date not given (see Stripe)"
        ticket = self._tickets.open(tenant_id, OpenTicket(
            type=TicketType.COMPLAINT, order_id=order_id, channel=Channel.API, reason_code="payment_dispute",
            description=f"Stripe dispute {case.case_id} ({case.reason}); {due_text}"), SYSTEM)
        return ticket.id, True

    def _note(self, dispute: Dispute, kind: str, event_id: str) -> None:
        """The ticket's agent sees each change of the chargeback on the ticket (ids, status, dates:
        no personal data); a ticket that has ended takes no note, the record still has it all."""
        platform = dispute.platform
        if platform is None:
            return
        decision = dispute.decision
        try:
            self._tickets.note(dispute.tenant_id, dispute.ticket_id, "ticket.platform_dispute", SYSTEM,
                               reason=kind, data={
                                   "dispute_id": dispute.id, "provider": platform.provider,
                                   "case_id": platform.case_id, "event_id": event_id, "status": platform.status,
                                   "dispute_status": dispute.status.value,
                                   "amount": platform.amount.model_dump(),
                                   "evidence_due_by": iso(platform.evidence_due_by) if platform.evidence_due_by
                                   else None,
                                   "funds": [{"kind": f.kind, "amount": f.amount.model_dump()} for f in platform.funds],
                                   "outcome": decision.outcome.value if decision else None})
        except IllegalTransition:
            logger.info("stripe dispute on an ended ticket: no note", extra={"dispute_id": dispute.id})

    def _keep_for_staff(self, tenant_id: str, dispute_id: str, obj: dict[str, Any], order_id: str | None) -> None:
        amount = stripe_disputes.minor_units(obj.get("amount"), obj.get("currency"))
        due = stripe_disputes.evidence_due_by(obj)
        self._config.put(tenant_id, f"DISPUTE#{dispute_id}", {
            "dispute_id": dispute_id,
            "payment_ref": label(obj.get("payment_intent")) or label(obj.get("charge")),
            "amount": amount.amount if amount else None, "currency": amount.currency if amount else None,
            "reason": stripe_disputes.code(obj.get("reason")), "status": stripe_disputes.code(obj.get("status")),
            "evidence_due_by": iso(due) if due else None, "order_id": order_id, "ticket_id": None})
