"""Ports the refund service needs; adapters (Stripe, local sandbox, DynamoDB) implement them."""

from __future__ import annotations

from typing import Protocol

from pydantic import ConfigDict

from aftersales.core.model import DomainModel
from aftersales.core.money import Money

from .ledger import PaymentLedger


class ProviderRefund(DomainModel):
    model_config = ConfigDict(frozen=True)

    provider_refund_id: str
    raw_status: str


class PaymentProvider(Protocol):
    def refund(self, payment_ref: str, amount: Money, idempotency_key: str) -> ProviderRefund:
        """Provider errors are translated into domain errors in the adapter (raise ... from exc)."""


class PaymentLedgerStore(Protocol):
    def get(self, tenant_id: str, payment_ref: str) -> PaymentLedger: ...

    def reserve(self, tenant_id: str, payment_ref: str, amount: Money) -> PaymentLedger:
        """Atomic add under the condition refunded + amount <= captured; InvalidRequest otherwise."""

    def release(self, tenant_id: str, payment_ref: str, amount: Money) -> PaymentLedger: ...
