"""Refund use cases behind the refund saga (Step Functions) and the Stripe webhook.

grant (quote + ledger reservation, one transaction, once per grant id) -> attempt (provider call
with the grant/attempt idempotency key; a crash before the DB write is healed by calling again with
the same key) -> poll until settled -> complete (ticket refunded) | fail (reason on the refund
record, reservation released once, order update event).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aftersales.core.clock import Clock, iso
from aftersales.core.errors import ConcurrentModification, Conflict, InvalidRequest, NotFound
from aftersales.core.money import Money
from aftersales.repairs.model import ChargeClaim
from aftersales.repairs.settlement import against_refund, recorded
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tickets.model import Acceptance, Role, Status, TicketType
from aftersales.tickets.ports import TicketRecords
from aftersales.tickets.service import TicketService
from aftersales.tickets.warrants import RefundDecision, RefundSettlement

from .grants import RETRYABLE, RefundAttempt, RefundGrant, RefundStatus, idempotency_key
from .listing import RefundPage, RefundState
from .ports import MoneyConfig, PaymentLedgerStore, RefundProvider, RefundStore
from .provider_errors import ProviderRefundStatus
from .refundable import (
    RefundDestination,
    RefundLine,
    RefundQuote,
    ReturnReason,
    TenantRefundSettings,
    choose_destination,
    quote_refund,
)

SYSTEM = Actor(id="refund-workflow", roles=frozenset({Role.SYSTEM}))
OPEN = frozenset({RefundStatus.PENDING, RefundStatus.REQUIRES_ACTION, RefundStatus.UNKNOWN})
REFUND_FAILED_EVENT = "ticket.refund_failed"
# Orders paid on these sales platforms are refunded by the platform once the shop agrees (the
# channels context writes the decision back); our payment provider is never called for them.
PLATFORM_SETTLED = frozenset({"douyin"})
CLAIM_ATTEMPTS = 3  # a grant quoted again after a repair charge move claimed meanwhile
SETTINGS_ITEM = "REFUND_SETTINGS"  # <tenant>#CONFIG / REFUND_SETTINGS in the money table
REFUND_TYPES = frozenset({TicketType.RETURN_REFUND, TicketType.REFUND_ONLY, TicketType.SHIPPING_FEE_REFUND,
                          TicketType.REPAIR})


def grant_id_for(ticket_id: str, seq: int) -> str:
    """One grant per entry into refund_pending (the audit seq), so a replayed start reuses it."""
    return f"grt_{ticket_id}_{seq}"


class RefundService:
    def __init__(self, tickets: TicketService, ticket_store: TicketRecords, ledger: PaymentLedgerStore,
                 store: RefundStore, provider_for: Callable[[str], RefundProvider], clock: Clock,
                 config: MoneyConfig) -> None:
        self._config = config  # the tenant's REFUND_SETTINGS document
        self._tickets = tickets
        self._ticket_store = ticket_store
        self._ledger = ledger
        self._store = store
        self._provider_for = provider_for
        self._clock = clock

    # ------------------------------------------------------------------ saga steps
    def grant(self, tenant_id: str, ticket_id: str, grant_id: str) -> RefundGrant:
        """Quote with the tenant's settings, choose the destination, reserve: once per grant id.
        A refused grant (nothing refundable, inspection missing, over the captured amount) is
        surfaced on the ticket as `ticket.refund_failed` before the error ends the saga."""
        existing = self._store.get_grant(tenant_id, ticket_id, grant_id)
        if existing is not None:
            return existing
        ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
        if ticket.status != Status.REFUND_PENDING:
            raise Conflict("refunds.ticket_not_refund_pending", status=ticket.status.value)
        stored = self._ticket_store.get_order(tenant_id, ticket.order_id)
        if stored is None:
            raise NotFound("error.order_not_found", order_id=ticket.order_id)
        order = stored.order
        settings = self.settings(tenant_id)
        requested = self._store.destination(tenant_id, ticket_id)
        platform = order.payment.provider if order.payment.provider in PLATFORM_SETTLED else None
        # the platform pays its own orders back to the original payment the moment the shop agrees:
        # store credit or a coupon on top would refund twice
        destination = (requested if requested is not None and requested in settings.alternative_destinations
                       and platform is None else RefundDestination.ORIGINAL_PAYMENT)
        for _ in range(CLAIM_ATTEMPTS):
            claim = self._store.repair_charge(tenant_id, ticket_id)
            try:
                quote = self.less_repair_costs(tenant_id, ticket_id, _quote(
                    ticket, order, settings, self.return_shipping_paid(tenant_id, ticket_id)), claim)
                grant = RefundGrant.from_quote(quote, grant_id=grant_id, tenant_id=tenant_id, ticket_id=ticket_id,
                                               payment_ref=order.payment.reference, destination=destination,
                                               granted_at=self._clock.now(),
                                               requested_destination=requested if requested != destination else None,
                                               settled_by_platform=platform)
                self._ledger.open(tenant_id, order.payment.reference, order.payment.captured)
                # a deduction claims the ticket's repair charge at the version read: a charge move
                # claimed meanwhile fails it, and the quote is made again without the deduction
                self._store.create_grant(grant, order.payment.captured,
                                         claim.deducting(quote.repair_deduction) if quote.repair_deduction else None)
            except InvalidRequest as exc:
                self._refused(tenant_id, ticket_id, grant_id, exc)
                raise
            except ConcurrentModification:
                continue
            return self._store.get_grant(tenant_id, ticket_id, grant_id)
        raise ConcurrentModification("error.concurrent_modification")

    def refund_unrepairable(self, tenant_id: str, ticket_id: str, actor: Actor, reason: str) -> Ticket:
        """unrepairable -> refund_pending: money the repair's approval did not cover, so someone
        with a money role who neither asked for nor approved the repair decides it (the domain
        checks both); the refund saga starts from the new status. What the customer owes for the
        repair is checked against the refund first (one currency, 422 otherwise)."""
        ticket = self._tickets.get(tenant_id, ticket_id, actor)
        stored = self._ticket_store.get_order(tenant_id, ticket.order_id)
        if stored is not None:
            self.less_repair_costs(tenant_id, ticket_id, _quote(ticket, stored.order, self.settings(tenant_id)))
        return self._tickets.transition(tenant_id, ticket_id, Status.REFUND_PENDING, actor, reason=reason,
                                        data={"decided_by": actor.id}, warrant=RefundDecision())

    # ------------------------------------------------------------------ tenant settings, requests
    def settings(self, tenant_id: str) -> TenantRefundSettings:
        return refund_settings(self._config, tenant_id)

    def put_settings(self, tenant_id: str, settings: TenantRefundSettings) -> TenantRefundSettings:
        self._config.put(tenant_id, SETTINGS_ITEM, settings.model_dump(mode="json"))
        return settings

    def request_destination(self, tenant_id: str, ticket_id: str, actor: Actor,
                            destination: RefundDestination) -> dict[str, Any]:
        """The customer's (or storefront's / staff's) choice of where the refund goes; refused when
        the tenant does not offer it, and fixed once a grant was made."""
        ticket = self._tickets.get(tenant_id, ticket_id, actor)
        if ticket.type not in REFUND_TYPES:
            raise InvalidRequest("refunds.destination_not_applicable", field="destination", type=ticket.type.value)
        if ticket.is_terminal or ticket.status == Status.REFUNDED or self._store.grants(tenant_id, ticket_id):
            raise Conflict("refunds.destination_locked", status=ticket.status.value)
        stored = self._ticket_store.get_order(tenant_id, ticket.order_id)
        if (destination is not RefundDestination.ORIGINAL_PAYMENT and stored is not None
                and stored.order.payment.provider in PLATFORM_SETTLED):
            raise InvalidRequest("refunds.destination_fixed_by_platform", field="destination",
                                 platform=stored.order.payment.provider)
        choose_destination(self.settings(tenant_id), destination)
        self._store.put_destination(tenant_id, ticket_id, destination, actor.id, iso(self._clock.now()))
        return {"ticket_id": ticket_id, "requested_destination": destination.value}

    def return_shipping_paid(self, tenant_id: str, ticket_id: str) -> Money | None:
        """The latest `return_shipping_paid` recorded on the ticket's audit chain (return shipment)."""
        for entry in reversed(self._ticket_store.audit_entries(tenant_id, ticket_id)):
            paid = (entry.data or {}).get("return_shipping_paid")
            if paid:
                return Money.model_validate(paid)
        return None

    def less_repair_costs(self, tenant_id: str, ticket_id: str, quote: RefundQuote,
                          claim: ChargeClaim | None = None) -> RefundQuote:
        """The quote less what the customer owes for the ticket's repair (`ticket.repair_settled`),
        never more than the quote pays; a charge already waived or paid (on the ticket's chain, or
        claimed by a move not on it yet) is not deducted."""
        settlement = recorded(self._ticket_store.audit_entries(tenant_id, ticket_id))
        if settlement is None:
            return quote
        claim = claim if claim is not None else self._store.repair_charge(tenant_id, ticket_id)
        if settlement.job_id in claim.moves:
            return quote
        applied = against_refund(settlement, quote.total)
        if not applied.deduction.amount:
            return quote
        return quote.model_copy(update={"repair_deduction": applied.deduction,
                                        "total": quote.total - applied.deduction})

    def repair_charge(self, tenant_id: str, ticket_id: str) -> ChargeClaim:
        """The ticket's repair charge claim: what its refund grants took off for the repair (the
        part of a charge the customer no longer owes besides the refund) and the moves claimed."""
        return self._store.repair_charge(tenant_id, ticket_id)

    def claim_charge(self, tenant_id: str, ticket_id: str, claim: ChargeClaim) -> bool:
        """A charge move claimed at the version read; False when a grant's deduction or another
        move came first (the mover reads again)."""
        return self._store.save_repair_charge(tenant_id, ticket_id, claim)

    def _refused(self, tenant_id: str, ticket_id: str, grant_id: str, exc: InvalidRequest) -> None:
        if any(e.event == REFUND_FAILED_EVENT and (e.data or {}).get("grant_id") == grant_id
               for e in self._ticket_store.audit_entries(tenant_id, ticket_id)):
            return
        details = {k: v for k, v in exc.details.items() if k != "field"}
        self._tickets.note(tenant_id, ticket_id, REFUND_FAILED_EVENT, SYSTEM, reason=exc.message_id, data={
            "grant_id": grant_id, "amount": None, "stage": "grant", "details": details,
            "reservation_released": False})

    def attempt(self, tenant_id: str, ticket_id: str, grant_id: str) -> RefundAttempt:
        """Call the provider for the current attempt; safe to call again after any failure."""
        grant = self._require_grant(tenant_id, ticket_id, grant_id)
        attempts = self._store.attempts(tenant_id, ticket_id, grant_id)
        latest = max(attempts, key=lambda a: a.attempt_number, default=None)
        if latest is None:
            latest = RefundAttempt(grant_id=grant_id, attempt_number=1,
                                   idempotency_key=idempotency_key(ticket_id, grant_id, 1))
            if not self._store.add_attempt(tenant_id, ticket_id, latest):
                latest = max(self._store.attempts(tenant_id, ticket_id, grant_id), key=lambda a: a.attempt_number)
        if latest.provider_refund_id is not None:
            return latest  # the provider already answered for this attempt: poll, don't re-create
        if grant.destination is not RefundDestination.ORIGINAL_PAYMENT:
            # store credit / coupon: the storefront issues it on the refund.<kind>_issued event that
            # follows ticket.refunded; no payment-provider call, the attempt succeeds here
            return self._record(tenant_id, ticket_id, latest, ProviderRefundStatus(
                provider_refund_id=f"{grant.destination.value}_{grant.grant_id}", raw_status="succeeded"))
        if grant.settled_by_platform:
            # the platform refunds on the decision we wrote back to it; its own report settles this
            # attempt (settle_by_platform), the saga's polls just wait for that
            return self._record(tenant_id, ticket_id, latest, ProviderRefundStatus(
                provider_refund_id=platform_refund_id(grant), raw_status="pending"))
        provider = self._provider_for(tenant_id)
        answer = provider.refund(grant.payment_ref, grant.amount, latest.idempotency_key)
        return self._record(tenant_id, ticket_id, latest, answer)

    def poll(self, tenant_id: str, ticket_id: str, grant_id: str) -> RefundAttempt:
        grant = self._require_grant(tenant_id, ticket_id, grant_id)
        latest = self._latest(tenant_id, ticket_id, grant_id)
        if latest.status not in OPEN or latest.provider_refund_id is None or grant.settled_by_platform:
            return latest
        answer = self._provider_for(tenant_id).retrieve(grant.payment_ref, latest.provider_refund_id)
        return self._record(tenant_id, ticket_id, latest, answer)

    def complete(self, tenant_id: str, ticket_id: str, grant_id: str) -> Ticket:
        grant = self._require_grant(tenant_id, ticket_id, grant_id)
        latest = self._latest(tenant_id, ticket_id, grant_id)
        if latest.status is not RefundStatus.SUCCEEDED:
            raise Conflict("refunds.not_succeeded", status=latest.status.value)
        ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
        if ticket.status != Status.REFUND_PENDING:
            return ticket  # retried step
        return self._tickets.transition(
            tenant_id, ticket_id, Status.REFUNDED, SYSTEM, reason="refund_succeeded",
            data={"grant_id": grant_id, "amount": grant.amount.model_dump(), "destination": grant.destination.value,
                  "provider_refund_id": latest.provider_refund_id, "attempt": latest.attempt_number},
            warrant=RefundSettlement(grant_id=grant_id, provider_refund_id=latest.provider_refund_id or grant_id))

    def fail(self, tenant_id: str, ticket_id: str, grant_id: str, error: dict[str, Any] | None = None
             ) -> dict[str, Any]:
        """The saga gave up: surface the reason and release the reservation exactly once."""
        grant = self._require_grant(tenant_id, ticket_id, grant_id)
        attempts = self._store.attempts(tenant_id, ticket_id, grant_id)
        latest = max(attempts, key=lambda a: a.attempt_number, default=None)
        if latest is not None and latest.status in (RefundStatus.SUCCEEDED, *OPEN) and latest.provider_refund_id:
            # the money may still move: keep the reservation, flag for manual follow-up
            if latest.status is RefundStatus.SUCCEEDED:
                return {"released": False, "reason": "succeeded"}
            self._surface(tenant_id, ticket_id, grant, latest, "provider_outcome_unknown", released=False)
            return {"released": False, "reason": "provider_outcome_unknown"}
        reason = (self._store.failure_reason(tenant_id, ticket_id, grant_id, latest.attempt_number)
                  if latest else None) or ((error or {}).get("error") or {}).get("Error") or "failed"
        released = self._store.abandon_grant(grant, reason, iso(self._clock.now()))
        self._surface(tenant_id, ticket_id, grant, latest, reason, released=True)
        return {"released": released, "reason": reason}

    def _surface(self, tenant_id: str, ticket_id: str, grant: RefundGrant, latest: RefundAttempt | None,
                 reason: str, *, released: bool) -> None:
        """One `ticket.refund_failed` audit entry per grant (a retried fail step finds it and writes
        nothing). The entry becomes a domain event; the money-path consumer turns it into the order
        update event for the storefront."""
        if any(e.event == REFUND_FAILED_EVENT and (e.data or {}).get("grant_id") == grant.grant_id
               for e in self._ticket_store.audit_entries(tenant_id, ticket_id)):
            return
        ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
        if ticket.status != Status.REFUND_PENDING:
            return  # staff moved it on meanwhile; the refund record still carries the reason
        self._tickets.note(tenant_id, ticket_id, REFUND_FAILED_EVENT, SYSTEM, reason=reason, data={
            "grant_id": grant.grant_id, "amount": grant.amount.model_dump(),
            "attempt": latest.attempt_number if latest else None,
            "provider_refund_id": latest.provider_refund_id if latest else None,
            "provider_status": latest.raw_status if latest else None,
            "reservation_released": released})

    # ------------------------------------------------------------------ webhook side
    def settle_by_platform(self, tenant_id: str, ticket_id: str, platform: str) -> Ticket | None:
        """The platform reports it refunded the buyer: settle its open grant and complete the ticket
        (the saga's next poll finds it done). None when no such grant exists yet (the platform was
        faster than our saga, or the refund was agreed in the platform's back office)."""
        for grant in self._store.grants(tenant_id, ticket_id):
            if grant.settled_by_platform != platform:
                continue
            latest = self._latest_or_none(tenant_id, ticket_id, grant.grant_id)
            if latest is None or latest.status not in (*OPEN, RefundStatus.SUCCEEDED):
                continue
            self._record(tenant_id, ticket_id, latest, ProviderRefundStatus(
                provider_refund_id=platform_refund_id(grant), raw_status="succeeded"))
            return self.complete(tenant_id, ticket_id, grant.grant_id)
        return None

    def apply_provider_update(self, tenant_id: str, provider_refund_id: str, raw_status: str,
                              failure_reason: str | None = None) -> RefundAttempt | None:
        ref = self._store.by_provider_refund(tenant_id, provider_refund_id)
        if ref is None:
            return None  # not ours (or not recorded yet: the saga's poll will catch up)
        attempts = self._store.attempts(tenant_id, ref["ticket_id"], ref["grant_id"])
        attempt = next((a for a in attempts if a.attempt_number == ref["attempt_number"]), None)
        if attempt is None:
            return None
        return self._record(tenant_id, ref["ticket_id"], attempt, ProviderRefundStatus(
            provider_refund_id=provider_refund_id, raw_status=raw_status, failure_reason=failure_reason))

    # ------------------------------------------------------------------ reads
    def status(self, tenant_id: str, ticket_id: str, actor: Actor) -> dict[str, Any]:
        self._tickets.get(tenant_id, ticket_id, actor)
        grants = []
        for grant in self._store.grants(tenant_id, ticket_id):
            attempts = self._store.attempts(tenant_id, ticket_id, grant.grant_id)
            latest = max(attempts, key=lambda a: a.attempt_number, default=None)
            grants.append({
                "grant_id": grant.grant_id, "amount": grant.amount.model_dump(), "payment_ref": grant.payment_ref,
                "destination": grant.destination.value, "granted_at": iso(grant.granted_at),
                "requested_destination": grant.requested_destination.value if grant.requested_destination else None,
                "lines": [line.model_dump(mode="json") for line in grant.lines],
                "return_shipping": grant.return_shipping.model_dump(),
                "restocking_fee": grant.restocking_fee.model_dump(),
                "repair_deduction": grant.repair_deduction.model_dump() if grant.repair_deduction else None,
                "status": latest.status.value if latest else "granted",
                "failure_reason": (self._store.failure_reason(tenant_id, ticket_id, grant.grant_id,
                                                              latest.attempt_number) if latest else None),
                "attempts": [{"attempt_number": a.attempt_number, "status": a.status.value,
                              "raw_status": a.raw_status, "provider_refund_id": a.provider_refund_id}
                             for a in sorted(attempts, key=lambda a: a.attempt_number)]})
        requested = self._store.destination(tenant_id, ticket_id)
        return {"ticket_id": ticket_id, "requested_destination": requested.value if requested else None,
                "grants": grants}

    def listing(self, tenant_id: str, state: RefundState, *, limit: int, cursor: str | None) -> RefundPage:
        """The tenant's refunds in `state` across tickets, newest grant first (the route checks the
        caller may see money: finance, supervisor, admin)."""
        return self._store.by_state(tenant_id, state, limit=limit, cursor=cursor)

    # ------------------------------------------------------------------ helpers
    def _record(self, tenant_id: str, ticket_id: str, attempt: RefundAttempt, answer: ProviderRefundStatus
                ) -> RefundAttempt:
        updated = attempt.with_provider_status(answer.raw_status, answer.provider_refund_id)
        if updated.provider_refund_id is None:
            updated = updated.model_copy(update={"provider_refund_id": answer.provider_refund_id})
        reason = answer.failure_reason if updated.status in RETRYABLE else None
        if updated != attempt or reason:
            self._store.save_attempt(tenant_id, ticket_id, updated, reason)
        return updated

    def _require_grant(self, tenant_id: str, ticket_id: str, grant_id: str) -> RefundGrant:
        grant = self._store.get_grant(tenant_id, ticket_id, grant_id)
        if grant is None:
            raise NotFound("refunds.grant_not_found", grant_id=grant_id)
        return grant

    def _latest_or_none(self, tenant_id: str, ticket_id: str, grant_id: str) -> RefundAttempt | None:
        return max(self._store.attempts(tenant_id, ticket_id, grant_id), key=lambda a: a.attempt_number, default=None)

    def _latest(self, tenant_id: str, ticket_id: str, grant_id: str) -> RefundAttempt:
        attempts = self._store.attempts(tenant_id, ticket_id, grant_id)
        if not attempts:
            raise NotFound("refunds.attempt_not_found", grant_id=grant_id)
        return max(attempts, key=lambda a: a.attempt_number)


