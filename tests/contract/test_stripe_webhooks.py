"""Stripe webhooks with Stripe's real payloads (tests/fixtures/stripe), signed in the test and
verified by the SDK in the webhook function: refund updates, forged/stale signatures (disputes:
test_stripe_dispute_events.py)."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from pathlib import Path

import pytest

from tests.support.lambdas import FakeContext, load_handler
from tests.support.money import refund_pending

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "stripe"
SECRET = "whsec_test_contract_secret"


def _fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def envelope(obj: dict, event_type: str, event_id: str = "evt_contract_1") -> dict:
    event = copy.deepcopy(_fixture("fixture_event.json"))
    event.update({"id": event_id, "type": event_type})
    event["data"] = {"object": obj}
    return event


def sign(body: str, secret: str = SECRET, at: int | None = None) -> str:
    t = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


@pytest.fixture
def webhook(money, monkeypatch):
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
    handler = load_handler("stripe_webhook")

    def post(body: str, signature: str | None, tenant: str = "acme") -> dict:
        headers = {"Content-Type": "application/json", **({"Stripe-Signature": signature} if signature else {})}
        event = {"resource": "/webhooks/stripe/{tenant_id}", "path": f"/webhooks/stripe/{tenant}",
                 "httpMethod": "POST", "headers": headers, "pathParameters": {"tenant_id": tenant},
                 "requestContext": {"requestId": "r-1"}, "body": body, "isBase64Encoded": False}
        reply = handler.lambda_handler(event, FakeContext("stripe_webhook"))
        return {"status": reply["statusCode"], "body": json.loads(reply["body"])}

    return post


def _stored_webhooks(money) -> int:
    from aftersales.adapters.dynamo.money import MoneyItem

    return sum(1 for _ in MoneyItem.query("acme#WEBHOOK#stripe#evt_contract_1"))


def test_a_refund_event_updates_our_attempt_once(money, webhook):
    """GIVEN a refund made through the saga and Stripe's refund fixture carrying its id
    WHEN refund.updated arrives twice THEN the attempt is succeeded and the second is a duplicate."""
    from aftersales.adapters.sandbox_payments import SandboxBehaviour, SandboxPaymentProvider
    from aftersales.refunds.service import grant_id_for

    money.payments.use("acme", SandboxPaymentProvider("acme", money.clock, SandboxBehaviour(settle_seconds=3600)))
    ticket = refund_pending(money)
    grant_id = grant_id_for(ticket.id, ticket.version)
    money.refunds.grant("acme", ticket.id, grant_id)
    attempt = money.refunds.attempt("acme", ticket.id, grant_id)
    assert attempt.status.value == "pending"
    refund = {**_fixture("fixture_refund.json"), "id": attempt.provider_refund_id}
    body = json.dumps(envelope(refund, "refund.updated"))
    first = webhook(body, sign(body))
    assert first["status"] == 200 and first["body"]["outcome"] == "refund_succeeded"
    assert webhook(body, sign(body))["body"]["outcome"] == "duplicate"
    assert money.refunds.poll("acme", ticket.id, grant_id).status.value == "succeeded"


def test_an_unknown_refund_is_acknowledged_and_ignored(money, webhook):
    body = json.dumps(envelope(_fixture("fixture_refund.json"), "refund.updated"))
    reply = webhook(body, sign(body))
    assert reply == {"status": 200, "body": {"outcome": "refund_not_ours", "event_id": "evt_contract_1",
                                             "type": "refund.updated"}}


@pytest.mark.parametrize("signature, status", [
    (None, 401),
    ("t=1,v1=deadbeef", 401),
    ("garbage", 401),
])
def test_forged_or_missing_signatures_store_nothing(money, webhook, signature, status):
    body = json.dumps(envelope(_fixture("fixture_refund.json"), "refund.updated"))
    assert webhook(body, signature)["status"] == status
    assert _stored_webhooks(money) == 0


def test_a_stale_signature_is_refused(money, webhook):
    """Signed correctly but 10 minutes ago: outside the 300 s tolerance."""
    body = json.dumps(envelope(_fixture("fixture_refund.json"), "refund.updated"))
    assert webhook(body, sign(body, at=int(time.time()) - 600))["status"] == 401
    assert _stored_webhooks(money) == 0


def test_a_body_changed_after_signing_is_refused(money, webhook):
    body = json.dumps(envelope(_fixture("fixture_refund.json"), "refund.updated"))
    tampered = body.replace('"amount": 100', '"amount": 999999')
    assert webhook(tampered, sign(body))["status"] == 401
    assert _stored_webhooks(money) == 0


def test_refund_statuses_are_an_open_set():
    from aftersales.refunds.grants import map_provider_status

    enums = _fixture("stripe_enums_refund_dispute.json")
    assert {map_provider_status(s).value for s in enums["refund.status"]} == set(enums["refund.status"])
    assert map_provider_status("some_future_status").value == "unknown"


def _reason(reply: dict) -> str:
    return reply["body"]["error"]["reason_id"]


def test_a_signature_dated_an_hour_ahead_is_refused(money, webhook):
    """GIVEN a body signed correctly with t = now + 1 h WHEN posted THEN 401 outside the tolerance, nothing
    stored (the SDK's own check only refuses old timestamps); t = now + 200 s and now - 200 s are taken."""
    body = json.dumps(envelope(_fixture("fixture_refund.json"), "refund.updated"))
    future = webhook(body, sign(body, at=int(time.time()) + 3600))
    assert future["status"] == 401 and _reason(future) == "webhook.timestamp_out_of_tolerance"
    assert _stored_webhooks(money) == 0
    assert webhook(body, sign(body, at=int(time.time()) + 200))["status"] == 200
    again = json.dumps(envelope(_fixture("fixture_refund.json"), "refund.updated", "evt_contract_2"))
    assert webhook(again, sign(again, at=int(time.time()) - 200))["status"] == 200


def test_a_signed_body_over_the_size_cap_is_413_before_it_is_read(money, webhook):
    """GIVEN a 1.5 MB event, correctly signed WHEN posted THEN 413 and nothing stored."""
    event = envelope(_fixture("fixture_refund.json"), "refund.updated")
    event["data"]["object"]["metadata"] = {"padding": "x" * 1_500_000}
    body = json.dumps(event)
    reply = webhook(body, sign(body))
    assert reply["status"] == 413 and reply["body"]["error"]["code"] == "payload_too_large"
    assert _stored_webhooks(money) == 0


@pytest.mark.parametrize("shape, reason, path", [
    (lambda e: [e], "stripe.event_not_object", None),
    (lambda e: {k: v for k, v in e.items() if k != "id"}, "stripe.field_invalid", "id"),
    (lambda e: {**e, "id": "evt_" + "1" * 300}, "stripe.field_invalid", "id"),
    (lambda e: {**e, "data": {"object": "not an object"}}, "stripe.field_invalid", "data.object"),
    (lambda e: {**e, "data": {"object": {**e["data"]["object"], "id": None}}}, "stripe.field_invalid",
     "data.object.id"),
])
def test_a_signed_body_that_is_not_an_event_is_400_with_the_field(money, webhook, shape, reason, path):
    """GIVEN Stripe's refund event reshaped (an array, no id, an id no key can hold, no object, a refund
    without id), correctly signed WHEN posted THEN 400 naming the field, nothing stored (before: 500)."""
    body = json.dumps(shape(envelope(_fixture("fixture_refund.json"), "refund.updated")))
    reply = webhook(body, sign(body))
    assert reply["status"] == 400, reply
    assert _reason(reply) == reason
    assert [f["path"] for f in reply["body"]["error"].get("fields", [])] == ([path] if path else [])
    assert _stored_webhooks(money) == 0
