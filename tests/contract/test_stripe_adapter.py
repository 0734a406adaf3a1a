"""The Stripe adapter against the stripe SDK with a fake HTTP client (no network): the SDK builds
and parses real HTTP; the fake answers with Stripe's own API fixtures (tests/fixtures/stripe, see
SOURCE.md) and records what the adapter sent."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import stripe

from aftersales.adapters.stripe_payments import StripePaymentProvider
from aftersales.core.money import Money
from aftersales.refunds.grants import RefundStatus, map_provider_status
from aftersales.refunds.provider_errors import ProviderRejected, ProviderUnavailable

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stripe"
CHARGE = json.loads((FIXTURES / "fixture_charge.json").read_text())
PAYMENT_INTENT = json.loads((FIXTURES / "fixture_payment_intent.json").read_text())
REFUND = json.loads((FIXTURES / "fixture_refund.json").read_text())
ENUMS = json.loads((FIXTURES / "stripe_enums_refund_dispute.json").read_text())
KEY = "rfnd_3f1c0d6e9a"


class FakeStripeHttp(stripe.HTTPClient):
    """Answers each request with the next canned (status, body) and records method, URL, headers, body."""

    name = "fake"

    def __init__(self, *answers: tuple[int, dict] | Exception) -> None:
        super().__init__()
        self.answers = list(answers)
        self.requests: list[dict] = []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        self.requests.append({"method": method, "url": url, "headers": dict(headers or {}),
                              "form": parse_qs(post_data or "") if isinstance(post_data, str) else post_data})
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        return json.dumps(body), status, {"request-id": "req_test"}

    def close(self):
        pass


def _provider(*answers) -> tuple[StripePaymentProvider, FakeStripeHttp]:
    http = FakeStripeHttp(*answers)
    return StripePaymentProvider("sk_test_fake", http_client=http), http


def _refund(**changes) -> dict:
    return {**REFUND, **changes}


def test_a_refund_against_a_charge_sends_amount_charge_and_the_idempotency_key():
    """GIVEN Stripe answering with its refund fixture WHEN we refund 1.00 USD of the fixture charge
    THEN the SDK POSTs /v1/refunds with charge=<ch_...>, amount=100 in minor units, our key in the
    Idempotency-Key header and the metadata, and the answer maps to succeeded."""
    provider, http = _provider((200, REFUND))
    status = provider.refund(CHARGE["id"], Money(amount=100, currency="USD"), KEY)
    [sent] = http.requests
    assert sent["method"] == "post" and urlsplit(sent["url"]).path == "/v1/refunds"
    assert urlsplit(sent["url"]).netloc == "api.stripe.com"
    assert sent["form"]["charge"] == [CHARGE["id"]] and "payment_intent" not in sent["form"]
    assert sent["form"]["amount"] == ["100"]
    assert sent["form"]["metadata[aftersales_idempotency_key]"] == [KEY]
    assert sent["headers"]["Idempotency-Key"] == KEY
    assert sent["headers"]["Authorization"] == "Bearer sk_test_fake"
    assert status.provider_refund_id == REFUND["id"] and status.raw_status == "succeeded"
    assert map_provider_status(status.raw_status) is RefundStatus.SUCCEEDED


def test_a_payment_intent_reference_refunds_the_payment_intent():
    answer = _refund(amount=1099, charge=None, payment_intent=PAYMENT_INTENT["id"], status="pending")
    provider, http = _provider((200, answer))
    status = provider.refund(PAYMENT_INTENT["id"], Money(amount=1099, currency="USD"), KEY)
    form = http.requests[0]["form"]
    assert form["payment_intent"] == [PAYMENT_INTENT["id"]] and "charge" not in form
    assert form["amount"] == ["1099"]
    assert status.raw_status == "pending" and map_provider_status("pending") is RefundStatus.PENDING


def test_a_retry_sends_the_same_idempotency_key_and_gets_the_same_refund():
    """A retried attempt (after a timeout) must not make a second refund: same key, same refund id."""
    provider, http = _provider(stripe.APIConnectionError("read timed out"), (200, REFUND))
    with pytest.raises(ProviderUnavailable):
        provider.refund(CHARGE["id"], Money(amount=100, currency="USD"), KEY)
    again = provider.refund(CHARGE["id"], Money(amount=100, currency="USD"), KEY)
    assert [r["headers"]["Idempotency-Key"] for r in http.requests] == [KEY, KEY]
    assert again.provider_refund_id == REFUND["id"]


@pytest.mark.parametrize("status", ENUMS["refund.status"])
def test_every_stripe_refund_status_is_understood_on_retrieve(status):
    """GIVEN each refund.status value of the SDK WHEN the saga polls THEN it maps to a known status
    (failure_reason surfaced for failed/canceled)."""
    reason = "expired_or_canceled_card" if status in ("failed", "canceled") else None
    provider, http = _provider((200, _refund(status=status, failure_reason=reason)))
    got = provider.retrieve(CHARGE["id"], REFUND["id"])
    sent = http.requests[0]
    assert sent["method"] == "get" and urlsplit(sent["url"]).path == f"/v1/refunds/{REFUND['id']}"
    assert got.raw_status == status and got.failure_reason == reason
    assert map_provider_status(status) is not RefundStatus.UNKNOWN


def _error(status: int, type_: str, code: str | None = None, **extra) -> tuple[int, dict]:
    """Stripe's documented error body: {"error": {"type", "code", "message", ...}}."""
    return status, {"error": {"type": type_, "message": f"test {code or type_}",
                              **({"code": code} if code else {}), **extra}}


@pytest.mark.parametrize(("answer", "error", "detail"), [
    (_error(402, "card_error", "card_declined", decline_code="generic_decline"), ProviderRejected,
     {"reason": "card_declined"}),
    (_error(400, "invalid_request_error", "charge_already_refunded"), ProviderRejected,
     {"reason": "charge_already_refunded"}),
    (_error(400, "invalid_request_error", "amount_too_large"), ProviderRejected, {"reason": "amount_too_large"}),
    (_error(429, "invalid_request_error", "rate_limit"), ProviderUnavailable, {"status": 429}),
    (_error(500, "api_error"), ProviderUnavailable, {"status": 500}),
    (_error(503, "api_error"), ProviderUnavailable, {"status": 503}),
    (stripe.APIConnectionError("connection reset"), ProviderUnavailable, {"status": "connection"}),
])
def test_stripe_errors_become_the_domains_provider_errors(answer, error, detail):
    """declines and invalid requests are ProviderRejected with Stripe's code (not retried); rate
    limits, 5xx and connection failures are ProviderUnavailable (retried with the same key)."""
    provider, _http = _provider(answer)
    with pytest.raises(error) as raised:
        provider.refund(CHARGE["id"], Money(amount=100, currency="USD"), KEY)
    assert {k: raised.value.details[k] for k in detail} == detail
    assert raised.value.message_id in ("refunds.provider_rejected", "refunds.provider_unavailable")
    assert isinstance(raised.value.__cause__, stripe.StripeError)


def test_a_refund_in_another_currency_than_requested_is_rejected():
    provider, _http = _provider((200, _refund(currency="eur")))
    with pytest.raises(ProviderRejected) as raised:
        provider.refund(CHARGE["id"], Money(amount=100, currency="USD"), KEY)
    assert raised.value.details["reason"] == "currency_mismatch"
