"""WeCom outbound (customer notifications as application messages) against WeCom's own samples:
gettoken and message/send from tests/fixtures/wecom/skit (see SOURCE.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from aftersales.channels.wecom_outbound import WeComSender
from aftersales.core.clock import FixedClock
from aftersales.notifications.errors import DeliveryFailed, RecipientUnreachable
from tests.support.fixture_files import load
from tests.support.wecom import Settings, WeComApi

SENT = load("wecom/skit/CgibinMessageSendResponse.json")  # invaliduser "userid1|userid2"
SAMPLE_REQUEST = load("wecom/skit/CgibinMessageSendRequest.json")
CONFIG = {"token": "t", "encoding_aes_key": "k" * 43, "corp_id": "ww-corp", "agent_id": 1000002,
          "secret": "app-secret-123"}


def sender(api: WeComApi, config: dict | None = CONFIG, clock: FixedClock | None = None) -> WeComSender:
    return WeComSender(Settings(config), api, clock or FixedClock(datetime(2026, 11, 26, 9, tzinfo=UTC)))


def test_text_message_matches_the_documented_request_and_uses_the_fetched_token():
    """GIVEN the gettoken sample WHEN a notification is sent THEN gettoken is called with the corp id
    and app secret, and message/send gets a text body whose every field exists in WeCom's sample
    request with the same JSON type, addressed to the user with our agent id and the token."""
    api = WeComApi()
    msg_id = sender(api).send("acme", {"address": "wm-user-1"}, "", "您的售后单 T1 已审核通过。", idempotency_key="k1")
    assert msg_id == "msg-1"
    (m1, p1, q1, _), (m2, p2, q2, body) = api.calls
    assert (m1, p1, q1) == ("GET", "/cgi-bin/gettoken", {"corpid": "ww-corp", "corpsecret": "app-secret-123"})
    assert (m2, p2, q2) == ("POST", "/cgi-bin/message/send", {"access_token": "accesstoken000001-1"})
    for field, value in body.items():
        assert field in SAMPLE_REQUEST, field
        assert type(value) is type(SAMPLE_REQUEST[field]), field
    assert body["msgtype"] == "text" and body["touser"] == "wm-user-1" and body["agentid"] == 1000002
    assert body["text"] == {"content": "您的售后单 T1 已审核通过。"}
    assert body["enable_duplicate_check"] == 1 and body["duplicate_check_interval"] == 1800


def test_token_is_cached_until_five_minutes_before_expiry():
    """GIVEN expires_in 7200 WHEN sending at +0, +1h54m and +1h56m THEN gettoken runs at the first
    and the last (renewed ahead of expiry), not in between."""
    api, clock = WeComApi(), FixedClock(datetime(2026, 11, 26, 9, tzinfo=UTC))
    wecom = sender(api, clock=clock)
    wecom.send("acme", {"address": "u"}, "", "a", idempotency_key="1")
    clock.advance(minutes=114)
    wecom.send("acme", {"address": "u"}, "", "b", idempotency_key="2")
    clock.advance(minutes=2)
    wecom.send("acme", {"address": "u"}, "", "c", idempotency_key="3")
    paths = [c[1] for c in api.calls]
    assert paths.count("/cgi-bin/gettoken") == 2
    assert api.calls[-1][2]["access_token"] == "accesstoken000001-2"


def test_an_expired_token_is_renewed_once_and_the_message_resent():
    """GIVEN message/send answering 42001 (token expired) once WHEN sending THEN a new token is
    fetched and the same message goes out again; two token errors in a row are a DeliveryFailed."""
    api = WeComApi([{"errcode": 42001, "errmsg": "access_token expired"}])
    assert sender(api).send("acme", {"address": "u"}, "", "hi", idempotency_key="k") == "msg-1"
    sends = [c for c in api.calls if c[1] == "/cgi-bin/message/send"]
    assert [c[2]["access_token"] for c in sends] == ["accesstoken000001-1", "accesstoken000001-2"]
    assert sends[0][3] == sends[1][3]
    twice = WeComApi([{"errcode": 40014}, {"errcode": 40014}])
    with pytest.raises(DeliveryFailed):
        sender(twice).send("acme", {"address": "u"}, "", "hi", idempotency_key="k")


def test_invaliduser_from_the_sample_reply_makes_the_recipient_unreachable():
    """GIVEN WeCom's sample reply (errcode 0, invaliduser "userid1|userid2") WHEN we sent to userid1
    THEN RecipientUnreachable (the outbox tries the next channel); to anyone else it counts as sent."""
    with pytest.raises(RecipientUnreachable):
        sender(WeComApi([SENT])).send("acme", {"address": "userid1"}, "", "hi", idempotency_key="k")
    assert sender(WeComApi([SENT])).send("acme", {"address": "wm-user-9"}, "", "hi", idempotency_key="k") == "k"


@pytest.mark.parametrize(("errcode", "error"), [(-1, DeliveryFailed), (45009, DeliveryFailed),
                                                (60020, DeliveryFailed), (81013, RecipientUnreachable)])
def test_error_codes_map_to_retry_or_next_channel(errcode, error):
    """busy / rate limited / IP not allowed -> retried by the queue; user out of scope -> next channel."""
    with pytest.raises(error):
        sender(WeComApi([{"errcode": errcode, "errmsg": "x"}])).send("acme", {"address": "u"}, "", "hi",
                                                                           idempotency_key="k")


def test_failed_gettoken_is_a_delivery_failure_and_nothing_is_sent():
    class BadSecret(WeComApi):
        def request(self, method, url, body=None):
            self.calls.append((method, urlsplit(url).path, {}, body))
            return {"errcode": 40001, "errmsg": "invalid credential"}

    api = BadSecret()
    with pytest.raises(DeliveryFailed):
        sender(api).send("acme", {"address": "u"}, "", "hi", idempotency_key="k")
    assert [c[1] for c in api.calls] == ["/cgi-bin/gettoken"]


def test_inbound_only_tenants_are_not_ready_and_long_texts_fit_the_2048_byte_limit():
    assert sender(WeComApi(), config=None).ready("acme") is False
    inbound_only = {k: v for k, v in CONFIG.items() if k not in ("agent_id", "secret")}
    assert sender(WeComApi(), config=inbound_only).ready("acme") is False
    assert sender(WeComApi()).ready("acme") is True
    api = WeComApi()
    sender(api).send("acme", {"address": "u"}, "", "退" * 1000, idempotency_key="k")
    content = api.calls[-1][3]["text"]["content"]
    assert len(content.encode()) <= 2048 and content.endswith("…")
    json.dumps(api.calls[-1][3], ensure_ascii=False)  # still valid JSON text
