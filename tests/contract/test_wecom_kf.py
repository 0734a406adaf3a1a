"""微信客服 (WeChat Customer Service, "kf") against WeCom's recorded samples (tests/fixtures/wecom/skit,
see SOURCE.md): the callback event, kf/sync_msg request and page, kf/send_msg request; error codes
of document/path/90313 mapped to "next channel" or "retry"."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime
from functools import partial

import pytest

from aftersales.channels import wecom_kf
from aftersales.channels.wecom import KF_EVENT, WeComCrypto, parse_message, signature
from aftersales.channels.wecom_api import WeComApiError, WeComClient
from aftersales.channels.wecom_outbound import WeComSender
from aftersales.core.clock import FixedClock
from aftersales.notifications.errors import DeliveryFailed, RecipientUnreachable
from tests.support.fixture_files import load, raw
from tests.support.wecom import Settings
from tests.support.wecom import WeComApi as FakeWeComApi

EVENT_XML = raw("wecom/skit/KfMessageEvent.xml").decode()
SYNC_REQUEST = load("wecom/skit/CgibinKfSyncMessageRequest.json")
SYNC_PAGE = load("wecom/skit/CgibinKfSyncMessageResponse.json")
SEND_REQUEST = load("wecom/skit/CgibinKfSendMessageRequest.json")
KFID = SYNC_PAGE["msg_list"][0]["open_kfid"]
EXTERNAL = SYNC_PAGE["msg_list"][0]["external_userid"]
CONFIG = {"token": "t", "encoding_aes_key": "k" * 43, "corp_id": "ww-corp", "kf_secret": "kf-secret-123"}


def customer_text_page(text: str = "订单 SO-20261118-01 破损了，我要退货") -> dict:
    """The recorded page with its first (customer, origin 3) item re-keyed to a text message."""
    page = copy.deepcopy(SYNC_PAGE)
    page["msg_list"][0]["msgtype"] = "text"
    page["msg_list"][0]["text"] = {"content": text}
    return page


# --- inbound: the event and kf/sync_msg ----------------------------------------------------------

def test_the_recorded_kf_event_parses_to_its_token_and_kf_account():
    """GIVEN WeCom's kf_msg_or_event sample WHEN parsed THEN an event naming the Token to sync
    with and the kf account that has news (no sender, no content: those are pulled)."""
    event = parse_message(EVENT_XML)
    assert (event.msg_type, event.event) == ("event", KF_EVENT)
    assert event.token == "ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR"
    assert event.open_kfid == "wkxxxxxxx" and event.receiver == "ww12345678910"
    assert event.sender is None and event.content is None and event.msg_id is None


def test_the_recorded_kf_event_survives_the_callback_crypto():
    """GIVEN the sample sealed like WeCom seals callbacks (official vector key) WHEN decrypted THEN
    the same event comes out, so the callback URL of the application can carry kf events."""
    vector = load("wecom/wecom_callback_crypto.json")["config"]
    crypto = WeComCrypto(vector["token"], vector["encoding_aes_key"], vector["corpid_receiveid"])
    encrypt = crypto.encrypt(EVENT_XML)
    body = f"<xml><ToUserName>x</ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>".encode()
    plain = crypto.decrypt_message(signature(vector["token"], "1", "n", encrypt), "1", "n", body)
    assert parse_message(plain).open_kfid == "wkxxxxxxx"


def test_our_sync_request_has_the_samples_shape_plus_the_kf_account():
    """GIVEN the sample's cursor, token and limit WHEN we build the sync_msg body THEN those fields
    are the sample's (same values, same JSON types) and the only addition is `open_kfid`, which the
    official example carries; without a cursor (first sync) the field is left out, as documented."""
    ours = wecom_kf.sync_request(open_kfid=KFID, cursor=SYNC_REQUEST["cursor"], token=SYNC_REQUEST["token"])
    assert set(ours) - set(SYNC_REQUEST) == {"open_kfid"}
    for field in set(ours) & set(SYNC_REQUEST):
        assert ours[field] == SYNC_REQUEST[field] and type(ours[field]) is type(SYNC_REQUEST[field]), field
    first = wecom_kf.sync_request(open_kfid=KFID, cursor=None, token="tok")
    assert first == {"limit": 1000, "open_kfid": KFID, "token": "tok"}


def test_the_recorded_page_pages_on_and_holds_nothing_to_file():
    """GIVEN WeCom's recorded page (has_more 1; a customer item whose msgtype is the placeholder
    MSG_TYPE, and two recall events) WHEN parsed THEN the next cursor and has_more are read, and no
    item counts as customer text (non-text and events are ignored)."""
    page = wecom_kf.parse_sync_page(SYNC_PAGE)
    assert page.has_more is True and page.next_cursor == "4gw7MepFLfgF2VC5npN"
    assert [(m.origin, m.msgtype) for m in page.messages] == [(3, "MSG_TYPE"), (None, "event"), (None, "event")]
    assert not any(m.customer_text for m in page.messages)


def test_a_customers_text_in_the_recorded_shape_is_customer_text():
    """GIVEN the recorded page re-keyed so its first item is a text WHEN parsed THEN it is the
    customer's text with msgid, external_userid and kf account; a servicer's text (origin 5) is not."""
    page = wecom_kf.parse_sync_page(customer_text_page())
    first = page.messages[0]
    assert first.customer_text and first.text == "订单 SO-20261118-01 破损了，我要退货"
    assert (first.msgid, first.external_userid, first.open_kfid) == ("from_msgid_4622416642169452483", EXTERNAL,
                                                                     KFID)
    servicer = copy.deepcopy(customer_text_page())
    servicer["msg_list"][0]["origin"] = 5
    assert not wecom_kf.parse_sync_page(servicer).messages[0].customer_text
    done = wecom_kf.parse_sync_page({**SYNC_PAGE, "has_more": 0, "msg_list": []})
    assert done.has_more is False and done.messages == []


# 微信客服 sends answer with their own msgid, so a kf test can tell which API replied
WeComApi = partial(FakeWeComApi, default_msgid="kf-msg-1")


CLOCK = FixedClock(datetime(2026, 11, 26, 9, tzinfo=UTC))


def test_sync_calls_kf_sync_msg_with_the_kf_secrets_token_and_reads_the_page():
    """GIVEN the recorded page WHEN synced THEN gettoken gets the corp id and the kf secret, sync_msg
    gets that token and our body, and the parsed page comes back."""
    api = WeComApi([SYNC_PAGE])
    page = wecom_kf.WeComKfSync(Settings(CONFIG), WeComClient(api, CLOCK)).sync_msg(
        "acme", open_kfid=KFID, cursor="c0", token="tok")
    (m1, p1, q1, _), (m2, p2, q2, body) = api.calls
    assert (m1, p1, q1) == ("GET", "/cgi-bin/gettoken", {"corpid": "ww-corp", "corpsecret": "kf-secret-123"})
    assert (m2, p2, q2) == ("POST", "/cgi-bin/kf/sync_msg", {"access_token": "accesstoken000001-1"})
    assert body == {"cursor": "c0", "token": "tok", "limit": 1000, "open_kfid": KFID}
    assert page.next_cursor == "4gw7MepFLfgF2VC5npN"


def test_sync_renews_an_expired_token_once_and_raises_on_anything_else():
    """42001 once -> a new token, the same page request again; 95007 (stale sync token), a token
    error twice, or no kf secret -> WeComApiError (the kf sync worker fails its SQS record: retried, then DLQ)."""
    api = WeComApi([{"errcode": 42001, "errmsg": "access_token expired"}, SYNC_PAGE])
    sync = wecom_kf.WeComKfSync(Settings(CONFIG), WeComClient(api, CLOCK))
    assert sync.sync_msg("acme", open_kfid=KFID, cursor=None, token="t").has_more
    syncs = [c for c in api.calls if c[1] == "/cgi-bin/kf/sync_msg"]
    assert [c[2]["access_token"] for c in syncs] == ["accesstoken000001-1", "accesstoken000001-2"]
    assert syncs[0][3] == syncs[1][3]
    for replies in ([{"errcode": 95007, "errmsg": "invalid msg token"}], [{"errcode": 40014}, {"errcode": 40014}]):
        with pytest.raises(WeComApiError) as err:
            wecom_kf.WeComKfSync(Settings(CONFIG), WeComClient(WeComApi(replies), CLOCK)).sync_msg(
                "acme", open_kfid=KFID, cursor=None, token="t")
        assert err.value.details["errcode"] == replies[-1]["errcode"]
    with pytest.raises(WeComApiError) as err:
        wecom_kf.WeComKfSync(Settings({**CONFIG, "kf_secret": None}), WeComClient(WeComApi(), CLOCK)).sync_msg(
            "acme", open_kfid=KFID, cursor=None, token="t")
    assert err.value.details["errcode"] == "kf_not_configured"


# --- outbound: kf/send_msg ------------------------------------------------------------------------

KF_CONTACT = {"address": EXTERNAL, "locale": None, "open_kfid": KFID}  # a WeChat customer of a kf account
MEMBER = {"address": "zhangsan"}  # a member of the company: no kf account on the contact


def sender(api: WeComApi, config: dict | None = None) -> WeComSender:
    return WeComSender(Settings(CONFIG if config is None else config), api, CLOCK)


def test_a_wechat_customer_is_answered_through_kf_send_msg_in_the_samples_shape():
    """GIVEN a customer whose contact carries the kf account they wrote to WHEN a reply is sent THEN
    kf/send_msg (not message/send) gets a text body whose every field exists in WeCom's sample with
    the same JSON type: to the external user, from that kf account, with our 32-character msgid."""
    api = WeComApi()
    assert sender(api).ready("acme") is True
    provider_id = sender(api).send("acme", KF_CONTACT, "", "已为您安排上门取件。", idempotency_key="reply:m1:wecom")
    assert api.paths() == ["/cgi-bin/gettoken", "/cgi-bin/kf/send_msg"]
    assert api.calls[0][2]["corpsecret"] == "kf-secret-123"
    body = api.calls[1][3]
    for field, value in body.items():
        assert field in SEND_REQUEST, field
        assert type(value) is type(SEND_REQUEST[field]), field
    assert (body["touser"], body["open_kfid"], body["msgtype"]) == (EXTERNAL, KFID, "text")
    assert body["text"] == {"content": "已为您安排上门取件。"}
    assert re.fullmatch(r"[0-9a-zA-Z_-]{1,32}", body["msgid"]) and provider_id == "kf-msg-1"
    again = WeComApi()
    sender(again).send("acme", KF_CONTACT, "", "已为您安排上门取件。", idempotency_key="reply:m1:wecom")
    assert again.calls[1][3]["msgid"] == body["msgid"]  # a resend carries the same id


@pytest.mark.parametrize(("errcode", "error"), [
    (95001, RecipientUnreachable),  # over the 5 messages per customer message
    (95002, RecipientUnreachable),  # past the 48 hours after the customer's last message
    (95013, RecipientUnreachable),  # session ended
    (95018, RecipientUnreachable),  # session state does not allow API sends
    (95000, RecipientUnreachable), (95004, RecipientUnreachable),  # kf account invalid / deleted
    (40096, RecipientUnreachable),  # invalid external_userid
    (-1, DeliveryFailed), (45009, DeliveryFailed), (95017, DeliveryFailed), (95011, DeliveryFailed),
    (48002, DeliveryFailed),
])
def test_kf_error_codes_map_to_next_channel_or_retry(errcode, error):
    """WeCom says the customer cannot be reached now -> the outbox tries e-mail; busy, rate limits
    and set-up faults -> the queue retries (then DLQ)."""
    with pytest.raises(error):
        sender(WeComApi([{"errcode": errcode, "errmsg": "x"}])).send("acme", KF_CONTACT, "", "hi", idempotency_key="k")


def test_kf_send_renews_an_expired_token_once():
    api = WeComApi([{"errcode": 42001, "errmsg": "access_token expired"}])
    assert sender(api).send("acme", KF_CONTACT, "", "hi", idempotency_key="k") == "kf-msg-1"
    sends = [c for c in api.calls if c[1] == "/cgi-bin/kf/send_msg"]
    assert [c[2]["access_token"] for c in sends] == ["accesstoken000001-1", "accesstoken000001-2"]
    with pytest.raises(DeliveryFailed):
        sender(WeComApi([{"errcode": 40014}, {"errcode": 40014}])).send("acme", KF_CONTACT, "", "hi",
                                                                      idempotency_key="k")


def test_readiness_and_routing_follow_the_configured_secrets():
    """kf secret only -> ready; a member (no open_kfid on the contact) then cannot be reached on WeCom.
    App only -> ready; a kf customer cannot be reached. Both with one secret -> one gettoken."""
    with pytest.raises(RecipientUnreachable):
        sender(WeComApi()).send("acme", MEMBER, "", "hi", idempotency_key="k")
    app_only = {k: v for k, v in CONFIG.items() if k != "kf_secret"} | {"agent_id": 1000002, "secret": "app-secret"}
    assert sender(WeComApi(), config=app_only).ready("acme") is True
    with pytest.raises(RecipientUnreachable):
        sender(WeComApi(), config=app_only).send("acme", KF_CONTACT, "", "hi", idempotency_key="k")
    assert sender(WeComApi(), config={k: v for k, v in CONFIG.items() if k != "kf_secret"}).ready("acme") is False
    shared = app_only | {"kf_secret": "app-secret"}
    api = WeComApi([{"errcode": 0, "msgid": "a"}, {"errcode": 0, "msgid": "b"}])
    both = WeComSender(Settings(shared), api, CLOCK)
    both.send("acme", KF_CONTACT, "", "to the WeChat customer", idempotency_key="1")
    both.send("acme", MEMBER, "", "to a member", idempotency_key="2")
    assert api.paths() == ["/cgi-bin/gettoken", "/cgi-bin/kf/send_msg", "/cgi-bin/message/send"]


def test_long_replies_fit_the_2048_byte_limit():
    api = WeComApi()
    sender(api).send("acme", KF_CONTACT, "", "退" * 1000, idempotency_key="k")
    content = api.calls[-1][3]["text"]["content"]
    assert len(content.encode()) <= 2048 and content.endswith("…")
    json.dumps(api.calls[-1][3], ensure_ascii=False)
