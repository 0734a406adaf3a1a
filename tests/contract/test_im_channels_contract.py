"""Qiyu (网易七鱼) and Meiqia (美洽) pushes on their recorded payloads: the signature schemes both
ways (ours signs like the vendor; wrong secret, altered body, old time and missing parts are
refused), and each recorded push read into the conversation entry it makes."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from aftersales.channels import im
from aftersales.channels.im_signatures import meiqia_sign, qiyu_checksum, verify_meiqia, verify_qiyu
from aftersales.channels.qiyu_outbound import send_request
from aftersales.logistics.verification import VerificationError
from tests.support.fixture_files import load, raw

SECRET = "B280D73CCF0648D1828305F73E9A3C47"  # test appSecret (the doc's own is not published)
MEIQIA_KEY = "$2a$12$skg8Mk3UJ3ylnmciryxCQ.IyjKTqi2ujRYwH0ak/BMXYiFBacZbx6"
MEIQIA_TEXT = "美洽，在线客服软件的漂亮之选"
MEIQIA_SIGN = "YTgyMmFkMDY5OWJjYzI1ODRkNjBhNzAyMTdlY2M4YjU2NDNiYjhkZA=="
README = raw("meiqia/README.signature-example.md").decode()
MEIQIA_BODY = re.search(r"Content-Type: application/json\n\n(\{.*?\})\n```", README, re.S).group(1).encode()
PUSHED_AT = datetime.fromtimestamp(1463217187, UTC)  # the documented push's `time`


def _qiyu_query(body: bytes, event: str, time: int, secret: str = SECRET) -> dict:
    return {"eventType": event, "time": str(time), "checksum": qiyu_checksum(secret, body, time)}


def test_the_documented_push_line_carries_the_three_query_parameters():
    line = raw("qiyu/push_MSG.request-line.txt").decode()
    assert re.search(r"\?eventType=MSG&time=\d{10}&checksum=[0-9a-f]{40}\s", line)


@pytest.mark.parametrize("name,event", [("push_MSG", "MSG"), ("push_SESSION_START", "SESSION_START"),
                                        ("push_SESSION_END", "SESSION_END"), ("push_EVA_INVITATION", "EVA_INVITATION")])
def test_a_qiyu_push_signed_with_the_tenants_secret_is_accepted_within_five_minutes(name, event):
    body = raw(f"qiyu/{name}.body.json")  # the raw bytes, tabs and all, are what is signed
    query = _qiyu_query(body, event, 1463217187)
    assert verify_qiyu(SECRET, query, body, PUSHED_AT + timedelta(minutes=4, seconds=59)) == event
    assert verify_qiyu(SECRET, {**query, "checksum": query["checksum"].upper()}, body, PUSHED_AT) == event


@pytest.mark.parametrize("case", ["wrong_secret", "altered_body", "old", "future", "no_checksum", "no_time"])
def test_a_qiyu_push_that_does_not_verify_is_refused(case):
    body = raw("qiyu/push_MSG.body.json")
    query = _qiyu_query(body, "MSG", 1463217187, secret="0" * 32 if case == "wrong_secret" else SECRET)
    now, checked = PUSHED_AT, body
    if case == "altered_body":
        checked = body.replace(b"2222", b"2223")
    elif case == "old":
        now = PUSHED_AT + timedelta(minutes=5, seconds=1)
    elif case == "future":
        now = PUSHED_AT - timedelta(minutes=5, seconds=1)
    elif case == "no_checksum":
        query.pop("checksum")
    elif case == "no_time":
        query.pop("time")
    with pytest.raises(VerificationError):
        verify_qiyu(SECRET, query, checked, now)


def test_our_send_request_is_the_documented_text_request_and_signed_like_a_push():
    documented = load("qiyu/send_message_TEXT.request.json")
    ours = send_request(documented["uid"], documented["content"])
    assert ours == documented
    raw_body = json.dumps(ours, ensure_ascii=False).encode()
    assert verify_qiyu(SECRET, _qiyu_query(raw_body, "MSG", 1463217187), raw_body, PUSHED_AT) == "MSG"


def test_meiqia_sign_matches_the_published_vector():
    assert meiqia_sign(MEIQIA_KEY, MEIQIA_TEXT.encode()) == MEIQIA_SIGN
    verify_meiqia(MEIQIA_KEY, {"authorization": f"meiqia_sign:{MEIQIA_SIGN}"}, MEIQIA_TEXT.encode())


@pytest.mark.parametrize("headers,body", [
    ({"Authorization": f"meiqia_sign:{MEIQIA_SIGN}"}, MEIQIA_TEXT.encode() + b" "),  # altered body
    ({"Authorization": f"meiqia_sign:{MEIQIA_SIGN[:-4]}"}, MEIQIA_TEXT.encode()),  # truncated
    ({"Authorization": MEIQIA_SIGN}, MEIQIA_TEXT.encode()),  # no scheme prefix
    ({}, MEIQIA_TEXT.encode()),
])
def test_a_meiqia_push_that_does_not_verify_is_refused(headers, body):
    with pytest.raises(VerificationError):
        verify_meiqia(MEIQIA_KEY, headers, body)


def test_the_readme_sign_does_not_belong_to_the_readme_body():
    """The fixture's warning: the README's sign is the sample text's, not its body's."""
    with pytest.raises(VerificationError):
        verify_meiqia(MEIQIA_KEY, {"Authorization": f"meiqia_sign:{MEIQIA_SIGN}"}, MEIQIA_BODY)
    verify_meiqia(MEIQIA_KEY, {"Authorization": f"meiqia_sign:{meiqia_sign(MEIQIA_KEY, MEIQIA_BODY)}"}, MEIQIA_BODY)


def test_the_recorded_meiqia_push_is_an_agents_message_to_the_offline_client():
    event = im.parse_meiqia(MEIQIA_BODY)
    assert (event.kind, event.visitor, event.external_id, event.text) == (
        im.ImKind.AGENT_MESSAGE, "12vc86d41d1611e69e6f029346effd31", "111", "test")
    said = im.entry(event)
    assert said.direction == "outbound" and said.author == "meiqia:staff:agent"
    assert "d2433d6ad2861515e24316ddcbdg05eea23d" not in said.model_dump_json()  # no device token kept
