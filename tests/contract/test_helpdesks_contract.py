"""Helpdesk contracts on the real payloads (tests/fixtures/zendesk, tests/fixtures/freshdesk):
Zendesk's webhook signature over the delivery's exact bytes with the documented test secret, and
Freshdesk's ticket / conversation / reply / note responses read by our parser and adapter."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from aftersales.adapters.helpdesks.freshdesk import FreshdeskApi
from aftersales.adapters.helpdesks.http import VendorHttp
from aftersales.core.errors import Unauthorized
from aftersales.helpdesks import domain, payloads
from aftersales.helpdesks.model import Vendor
from aftersales.helpdesks.verification import verify_zendesk, zendesk_signature
from aftersales.tickets.model import Status
from tests.support.fake_http import FakeJsonApi
from tests.support.fixture_files import load, raw

TEST_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="  # Zendesk's "verifying webhooks" page
BODY = raw("zendesk/group_membership_created.json")
STAMP = "2099-07-04T05:33:18Z"
AT = datetime(2099, 7, 4, 5, 33, 20, tzinfo=UTC)


def _documented_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The page's recipe, spelled out here independently of the code under test."""
    return base64.b64encode(hmac.new(secret.encode("utf-8"), (timestamp + body.decode("utf-8")).encode("utf-8"),
                                     hashlib.sha256).digest()).decode()


def test_the_fixture_is_the_recorded_delivery_byte_for_byte():
    assert len(BODY) == 534 and BODY.endswith(b"}\n") and b"\t\"type\"" in BODY


def test_a_zendesk_signature_over_the_real_bytes_verifies():
    signature = _documented_signature(TEST_SECRET, STAMP, BODY)
    assert zendesk_signature(TEST_SECRET, STAMP, BODY) == signature
    headers = {"x-zendesk-webhook-signature": signature, "x-zendesk-webhook-signature-timestamp": STAMP}
    assert verify_zendesk(TEST_SECRET, headers, BODY, AT) == datetime(2099, 7, 4, 5, 33, 18, tzinfo=UTC)


@pytest.mark.parametrize("tamper", ["reserialised", "body_then_timestamp", "base64_decoded_key", "other_stamp"])
def test_anything_but_the_exact_scheme_is_refused(tamper):
    body, stamp, signature = BODY, STAMP, _documented_signature(TEST_SECRET, STAMP, BODY)
    if tamper == "reserialised":  # the same JSON, other bytes (no tabs): the signature no longer holds
        body = json.dumps(json.loads(BODY)).encode()
    elif tamper == "body_then_timestamp":  # the superseded order
        signature = base64.b64encode(hmac.new(TEST_SECRET.encode(), BODY + STAMP.encode(), hashlib.sha256).digest()
                                     ).decode()
    elif tamper == "base64_decoded_key":  # the secret is used as the string shown, not decoded
        signature = base64.b64encode(hmac.new(base64.b64decode(TEST_SECRET), STAMP.encode() + BODY,
                                              hashlib.sha256).digest()).decode()
    else:
        stamp = "2099-07-04T05:33:19Z"
    with pytest.raises(Unauthorized):
        verify_zendesk(TEST_SECRET, {"X-Zendesk-Webhook-Signature": signature,
                                     "X-Zendesk-Webhook-Signature-Timestamp": stamp}, body, AT)


def test_a_stale_signed_timestamp_is_refused():
    signature = _documented_signature(TEST_SECRET, STAMP, BODY)
    with pytest.raises(Unauthorized):
        verify_zendesk(TEST_SECRET, {"X-Zendesk-Webhook-Signature": signature,
                                     "X-Zendesk-Webhook-Signature-Timestamp": STAMP}, BODY, AT + timedelta(minutes=6))


def test_event_types_we_do_not_sync_are_read_as_nothing():
    assert payloads.zendesk_event(payloads.json_object(BODY)) is None
    excerpt = raw("zendesk/webhook_event_user.active_changed.doc-excerpt.txt")
    assert payloads.zendesk_event(json.loads(excerpt)) is None


def test_a_freshdesk_ticket_and_its_conversations_read_as_one_change():
    change = payloads.freshdesk_ticket(load("freshdesk/ticket_1.json"), load("freshdesk/conversations.json"))
    assert (change.vendor, change.external_id, change.status, change.assignee_id) == (Vendor.FRESHDESK, "1", "2",
                                                                                      "6010396333")
    assert change.source_at == datetime(2016, 5, 18, 23, 42, 50, tzinfo=UTC)
    private, reply = change.comments
    assert (private.comment_id, private.public) == ("1", False)
    assert (reply.comment_id, reply.public, reply.body, reply.author_id) == ("2", True, "This is a reply", "1")
    updated = payloads.freshdesk_ticket(load("freshdesk/ticket_1_updated.json"), [])
    assert domain.inbound_targets(Vendor.FRESHDESK, updated.status) == (Status.RESOLVED,)


def test_the_freshdesk_adapter_reads_replies_notes_and_the_ticket_from_the_real_answers():
    answers = {("POST", "/api/v2/tickets/1/reply"): load("freshdesk/reply_1.json"),
               ("POST", "/api/v2/tickets/1/notes"): load("freshdesk/note_1.json"),
               ("GET", "/api/v2/tickets/1"): load("freshdesk/ticket_1.json"),
               ("GET", "/api/v2/tickets/1/conversations"): load("freshdesk/conversations.json")}
    fake = FakeJsonApi(lambda method, path, _q, _b: (200, answers[(method, path)]))
    try:
        api = FreshdeskApi(fake.url, VendorHttp("Basic eDpY"))
        assert api.add_comment("1", "This is a reply", public=True) == "2"
        assert api.add_comment("1", "This is a private note", public=False) == "1"
        assert json.loads(fake.received[1][3]) == {"body": "This is a private note", "private": True}
        assert [c.comment_id for c in api.read_changes("1").comments] == ["1", "2"]
    finally:
        fake.close()
