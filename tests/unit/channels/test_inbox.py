"""The unmatched inbox's pure parts: listing view, opaque cursor, retention."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from aftersales.channels import douyin
from aftersales.channels.inbox import (
    PARKED_RETENTION,
    Settlement,
    decode_cursor,
    encode_cursor,
    expires_epoch,
    view,
)
from aftersales.core.errors import InvalidRequest
from aftersales.core.ids import new_id

AT = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)


def _email_doc() -> dict:
    return {"message_id": new_id("msg", AT), "at": "2026-11-26T08:30:00.000Z", "channel": "email",
            "author": "email:3f2a", "subject": "Return order ON-2026-77", "body": "I want to return order ON-2026-77",
            "external_id": "<m1@mail.example>",
            "attachments": [{"key": "acme/parked/ab/0-photo.png", "filename": "photo.png",
                             "content_type": "image/png", "size": 9}]}


def test_retention_is_90_days_from_the_parked_time():
    """GIVEN an item parked at 08:30 WHEN its TTL is computed (from the parked time only, so saving it
    again with its attachments keeps it) THEN it is parked time + 90 days; a shorter retention is honoured."""
    assert timedelta(days=90) == PARKED_RETENTION
    assert expires_epoch("2026-11-26T08:30:00.000Z") == int((AT + timedelta(days=90)).timestamp())
    assert expires_epoch("2026-11-26T08:30:00.000Z", timedelta(days=7)) == int((AT + timedelta(days=7)).timestamp())


def test_cursor_round_trips_and_refuses_anything_else_with_a_field_path():
    """GIVEN an item id WHEN encoded as a cursor THEN it decodes to the same id; no cursor is None; a
    tampered cursor (not base64/JSON, no id, a key that is not an item id) is a 422 on `cursor`."""
    item_id = new_id("msg", AT)
    cursor = encode_cursor(item_id)
    assert item_id not in cursor and decode_cursor(cursor) == item_id
    assert encode_cursor(None) is None and decode_cursor(None) is None and decode_cursor("") is None

    def b64(value) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()

    for bad in ("%%%", b64([1]), b64({"after": item_id}), b64({"before": "acme#INBOX#email::x@y.z"}),
                b64({"before": 7})):
        with pytest.raises(InvalidRequest) as caught:
            decode_cursor(bad)
        assert caught.value.details["field"] == "cursor"


def test_text_view_shows_what_a_conversation_item_shows_and_the_numbers_it_names():
    """GIVEN a parked e-mail naming an order we did not know WHEN viewed THEN it carries the channel-scoped
    author, subject, body, attachment references, the named order and the expiry as ISO time."""
    doc = _email_doc()
    item = view(doc["message_id"], doc, expires_epoch(doc["at"]))
    assert item.author == "email:3f2a" and item.channel == "email"
    assert item.order_numbers == ["ON-2026-77"] and item.ticket_numbers == []
    assert item.attachments == doc["attachments"]
    assert item.parked_at == "2026-11-26T08:30:00.000Z" and item.expires_at == "2027-02-24T08:30:00.000Z"
    assert "identity_key" not in item.model_dump()


def test_douyin_view_is_a_summary_never_the_raw_push():
    """GIVEN a parked Douyin comment command whose details hold a buyer's phone number WHEN viewed THEN
    the body names the command, tag, after-sale and order only."""
    command = douyin.CommentTicket(idempotency_key="m-1", tag="208", shop_id="1", aftersale_id="AS-1",
                                   order_id="O-9", sub_order_id=None, occurred_at=None, topic="buyer_message",
                                   details={"receiver_phone": "+8613800138000"})
    doc = {"message_id": new_id("msg", AT), "at": "2026-11-26T08:30:00.000Z", "channel": "douyin",
           "author": "douyin:platform", "body": command.model_dump_json(), "external_id": "m-1"}
    item = view(doc["message_id"], doc, expires_epoch(doc["at"]))
    assert item.body == "Douyin comment_ticket (tag 208, buyer_message) for after-sale AS-1 on order O-9"
    assert "13800138000" not in item.model_dump_json() and item.order_numbers == ["O-9"]
    broken = view(doc["message_id"], {**doc, "body": "not json"}, expires_epoch(doc["at"]))
    assert broken.body == "Douyin event (tag ?)" and broken.order_numbers == []


def test_settlement_record_keeps_only_what_was_said():
    """GIVEN a dismissal without a note WHEN stored THEN the record has no empty fields to misread."""
    record = Settlement(item_id="msg_x", action="dismissed", at="2026-11-26T08:30:00.000Z", by="agent-1",
                        role="agent", channel="wecom", reason="spam").record()
    assert record == {"item_id": "msg_x", "action": "dismissed", "at": "2026-11-26T08:30:00.000Z", "by": "agent-1",
                      "role": "agent", "channel": "wecom", "reason": "spam", "also_filed": []}
