"""Stripe webhook helpers: Stripe's real payloads (tests/fixtures/stripe) in an event envelope,
signed with Stripe's scheme, posted to the real webhook function in-process."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

from tests.support.fixture_files import load
from tests.support.lambdas import FakeContext, load_handler

SECRET = "whsec_test_contract_secret"


def fixture(name: str) -> dict[str, Any]:
    return copy.deepcopy(load(f"stripe/{name}"))


def envelope(obj: dict[str, Any], event_type: str, event_id: str) -> dict[str, Any]:
    """`fixture_event.json`'s envelope around `obj` (the fixtures have no dispute event)."""
    event = fixture("fixture_event.json")
    event.update({"id": event_id, "type": event_type})
    event["data"] = {"object": obj}
    return event


def sign(body: str, secret: str = SECRET, at: int | None = None) -> str:
    t = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def poster(tenant: str = "acme") -> Callable[[str, str | None], dict[str, Any]]:
    """POST /webhooks/stripe/{tenant} through functions/stripe_webhook: (body, signature) -> status, body."""
    handler = load_handler("stripe_webhook")

    def post(body: str, signature: str | None) -> dict[str, Any]:
        headers = {"Content-Type": "application/json", **({"Stripe-Signature": signature} if signature else {})}
        event = {"resource": "/webhooks/stripe/{tenant_id}", "path": f"/webhooks/stripe/{tenant}",
                 "httpMethod": "POST", "headers": headers, "pathParameters": {"tenant_id": tenant},
                 "requestContext": {"requestId": "r-1"}, "body": body, "isBase64Encoded": False}
        reply = handler.lambda_handler(event, FakeContext("stripe_webhook"))
        return {"status": reply["statusCode"], "body": json.loads(reply["body"])}

    return post
