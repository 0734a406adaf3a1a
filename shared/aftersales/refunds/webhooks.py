"""Apply verified Stripe events: refund status updates and disputes (verification is the adapter's).

Deduplicated by Stripe's event id BEFORE applying; an event whose application fails is forgotten
again so Stripe's redelivery retries it. Unknown event types are acknowledged and ignored.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aftersales.core.clock import Clock, iso
from aftersales.core.errors import DomainError
from aftersales.tickets.domain import Actor, OpenTicket
from aftersales.tickets.model import Channel, Role, TicketType

SYSTEM = Actor(id="stripe-webhook", roles=frozenset({Role.SYSTEM}))
REFUND_EVENTS = frozenset({"refund.created", "refund.updated", "refund.failed"})
DEDUP_DAYS = 30


class StripeEventApplier:
    def __init__(self, money: Any, tickets: Any, find_order_by_payment, clock: Clock) -> None:
        self._money = money
        self._tickets = tickets
        self._find_order = find_order_by_payment
        self._clock = clock

    def apply(self, tenant_id: str, event: dict[str, Any]) -> dict[str, Any]:
        event_id, kind = event["id"], event.get("type", "")
        obj = (event.get("data") or {}).get("object") or {}
        expires = int((self._clock.now() + timedelta(days=DEDUP_DAYS)).timestamp())
        if not self._money.webhooks.first_time(tenant_id, "stripe", event_id, expires,
                                               {"type": kind, "object_id": obj.get("id")}):
            return {"outcome": "duplicate", "event_id": event_id}
        try:
            outcome = self._dispatch(tenant_id, kind, obj)
        except Exception:
            self._money.webhooks.forget(tenant_id, "stripe", event_id)
            raise
        return {"outcome": outcome, "event_id": event_id, "type": kind}

    def _dispatch(self, tenant_id: str, kind: str, obj: dict[str, Any]) -> str:
        if kind in REFUND_EVENTS and obj.get("object") == "refund":
            return self._refund(tenant_id, obj)
        if kind == "charge.refunded":
            refunds = ((obj.get("refunds") or {}).get("data")) or []
            return ",".join(self._refund(tenant_id, r) for r in refunds) or "no_refunds"
        if kind == "charge.dispute.created" and obj.get("object") == "dispute":
            return self._dispute(tenant_id, obj)
        return "ignored"

    def _refund(self, tenant_id: str, refund: dict[str, Any]) -> str:
        attempt = self._money.refunds.apply_provider_update(
            tenant_id, refund["id"], refund.get("status") or "unknown", refund.get("failure_reason"))
        return f"refund_{attempt.status.value}" if attempt else "refund_not_ours"

    def _dispute(self, tenant_id: str, dispute: dict[str, Any]) -> str:
        payment_ref = dispute.get("payment_intent") or dispute.get("charge")
        refs = [r for r in (dispute.get("charge"), dispute.get("payment_intent")) if r]
        order_id = next((o for o in (self._find_order(tenant_id, r) for r in refs) if o), None)
        due_unix = (dispute.get("evidence_details") or {}).get("due_by")
        due = iso(datetime.fromtimestamp(due_unix, UTC)) if due_unix else None
        record = {"dispute_id": dispute["id"], "payment_ref": payment_ref, "amount": dispute.get("amount"),
                  "currency": (dispute.get("currency") or "").upper(), "reason": dispute.get("reason"),
                  "status": dispute.get("status"), "evidence_due_by": due, "order_id": order_id}
        if order_id is None:
            self._money.config.put(tenant_id, f"DISPUTE#{dispute['id']}", {**record, "ticket_id": None})
            return "dispute_unmatched"
        try:
            ticket = self._tickets.open(tenant_id, OpenTicket(
                type=TicketType.COMPLAINT, order_id=order_id, channel=Channel.API,
                reason_code="payment_dispute",
                description=f"Stripe dispute {dispute['id']} ({dispute.get('reason')}); evidence due {due}"),
                SYSTEM)
        except DomainError:
            self._money.config.put(tenant_id, f"DISPUTE#{dispute['id']}", {**record, "ticket_id": None})
            raise
        self._money.config.put(tenant_id, f"DISPUTE#{dispute['id']}", {**record, "ticket_id": ticket.id})
        return "dispute_ticket_opened"
