"""Ports the refund service needs; adapters (Stripe, local sandbox, DynamoDB) implement them."""

from __future__ import annotations

from typing import Any, Protocol

from aftersales.core.money import Money
from aftersales.disputes.model import Dispute, PlatformCase
from aftersales.repairs.model import ChargeClaim

from .grants import RefundAttempt, RefundGrant
from .ledger import PaymentLedger
from .listing import RefundPage, RefundState
from .provider_errors import ProviderRefundStatus
from .refundable import RefundDestination


class RefundProvider(Protocol):
    """A payment provider's refunds. Provider errors are translated in the adapter into
    ProviderUnavailable (retry with the same key) or ProviderRejected (raise ... from exc)."""

    def refund(self, payment_ref: str, amount: Money, idempotency_key: str) -> ProviderRefundStatus: ...

    def retrieve(self, payment_ref: str, provider_refund_id: str) -> ProviderRefundStatus: ...


class PaymentLedgerStore(Protocol):
    def open(self, tenant_id: str, payment_ref: str, captured: Money) -> None: ...

    def get(self, tenant_id: str, payment_ref: str) -> PaymentLedger: ...

    def reserve(self, tenant_id: str, payment_ref: str, amount: Money) -> PaymentLedger:
        """Atomic add under the condition refunded + amount <= captured; InvalidRequest otherwise."""

    def release(self, tenant_id: str, payment_ref: str, amount: Money) -> PaymentLedger: ...


class RefundStore(Protocol):
    """Grants, provider attempts and the chosen destination per ticket."""

    def get_grant(self, tenant_id: str, ticket_id: str, grant_id: str) -> RefundGrant | None: ...

    def grants(self, tenant_id: str, ticket_id: str) -> list[RefundGrant]: ...

    def create_grant(self, grant: RefundGrant, captured: Money, claim: ChargeClaim | None = None) -> bool:
        """The grant and its ledger reservation in one transaction; False when it already exists.
        With `claim` (a grant deducting a repair charge) the ticket's charge claim is written in
        the same transaction at the version it was read: ConcurrentModification when it moved on."""

    def repair_charge(self, tenant_id: str, ticket_id: str) -> ChargeClaim:
        """The ticket's repair charge claim (version 0 when never written)."""

    def save_repair_charge(self, tenant_id: str, ticket_id: str, claim: ChargeClaim) -> bool:
        """Write the claim at the version it was read (`claim.version`); False when it moved on."""

    def destination(self, tenant_id: str, ticket_id: str) -> RefundDestination | None: ...

    def put_destination(self, tenant_id: str, ticket_id: str, destination: RefundDestination, actor_id: str,
                        at: str) -> None: ...

    def abandon_grant(self, grant: RefundGrant, reason: str, at: str) -> bool:
        """Release the reservation once; False when already abandoned."""

    def attempts(self, tenant_id: str, ticket_id: str, grant_id: str) -> list[RefundAttempt]: ...

    def add_attempt(self, tenant_id: str, ticket_id: str, attempt: RefundAttempt) -> bool: ...

    def save_attempt(self, tenant_id: str, ticket_id: str, attempt: RefundAttempt,
                     failure_reason: str | None = None) -> None: ...

    def failure_reason(self, tenant_id: str, ticket_id: str, grant_id: str, number: int) -> str | None: ...

    def by_provider_refund(self, tenant_id: str, provider_refund_id: str) -> dict[str, Any] | None: ...

    def by_state(self, tenant_id: str, state: RefundState, *, limit: int, cursor: str | None) -> RefundPage:
        """The tenant's grants whose latest attempt is in `state`, newest grant first (an index
        query, no scan); `cursor` is the store's own position of the previous page."""


class WebhookLedger(Protocol):
    """Provider events seen, by the provider's event id (deduplication before applying)."""

    def first_time(self, tenant_id: str, provider: str, event_id: str, expires_at: int,
                   summary: dict[str, Any]) -> bool: ...

    def forget(self, tenant_id: str, provider: str, event_id: str) -> None:
        """Applying failed: let the provider's redelivery try again."""


class MoneyConfig(Protocol):
    """A tenant's money documents: the warehouse network, Stripe secrets, disputes."""

    def get(self, tenant_id: str, name: str) -> dict[str, Any] | None: ...

    def put(self, tenant_id: str, name: str, doc: dict[str, Any]) -> None: ...


class PlatformDisputes(Protocol):
    """The disputes context (DisputeService), as the Stripe webhook joins a chargeback to the record
    of the order's ticket."""

    def platform_dispute(self, tenant_id: str, provider: str, case_id: str) -> Dispute | None:
        """The record the case joined before, if any."""

    def platform_case(self, tenant_id: str, ticket_id: str, case: PlatformCase, *, event_id: str) -> Dispute:
        """Open the record on the ticket (first event) or update it, once per provider event id."""
