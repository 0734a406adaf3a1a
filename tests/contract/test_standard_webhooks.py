"""Contract: what our delivery sends verifies with the `standardwebhooks` reference library
(PyPI `standardwebhooks`, the Standard Webhooks project's Python implementation) — one secret,
both secrets of a rotation, a retry's fresh timestamp — and a changed byte does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks import Webhook, WebhookVerificationError

from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.core.clock import FixedClock
from aftersales.webhooks import signing
from aftersales.webhooks.delivery import WebhookDelivery
from aftersales.webhooks.model import Outcome
from aftersales.webhooks.service import WebhookEndpoints
from tests.support.fakes.webhooks import (
    FixedResolver,
    InMemoryEndpointStore,
    InMemoryMessageStore,
    RecordingQueue,
    ScriptedSender,
)
from tests.support.fixture_files import load

EVENT = {"tenant_id": "acme", "ticket_id": "tk_9", "ticket_type": "exchange", "customer_id": "c-9", "seq": 4,
         "from_status": "approved", "to_status": "reshipping", "at": "2026-12-03T09:00:00Z", "dedup_key": "tk_9#4",
         "data": {"note": "退货地址：上海市"}}


def _sent(outcomes: list[Outcome], *, rotate: bool = False):
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    endpoints, messages, queue = InMemoryEndpointStore(), InMemoryMessageStore(), RecordingQueue()
    resolver, sender = FixedResolver({"erp.example.com": ["93.184.216.34"]}), ScriptedSender(*outcomes)
    admin = WebhookEndpoints(endpoints, messages, queue, resolver, clock)
    delivery = WebhookDelivery(endpoints, messages, queue, resolver, sender, RecordingPublisher(), clock)
    issued = admin.create("acme", "https://erp.example.com/hooks", ["ticket.*"])
    secrets = [issued.secret]
    if rotate:
        secrets.append(admin.rotate_secret("acme", issued.endpoint.endpoint_id, timedelta(hours=1)).secret)
    delivery.fan_out("aftersales.tickets", "ticket.reshipped", EVENT, EVENT["dedup_key"], clock.now())
    for _ in range(len(outcomes)):
        for job in queue.take():
            clock.advance(seconds=job.delay_seconds)
            delivery.deliver(job)
    return secrets, sender.sent


def test_a_delivery_verifies_with_the_reference_library():
    (secret,), sent = _sent([Outcome(status_code=200)])
    _, _, headers, body = sent[0]
    payload = Webhook(secret).verify(body, headers)
    assert payload["type"] == "ticket.reshipped" and payload["data"]["ticket_id"] == "tk_9"
    assert "上海" not in body.decode()
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"tk_9", b"tk_8"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(body, headers)


def test_during_a_rotation_both_secrets_verify_the_same_delivery():
    (old, new), sent = _sent([Outcome(status_code=204)], rotate=True)
    _, _, headers, body = sent[0]
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(old).verify(body, headers) == Webhook(new).verify(body, headers)


def test_a_retry_keeps_its_webhook_id_and_verifies_with_its_fresh_timestamp():
    (secret,), sent = _sent([Outcome(status_code=500), Outcome(status_code=200)])
    assert len(sent) == 2
    (_, _, first, _), (_, _, second, body) = sent
    assert first["webhook-id"] == second["webhook-id"]
    assert int(second["webhook-timestamp"]) == int(first["webhook-timestamp"]) + 5
    Webhook(secret).verify(body, second)


def test_the_specification_vector_and_the_library_agree_with_our_signer():
    vector = load("standard_webhooks/vectors.json")["signatures"][0]
    at = datetime.fromtimestamp(vector["timestamp"], tz=UTC)
    assert Webhook(vector["secret"]).sign(vector["msg_id"], at, vector["payload"]) == vector["signature"]


@settings(max_examples=50)
@given(key=st.binary(min_size=24, max_size=64), msg_id=st.from_regex(r"msg_[0-9A-Za-z]{10,30}", fullmatch=True),
       timestamp=st.integers(min_value=1_600_000_000, max_value=2_000_000_000), body=st.text(max_size=200))
def test_our_signature_equals_the_library_for_any_input(key, msg_id, timestamp, body):
    import base64

    secret = "whsec_" + base64.b64encode(key).decode()
    expected = Webhook(secret).sign(msg_id, datetime.fromtimestamp(timestamp, tz=UTC), body)
    assert signing.signature(secret, msg_id, timestamp, body.encode()) == expected
