"""Stripe refunds through the stripe SDK (StripeClient, v1 namespace), behind the PaymentProvider port.

* `payment_ref` is a charge (`ch_...`) or a payment intent (`pi_...`); partial and multiple refunds
  per payment are Stripe's normal behaviour (our ledger keeps the total within the captured amount).
* Every create carries the grant/attempt idempotency key, so a retry after a timeout returns the
  refund Stripe already made instead of making a second one.
* SDK errors become domain errors once: connection/5xx/rate limit -> ProviderUnavailable (retry),
  everything else -> ProviderRejected with Stripe's error code.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aftersales.core.money import Money
from aftersales.core.payloads import decode_json
from aftersales.logistics.verification import VerificationError
from aftersales.refunds.provider_errors import ProviderRefundStatus, ProviderRejected, ProviderUnavailable
from aftersales.refunds.webhooks import StripePayloadError

WEBHOOK_TOLERANCE = timedelta(seconds=300)  # Stripe's default tolerance, applied to both sides


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
        errors = stripe  # the SDK exports its error classes at the top level
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


def verify_webhook(payload: bytes, signature: str | None, secret: str, *, now: datetime,
                   tolerance: timedelta = WEBHOOK_TOLERANCE) -> Any:
    """Stripe-Signature checked by the SDK (HMAC-SHA256 over "<t>.<body>", constant time), then the
    timestamp against our clock BOTH ways: the SDK's own tolerance only refuses old timestamps, so a
    signature dated an hour ahead would pass it. Returns the decoded JSON body (not yet validated).

    401 (VerificationError): signature missing / not matching / outside the window. 400
    (StripePayloadError): a body that is not UTF-8 (Stripe signs text) or, once verified, not JSON."""
    stripe = _stripe()
    if not signature:
        raise VerificationError("webhook.signature_missing", provider="stripe")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise StripePayloadError("stripe.body_not_json") from None
    try:
        stripe.WebhookSignature.verify_header(text, signature, secret, tolerance=None)
    except stripe.SignatureVerificationError as exc:
        raise VerificationError("webhook.signature_invalid", provider="stripe") from exc
    signed_at = _signed_at(signature)
    if signed_at is None:
        raise VerificationError("webhook.timestamp_invalid", provider="stripe")
    if abs(now.timestamp() - signed_at) > tolerance.total_seconds():
        raise VerificationError("webhook.timestamp_out_of_tolerance", provider="stripe")
    try:
        return decode_json(text)
    except ValueError:
        raise StripePayloadError("stripe.body_not_json") from None


def _signed_at(header: str) -> int | None:
    """The `t=` of a Stripe-Signature header (ASCII digits only: int() would take "١٧").
    Several `t=` items are refused: Stripe sends one."""
    stamps = [value for key, _, value in (item.strip().partition("=") for item in header.split(",")) if key == "t"]
    if len(stamps) != 1 or not (stamps[0].isascii() and stamps[0].isdigit() and len(stamps[0]) <= 12):
        return None
    return int(stamps[0])
