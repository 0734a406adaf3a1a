"""Automatic answers on the local stack (session stack, speed 1): GIVEN the demo tenant's WeCom
application (a local server answering like qyapi), a customer known on WeCom and their refund-only
ticket, paid back by the money path (approval policy -> refund saga -> sandbox provider) WHEN the
customer sends "我的退款到哪了" as a signed, encrypted WeCom callback THEN the WeCom function files it
on the open ticket, the bot answers from the ticket's real refund (amount, paid) in Chinese, marked
automatic on the conversation and the audit chain, and the outbox (bus -> queue -> notifications
function) sends that answer back with message/send; "转人工" afterwards is handed to an agent with the
bot's guess on the message and nothing more is sent."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from functools import partial

import pytest
import requests

from tests.support.channels import sealed_wecom_callback, wecom_text_message
from tests.support.fake_http import FakeJsonApi
from tests.support.fixture_files import load
from tests.support.local_stack import demo_auth, eventually
from tests.support.stack_orders import put_order, submitted_refund

pytestmark = pytest.mark.e2e
VECTOR = load("wecom/wecom_callback_crypto.json")["config"]
TOKEN = load("wecom/skit/CgibinGetTokenResponse.json")
MEMBER = "wm-e2e-answers"


def _settle(stack) -> None:
    """Let the pumps catch up (the shared machine may keep them busy longer: the probes poll anyway)."""
    with contextlib.suppress(TimeoutError):
        stack.drain(timeout=10)


_eventually = partial(eventually, timeout=120, interval=0.3)  # the pumps on a shared machine


@pytest.fixture
def qyapi(local_stack, monkeypatch):
    from aftersales import wiring

    api = FakeJsonApi(lambda method, path, query, body: (200, TOKEN if path == "/cgi-bin/gettoken" else {
        "errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"e2e-{uuid.uuid4().hex[:8]}"}))
    monkeypatch.setenv("WECOM_API_BASE", api.url)
    wiring.reset()  # the in-process functions rebuild their WeCom client with the local qyapi
    yield api
    api.close()
    monkeypatch.undo()
    wiring.reset()


def _callback(stack, text: str, msg_id: str) -> requests.Response:
    inner = wecom_text_message(VECTOR["corpid_receiveid"], MEMBER, text, msg_id, created=str(int(time.time())),
                               agent_id=1000002)
    query, body = sealed_wecom_callback(VECTOR, inner, agent_id=1000002)
    return requests.post(f"{stack.api_url}/webhooks/wecom/demo", params=query, data=body,
                         headers={"Content-Type": "text/xml"}, timeout=15)


def _sent(qyapi) -> list[str]:
    return [json.loads(body)["text"]["content"] for _, path, _, body in qyapi.received
            if path == "/cgi-bin/message/send" and body]


def test_a_wecom_refund_question_gets_an_automatic_answer_from_the_real_refund_in_chinese(local_stack, qyapi):
    api, key = local_stack.api_url, demo_auth(local_stack, "storefront API key")
    admin, agent = demo_auth(local_stack, "admin token"), demo_auth(local_stack, "agent token")
    configured = requests.put(f"{api}/integrations/channels/wecom", headers=admin, timeout=10, json={
        "token": VECTOR["token"], "encoding_aes_key": VECTOR["encoding_aes_key"],
        "corp_id": VECTOR["corpid_receiveid"], "agent_id": 1000002, "secret": "e2e-wecom-app-secret-123"})
    assert configured.status_code == 200, configured.text
    customer = f"cust-answers-{uuid.uuid4().hex[:8]}"
    order = put_order(local_stack, "E2E-ANS", 5000, customer_id=customer)
    contact = requests.put(f"{api}/customers/{customer}/contacts/wecom", headers=key, timeout=10,
                           json={"address": MEMBER, "locale": "zh-Hans"})
    assert contact.status_code == 200, contact.text
    ticket_id = submitted_refund(local_stack, order, {**key, "Accept-Language": "zh-Hans"}, channel="wecom")

    def refunded() -> bool:
        _settle(local_stack)
        return requests.get(f"{api}/tickets/{ticket_id}", headers=agent, timeout=10).json()["status"] == "refunded"

    _eventually(refunded, what="the refund saga")
    before = len(_sent(qyapi))

    # WHEN the customer asks on WeCom
    reply = _callback(local_stack, "我的退款到哪了", f"{int(time.time())}01")
    assert reply.status_code == 200 and reply.text == "success", reply.text
    conversation = requests.get(f"{api}/tickets/{ticket_id}/conversation", headers=agent, timeout=10).json()["items"]
    said = next(i for i in conversation if i["body"] == "我的退款到哪了")
    answer = next(i for i in conversation if i["author"] == "bot:answers")
    assert said["direction"] == "inbound" and said["data"]["bot"]["intent"] == "refund_status"
    assert answer["data"]["automatic"] is True and answer["data"]["in_reply_to"] == said["message_id"]
    assert answer["direction"] == "outbound" and answer["channel"] == "wecom"
    assert "¥50.00" in answer["body"] and "已退出" in answer["body"] and ticket_id in answer["body"]
    audit = requests.get(f"{api}/tickets/{ticket_id}/audit", headers=agent, timeout=10).json()["entries"]
    assert audit[-1]["event"] == "ticket.auto_answered" and audit[-1]["data"]["message_id"] == answer["message_id"]

    # THEN the outbox sends the answer back to the customer on WeCom
    def answered_on_wecom() -> list[str]:
        _settle(local_stack)
        return [text for text in _sent(qyapi)[before:] if "自动回复" in text]

    [sent] = _eventually(answered_on_wecom, what="the answer on WeCom")
    assert sent == answer["body"]

    # a request for a person goes to an agent: the guess is on the message, nothing more is sent
    handed = _callback(local_stack, "退款还是没到，转人工", f"{int(time.time())}02")
    assert handed.status_code == 200, handed.text
    conversation = requests.get(f"{api}/tickets/{ticket_id}/conversation", headers=agent, timeout=10).json()["items"]
    person = next(i for i in conversation if i["body"] == "退款还是没到，转人工")
    assert person["data"]["bot"]["answered"] is False and person["data"]["bot"]["reason"] == "person_requested"
    assert "¥50.00" in person["data"]["bot"]["suggested_answer"]
    _settle(local_stack)
    assert [t for t in _sent(qyapi)[before:] if "自动回复" in t] == [sent]
    audit = requests.get(f"{api}/tickets/{ticket_id}/audit", headers=agent, timeout=10).json()["entries"]
    assert audit[-1]["event"] == "ticket.bot_handed_off"