def platform_refund_id(grant: RefundGrant) -> str:
    return f"{grant.settled_by_platform}:{grant.grant_id}"


def _quote(ticket: Ticket, order: Any, settings: TenantRefundSettings, return_shipping_paid: Money | None = None
           ) -> RefundQuote:
    """Return-refund tickets refund the ACCEPTED quantities recorded by inspection (POST
    /tickets/{id}/inspection; lines still pending -> `refunds.inspection_required`), plus the return
    shipping the customer paid when the merchant bears it, minus the tenant's restocking fee when
    the customer bears it. Refund-only / repair tickets refund the requested quantities (nothing
    comes back: no shipping, no restocking fee); shipping-fee refunds refund the fee."""
    try:
        reason = ReturnReason(ticket.reason_code)
    except ValueError:
        reason = ReturnReason.CHANGED_MIND
    # nothing comes back (refund-only, repair): no shipping, no restocking fee; duties as the tenant says
    no_fee = TenantRefundSettings(refund_duties_and_taxes=settings.refund_duties_and_taxes)
    if ticket.type == TicketType.SHIPPING_FEE_REFUND:
        return quote_refund([RefundLine(line_id="shipping", unit_price_paid=order.shipping.fee,
                                        accepted_quantity=1)], reason, no_fee)
    goods_returned = ticket.type == TicketType.RETURN_REFUND
    lines = []
    for line in ticket.lines:
        if line.acceptance == Acceptance.REJECTED:
            quantity = 0
        elif line.acceptance == Acceptance.ACCEPTED:
            quantity = line.quantity_accepted
        elif goods_returned:
            raise InvalidRequest("refunds.inspection_required", ticket_id=ticket.id, line_id=line.line_id)
        else:
            quantity = line.quantity_requested
        bought = order.line(line.line_id)
        lines.append(RefundLine(line_id=line.line_id, unit_price_paid=line.unit_price, accepted_quantity=quantity,
                                unit_duties_and_taxes=bought.unit_duties_and_taxes if bought else None))
    if not lines:
        raise InvalidRequest("refunds.nothing_to_refund", ticket_id=ticket.id)
    if not goods_returned:
        return quote_refund(lines, reason, no_fee)
    return quote_refund(lines, reason, settings, return_shipping_paid=return_shipping_paid)


def refund_settings(config: MoneyConfig | None, tenant_id: str) -> TenantRefundSettings:
    """The tenant's refund settings document, or the defaults until it sets one."""
    doc = config.get(tenant_id, SETTINGS_ITEM) if config is not None else None
    return TenantRefundSettings.model_validate(doc) if doc else TenantRefundSettings()
