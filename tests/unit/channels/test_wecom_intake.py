"""WeCom callbacks and 微信客服 sync as intake: signature, replay window and MsgId each checked once;
a failed callback gives its nonce and its MsgId back so WeCom's retry is taken. Sealed with the
official WXBizMsgCrypt vector; the kf pages are WeCom's recorded sync_msg reply, re-keyed."""

from __future__ import annotations

import copy

import pytest

from aftersales.channels import wecom_kf
from aftersales.channels.wecom_api import WeComApiError
from aftersales.logistics.verification import VerificationError
from aftersales.orders.domain import Order
from tests.support.channels import sealed_wecom_callback, wecom_text_message
from tests.support.channels_fakes import ORDER, ChannelRig, FakeCustomerDirectory
from tests.support.fixture_files import load, raw
from tests.support.tickets import order_payload

VECTOR = load("wecom/wecom_callback_crypto.json")
CONFIG = VECTOR["config"]
SETTINGS = {"token": CONFIG["token"], "encoding_aes_key": CONFIG["encoding_aes_key"],
            "corp_id": CONFIG["corpid_receiveid"]}
PAGE = load("wecom/skit/CgibinKfSyncMessageResponse.json")
KF_EVENT_XML = raw("wecom/skit/KfMessageEvent.xml").decode()
KFID, EXTERNAL = "wkTESTkf0000000000000000000001", "wmTESTcustomer0000000000000001"


@pytest.fixture
def wecom(rig):
    rig.settings.put("acme", "channel:wecom", SETTINGS)
    return rig


def _sealed(rig, inner: str, nonce: str = "n-1") -> tuple[dict, bytes]:
    return sealed_wecom_callback(CONFIG, inner, timestamp=str(int(rig.clock.now().timestamp())), nonce=nonce)


def _text(rig, text: str, msg_id: str, nonce: str = "n-1", sender: str = "wm-user-1") -> tuple[dict, bytes]:
    return _sealed(rig, wecom_text_message(CONFIG["corpid_receiveid"], sender, text, msg_id), nonce)


def _kf_event(rig, nonce: str = "n-kf", created: str = "1732600000") -> tuple[dict, bytes]:
    """The recorded kf_msg_or_event, re-keyed to our corp and kf account (no MsgId: its digest is its id)."""
    return _sealed(rig, KF_EVENT_XML.replace("ww12345678910", CONFIG["corpid_receiveid"])
                   .replace("wkxxxxxxx", KFID).replace("1348831860", created), nonce)


def test_the_url_verification_answers_the_decrypted_echostr(wecom):
    check = VECTOR["verify_url"]
    query = {k: check[k] for k in ("msg_signature", "timestamp", "nonce", "echostr")}
    assert wecom.wecom.verify_url("acme", query) == check["expected_reply_body"]


def test_a_customer_text_is_intake_once_per_msgid_and_each_nonce_once(wecom):
    # GIVEN a customer's text naming their order WHEN the callback arrives THEN a ticket is opened
    created = wecom.wecom.message("acme", *_text(wecom, f"订单 {ORDER} 破损了，我要退货", "m-1"))
    assert (created.outcome, created.external_id) == ("created", "m-1")
    assert wecom.conversation(created.ticket_id)[0].author.startswith("wecom:")
    assert "wm-user-1" not in wecom.conversation(created.ticket_id)[0].author
    # WHEN WeCom delivers the same MsgId again (a fresh nonce) THEN a duplicate, nothing filed twice
    again = wecom.wecom.message("acme", *_text(wecom, f"订单 {ORDER} 破损了，我要退货", "m-1", nonce="n-2"))
    assert again.outcome == "duplicate" and len(wecom.messages) == 1
    # WHEN someone replays the first callback as it was THEN 401 before it is read
    with pytest.raises(VerificationError) as replayed:
        wecom.wecom.message("acme", *_text(wecom, "anything", "m-9"))
    assert replayed.value.message_id == "webhook.replayed"


class _FailingOnce(FakeCustomerDirectory):
    def __init__(self) -> None:
        super().__init__()
        self.failures = 1

    def link(self, tenant_id: str, customer_id: str, identity_keys: list[str]) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("table unavailable")
        super().link(tenant_id, customer_id, identity_keys)


def test_a_failed_callback_gives_back_its_nonce_and_msgid_so_the_retry_is_filed():
    rig = ChannelRig(directory=_FailingOnce())
    rig.tickets.upsert_order("acme", Order.model_validate(order_payload(ORDER, "cust-1")))
    rig.settings.put("acme", "channel:wecom", SETTINGS)
    callback = _text(rig, f"订单 {ORDER} 破损了", "m-1")
    with pytest.raises(ConnectionError):
        rig.wecom.message("acme", *callback)
    assert len(rig.markers) == 0  # neither the nonce nor the MsgId is kept
    assert rig.wecom.message("acme", *callback).outcome in ("created", "joined")  # WeCom's retry, as it was


