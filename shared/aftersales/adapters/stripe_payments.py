"""Stripe refunds through the stripe SDK (StripeClient, v1 namespace), behind the PaymentProvider port.

* `payment_ref` is a charge (`ch_...`) or a payment intent (`pi_...`); partial and multiple refunds
  per payment are Stripe's normal behaviour (our ledger keeps the total within the captured amount).
* Every create carries the grant/attempt idempotency key, so a retry after a timeout returns the
  refund Stripe already made instead of making a second one.
* SDK errors become domain errors once: connection/5xx/rate limit -> ProviderUnavailable (retry),
  everything else -> ProviderRejected with Stripe's error code.
"""

from __future__ import annotations

from typing import Any

from aftersales.core.money import Money
from aftersales.refunds.provider_errors import ProviderRefundStatus, ProviderRejected, ProviderUnavailable


def _stripe():
    import stripe  # lazily: keeps it off the cold start of functions that never refund

    return stripe


class StripePaymentProvider:
    def __init__(self, api_key: str, *, http_client: Any = None, max_network_retries: int = 0) -> None:
        stripe = _stripe()
        self._client = stripe.StripeClient(api_key, http_client=http_client,
                                           max_network_retries=max_network_retries)

    def refund(self, payment_ref: str, amount: Money, idempotency_key: str) -> ProviderRefundStatus:
        target = "payment_intent" if payment_ref.startswith("pi_") else "charge"
        params = {target: payment_ref, "amount": amount.amount,
                  "metadata": {"aftersales_idempotency_key": idempotency_key}}
        refund = self._call(lambda: self._client.v1.refunds.create(
            params=params, options={"idempotency_key": idempotency_key}))
        if refund.currency and refund.currency.upper() != amount.currency:
            raise ProviderRejected("refunds.provider_rejected", reason="currency_mismatch")
        return _status(refund)

    def retrieve(self, payment_ref: str, provider_refund_id: str) -> ProviderRefundStatus:
        return _status(self._call(lambda: self._client.v1.refunds.retrieve(provider_refund_id)))

    @staticmethod
    def _call(fn):
        stripe = _stripe()
        errors = stripe._error
        try:
            return fn()
        except (errors.APIConnectionError, errors.RateLimitError) as exc:
            raise ProviderUnavailable("refunds.provider_unavailable", provider="stripe",
                                      status=getattr(exc, "http_status", None) or "connection") from exc
        except errors.StripeError as exc:
            status = getattr(exc, "http_status", None) or 0
            if status >= 500 or isinstance(exc, errors.APIError):
                raise ProviderUnavailable("refunds.provider_unavailable", provider="stripe",
                                          status=status) from exc
            raise ProviderRejected("refunds.provider_rejected",
                                   reason=getattr(exc, "code", None) or type(exc).__name__) from exc


def _status(refund: Any) -> ProviderRefundStatus:
    return ProviderRefundStatus(provider_refund_id=refund.id, raw_status=refund.status or "unknown",
                                failure_reason=getattr(refund, "failure_reason", None))


class WebhookRejected(Exception):
    """status 400 (malformed) or 401 (signature missing, forged or outside the tolerance window)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def verify_webhook(payload: str, signature: str | None, secret: str, tolerance: int = 300) -> dict[str, Any]:
    """Stripe-Signature checked by the SDK (HMAC-SHA256 over "<t>.<body>", `tolerance` seconds)."""
    stripe = _stripe()
    if not signature:
        raise WebhookRejected(401, "signature_missing")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret, tolerance=tolerance)
    except stripe._error.SignatureVerificationError as exc:
        raise WebhookRejected(401, "signature_invalid") from exc
    except ValueError as exc:
        raise WebhookRejected(400, "payload_invalid") from exc
    return event.to_dict() if hasattr(event, "to_dict") else dict(event)
