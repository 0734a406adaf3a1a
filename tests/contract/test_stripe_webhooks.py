"""Stripe webhooks with Stripe's real payloads (tests/fixtures/stripe), signed in the test and
verified by the SDK in the webhook function: refund updates, disputes, forged/stale signatures."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from pathlib import Path

import pytest

from tests.integration.money.conftest import open_ticket, refund_pending
from tests.support import FakeContext, load_handler

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
    money.money.settings.stripe_webhook_secret = SECRET
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

    money.money.providers["acme"] = SandboxPaymentProvider("acme", money.clock, SandboxBehaviour(settle_seconds=3600))
    ticket = refund_pending(money)
    grant_id = grant_id_for(ticket.id, ticket.version)
    money.money.refunds.grant("acme", ticket.id, grant_id)
    attempt = money.money.refunds.attempt("acme", ticket.id, grant_id)
    assert attempt.status.value == "pending"
    refund = {**_fixture("fixture_refund.json"), "id": attempt.provider_refund_id}
    body = json.dumps(envelope(refund, "refund.updated"))
    first = webhook(body, sign(body))
    assert first["status"] == 200 and first["body"]["outcome"] == "refund_succeeded"
    assert webhook(body, sign(body))["body"]["outcome"] == "duplicate"
    assert money.money.refunds.poll("acme", ticket.id, grant_id).status.value == "succeeded"


def test_an_unknown_refund_is_acknowledged_and_ignored(money, webhook):
    body = json.dumps(envelope(_fixture("fixture_refund.json"), "refund.updated"))
    reply = webhook(body, sign(body))
    assert reply == {"status": 200, "body": {"outcome": "refund_not_ours", "event_id": "evt_contract_1",
                                             "type": "refund.updated"}}


def test_a_dispute_opens_a_complaint_ticket_with_the_evidence_due_date(money, webhook):
    """GIVEN an order paid by the dispute's charge WHEN charge.dispute.created arrives
    THEN a complaint ticket is opened whose description carries the evidence due date."""
    dispute = _fixture("fixture_dispute.json")
    open_ticket(money, order_id="O-7")  # creates order O-7 paid by ch_O-7
    dispute["charge"] = "ch_O-7"
    body = json.dumps(envelope(dispute, "charge.dispute.created", "evt_dispute_1"))
    reply = webhook(body, sign(body))
    assert reply["body"]["outcome"] == "dispute_ticket_opened"
    record = money.money.config.get("acme", f"DISPUTE#{dispute['id']}")
    assert record["evidence_due_by"] == "2024-08-14T23:59:59.000Z" and record["order_id"] == "O-7"
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role

    ticket = money.tickets.get("acme", record["ticket_id"], Actor(id="a", roles=frozenset({Role.AGENT})))
    assert ticket.type.value == "complaint" and "2024-08-14" in ticket.description


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
