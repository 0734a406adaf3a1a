"""Which payment provider refunds a tenant's payments: Stripe (PAYMENT_PROVIDER=stripe, which then
needs STRIPE_SECRET_KEY) or the local sandbox. One provider per tenant and container, built on the first refund."""

from __future__ import annotations

from collections.abc import Callable

from aftersales.core.clock import Clock
from aftersales.core.settings import PaymentSettings, SettingsMissing
from aftersales.refunds.ports import RefundProvider


class PaymentProviders:
    def __init__(self, settings: Callable[[], PaymentSettings], clock: Clock) -> None:
        self._settings = settings
        self._clock = clock
        self._providers: dict[str, RefundProvider] = {}

    def for_tenant(self, tenant_id: str) -> RefundProvider:
        if tenant_id not in self._providers:
            self._providers[tenant_id] = self._build(tenant_id)
        return self._providers[tenant_id]

    def use(self, tenant_id: str, provider: RefundProvider) -> None:
        """Route the tenant's refunds to `provider` (the local stack's demo, tests, benches)."""
        self._providers[tenant_id] = provider

    def built(self, tenant_id: str) -> bool:
        return tenant_id in self._providers

    def _build(self, tenant_id: str) -> RefundProvider:
        cfg = self._settings()
        if cfg.payment_provider == "stripe":
            if not cfg.stripe_secret_key:  # never fall back to the sandbox: no money would move
                raise SettingsMissing("payment", ["STRIPE_SECRET_KEY is not set"])
            from aftersales.adapters.stripe_payments import StripePaymentProvider

            return StripePaymentProvider(cfg.stripe_secret_key)
        from aftersales.adapters.sandbox_payments import SandboxBehaviour, SandboxPaymentProvider

        return SandboxPaymentProvider(tenant_id, self._clock, SandboxBehaviour.parse(cfg.sandbox_provider))