def test_an_unconfigured_tenant_and_other_message_types(rig):
    with pytest.raises(VerificationError) as refused:
        rig.wecom.message("acme", *_text(rig, "hi", "m-1"))
    assert refused.value.message_id == "webhook.signature_invalid"
    rig.settings.put("acme", "channel:wecom", SETTINGS)
    image = _sealed(rig, f"<xml><ToUserName>{CONFIG['corpid_receiveid']}</ToUserName><FromUserName>u</FromUserName>"
                         "<CreateTime>1732600000</CreateTime><MsgType>image</MsgType><MsgId>m-2</MsgId></xml>")
    assert (rig.wecom.message("acme", *image).outcome, len(rig.messages)) == ("ignored", 0)


def test_kf_news_is_queued_for_the_sync_worker_when_kf_is_configured(wecom):
    # GIVEN no kf secret WHEN the kf event arrives THEN it is ignored (nothing to read with)
    assert wecom.wecom.message("acme", *_kf_event(wecom, "n-a")).detail == "kf_not_configured"
    # GIVEN a kf secret WHEN WeCom sends the news THEN one sync request (tenant, account, Token, event id)
    wecom.settings.put("acme", "channel:wecom", {**SETTINGS, "kf_secret": "kf-secret"})
    queued = wecom.wecom.message("acme", *_kf_event(wecom, "n-b", created="1732600001"))
    assert queued.outcome == "queued"
    assert wecom.kf_requests.requests == [("acme", KFID, "ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR",
                                           queued.external_id)]


def test_kf_news_that_cannot_be_queued_is_retried_by_wecom(wecom):
    wecom.settings.put("acme", "channel:wecom", {**SETTINGS, "kf_secret": "kf-secret"})
    wecom.kf_requests.failing = True
    with pytest.raises(ConnectionError):
        wecom.wecom.message("acme", *_kf_event(wecom))
    wecom.kf_requests.failing = False
    assert wecom.wecom.message("acme", *_kf_event(wecom)).outcome == "queued" and len(wecom.kf_requests) == 1


def _page(next_cursor: str, has_more: int, *items: dict) -> wecom_kf.KfSyncPage:
    return wecom_kf.parse_sync_page({**copy.deepcopy(PAGE), "next_cursor": next_cursor, "has_more": has_more,
                                     "msg_list": list(items)})


def _customer(msgid: str, text: str, origin: int = 3) -> dict:
    item = copy.deepcopy(PAGE["msg_list"][0])
    item.update({"msgid": msgid, "open_kfid": KFID, "external_userid": EXTERNAL, "origin": origin,
                 "msgtype": "text", "text": {"content": text}})
    return item


def _kf_rig(rig, pages) -> None:
    rig.settings.put("acme", "channel:wecom", {**SETTINGS, "kf_secret": "kf-secret"})
    rig.kf.pages = pages


def test_a_sync_reads_page_by_page_and_files_each_customer_text_once(rig):
    # GIVEN two pages: a customer's text and WeCom's recorded recall events, then a servicer's message
    events = copy.deepcopy(PAGE["msg_list"][1:])
    _kf_rig(rig, {None: _page("c-1", 1, _customer("kf-1", f"订单 {ORDER} 破损了"), *events),
                  "c-1": _page("c-2", 0, _customer("kf-srv", "您好", origin=5)),
                  "c-2": _page("c-3", 0, _customer("kf-1", f"订单 {ORDER} 破损了"), _customer("kf-2", "多久？"))})
    # WHEN the first request is synced THEN both pages are read, the text is filed, the cursor moved
    first = rig.wecom.sync_kf("acme", KFID, "TOKEN-1", event_id="e-1")
    assert (first.outcome, first.detail) == ("synced", "pages=2 filed=1 parked=0 duplicate=0 ignored=3")
    assert rig.cursors.kf_cursor("acme", KFID) == "c-2" and [r[2] for r in rig.kf.reads] == [None, "c-1"]
    (ticket_id,) = {i.ticket_id for items in rig.messages.items.values() for i in items}
    assert rig.links.contacts("acme", "cust-1")["wecom"] == {"address": EXTERNAL, "locale": None, "open_kfid": KFID}
    # WHEN the next request reads a page holding the same text again THEN it is a duplicate
    second = rig.wecom.sync_kf("acme", KFID, "TOKEN-2", event_id="e-2")
    assert second.detail == "pages=1 filed=1 parked=0 duplicate=1 ignored=0"
    assert [i.body for i in rig.conversation(ticket_id)] == [f"订单 {ORDER} 破损了", "多久？"]


def test_a_refused_sync_keeps_the_cursor_and_a_stuck_cursor_stops_the_request(rig):
    _kf_rig(rig, {None: WeComApiError("error.wecom_api_failed", errcode=95007, api="kf/sync_msg")})
    with pytest.raises(WeComApiError):
        rig.wecom.sync_kf("acme", KFID, "T")
    assert len(rig.cursors) == 0
    rig.kf.pages = {None: _page("stuck", 1), "stuck": _page("stuck", 1)}
    assert rig.wecom.sync_kf("acme", KFID, "T").detail.startswith("pages=2 ")
    assert rig.cursors.kf_cursor("acme", KFID) == "stuck"


def test_a_sync_after_the_kf_secret_was_removed_reads_nothing(wecom):
    assert wecom.wecom.sync_kf("acme", KFID, "T").detail == "kf_not_configured" and len(wecom.kf) == 0
