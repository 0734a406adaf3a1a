"""Douyin push parsing edge cases (real samples are covered in tests/contract)."""

from __future__ import annotations

import json

import pytest

from aftersales.channels import douyin


def message(tag, msg_id="m1", **data):
    return douyin.DouyinMessage(tag=str(tag), msg_id=msg_id, data=data)


def test_unknown_tag_is_kept_with_raw_data():
    """GIVEN a tag we have no mapping for WHEN mapped THEN an UnknownMessage keeps the raw data."""
    command = douyin.to_command(message(299, aftersale_id="A1", weird=[1, 2]))
    assert isinstance(command, douyin.UnknownMessage)
    assert command.raw == {"aftersale_id": "A1", "weird": [1, 2]} and command.tag == "299"


def test_duplicates_are_skipped_within_a_batch_and_across_batches():
    batch = [message(200, "m1"), message(200, "m1"), message(207, "m2"), message(206, "m3")]
    commands = douyin.to_commands(batch, already_seen={"m3"})
    assert [c.idempotency_key for c in commands] == ["m1", "m2"]


def test_comment_tags_become_comments():
    command = douyin.to_command(message(209, aftersale_id="A1"))
    assert isinstance(command, douyin.CommentTicket) and command.topic == "deadline_changed"


@pytest.mark.parametrize("body", [b"not json", b'[{"tag": 200}]', b'[{"tag": 200, "msg_id": "m", "data": "{bad"}]',
                                  b'[{"tag": 200, "msg_id": "m", "data": "[1]"}]', b"[1]"])
def test_malformed_bodies_are_payload_errors(body):
    with pytest.raises(douyin.DouyinPayloadError):
        douyin.parse_push(body)


def test_negative_or_missing_amounts_are_not_money():
    command = douyin.to_command(message(200, aftersale_type=9, refund_amount=-1))
    assert command.refund_amount is None and command.kind is douyin.AfterSaleKind.OTHER
    assert command.raw_aftersale_type == 9


def test_signature_is_case_insensitive_hex():
    body = json.dumps([{"tag": "200", "msg_id": "m", "data": "{}"}]).encode()
    sign = douyin.push_signature("k", body, "s").upper()
    douyin.verify_push({"event-sign": sign}, body, "k", "s")
