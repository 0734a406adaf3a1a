"""A local payment provider that behaves like Stripe's refunds (the default for `make run`).

* Idempotent by key: the same idempotency key returns the refund made the first time (even if the
  caller crashed before recording it), a different amount under the same key is rejected.
* Asynchronous: a refund is `pending` until `settle_seconds` have passed on the injected clock,
  then `succeeded` (or `failed` with `failure_reason` when its amount ends in `decline_suffix`).
* Configurable faults: the next `unavailable_calls` calls raise ProviderUnavailable (a 5xx/timeout)
  BEFORE doing anything; `crash_after_calls` make the refund and then raise (the response is lost).

Its records live in the money table under `<tenant>#SANDBOX#<payment>` so tests can reconcile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from aftersales.adapters.dynamo.money import MoneyItem
from aftersales.core.clock import Clock, iso, parse_iso
from aftersales.core.ids import new_id
from aftersales.core.money import Money
from aftersales.refunds.provider_errors import ProviderRefundStatus, ProviderRejected, ProviderUnavailable


@dataclass
class SandboxBehaviour:
    settle_seconds: float = 30.0
    unavailable_calls: int = 0
    crash_after_calls: int = 0
    decline_suffix: int | None = 13  # amounts ending in ..13 minor units fail with "declined"

    @classmethod
    def parse(cls, spec: str) -> SandboxBehaviour:
        """"settle=30,unavailable=2,crash=1,decline=13" (every part optional)."""
        out = cls()
        for part in filter(None, (p.strip() for p in spec.split(","))):
            key, _, value = part.partition("=")
            if key == "settle":
                out.settle_seconds = float(value)
            elif key == "unavailable":
                out.unavailable_calls = int(value)
            elif key == "crash":
                out.crash_after_calls = int(value)
            elif key == "decline":
                out.decline_suffix = int(value) if value else None
        return out


class SandboxPaymentProvider:
    def __init__(self, tenant_id: str, clock: Clock, behaviour: SandboxBehaviour | None = None) -> None:
        self._tenant = tenant_id
        self._clock = clock
        self.behaviour = behaviour or SandboxBehaviour()
        self.calls = 0

    def _pk(self, payment_ref: str) -> str:
        return f"{self._tenant}#SANDBOX#{payment_ref}"

    def refund(self, payment_ref: str, amount: Money, idempotency_key: str) -> ProviderRefundStatus:
        self.calls += 1
        if self.behaviour.unavailable_calls > 0:
            self.behaviour.unavailable_calls -= 1
            raise ProviderUnavailable("refunds.provider_unavailable", provider="sandbox", status=503)
        existing = self._find(payment_ref, idempotency_key)
        if existing is not None:
            if (existing.doc["amount"], existing.doc["currency"]) != (amount.amount, amount.currency):
                raise ProviderRejected("refunds.provider_rejected", reason="idempotency_key_reused")
            result = self._status(existing)
        else:
            item = MoneyItem(self._pk(payment_ref), f"REFUND#{idempotency_key}", doc={
                "id": new_id("re_sbx", self._clock.now()), "amount": amount.amount, "currency": amount.currency,
                "created_at": iso(self._clock.now())})
            item.save(condition=MoneyItem.pk.does_not_exist())
            result = self._status(item)
        if self.behaviour.crash_after_calls > 0:
            self.behaviour.crash_after_calls -= 1
            raise ProviderUnavailable("refunds.provider_unavailable", provider="sandbox", status="timeout")
        return result

    def retrieve(self, payment_ref: str, provider_refund_id: str) -> ProviderRefundStatus:
        for item in self.refunds(payment_ref):
            if item["id"] == provider_refund_id:
                return self._status_of(item)
        raise ProviderRejected("refunds.provider_rejected", reason="no_such_refund")

    def refunds(self, payment_ref: str) -> list[dict]:
        """The provider's own record for a payment (what reconciliation compares against)."""
        return [i.doc for i in MoneyItem.query(self._pk(payment_ref), MoneyItem.sk.startswith("REFUND#"),
                                               consistent_read=True)]

    def _find(self, payment_ref: str, key: str) -> MoneyItem | None:
        try:
            return MoneyItem.get(self._pk(payment_ref), f"REFUND#{key}", consistent_read=True)
        except MoneyItem.DoesNotExist:
            return None

    def _status(self, item: MoneyItem) -> ProviderRefundStatus:
        return self._status_of(item.doc)

    def _status_of(self, doc: dict) -> ProviderRefundStatus:
        settled = self._clock.now() >= parse_iso(doc["created_at"]) + timedelta(seconds=self.behaviour.settle_seconds)
        if not settled:
            return ProviderRefundStatus(provider_refund_id=doc["id"], raw_status="pending")
        suffix = self.behaviour.decline_suffix
        if suffix is not None and doc["amount"] % 100 == suffix:
            return ProviderRefundStatus(provider_refund_id=doc["id"], raw_status="failed", failure_reason="declined")
        return ProviderRefundStatus(provider_refund_id=doc["id"], raw_status="succeeded")
