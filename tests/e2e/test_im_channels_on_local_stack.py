"""Qiyu (网易七鱼) on the local stack (the real template: POST /webhooks/im/qiyu/demo -> ImPushFunction
-> ImIntakeQueue -> ImIntakeFunction; a staff reply -> the bus -> the notifications outbox ->
QiyuSender -> a local server answering like qiyukf.com's open API).

GIVEN the demo tenant with Qiyu credentials and a customer's complaint WHEN an agent links the Qiyu
conversation of visitor `uid` to the ticket and Qiyu pushes a signed message of that session THEN it
is answered at once and shows up on the ticket's conversation; a push with a wrong checksum is 401
and never shows up; WHEN the agent replies on the ticket for Qiyu THEN the fake Qiyu receives the
TEXT send for that uid, signed with the tenant's secret over the bytes it received."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from aftersales.channels.im_signatures import qiyu_checksum
from tests.support.fake_http import FakeJsonApi
from tests.support.fixture_files import raw
from tests.support.local_stack import demo_auth, eventually

pytestmark = pytest.mark.e2e
APP_KEY, SECRET = "e2eqiyuappkey0001", "E2EQIYUAPPSECRET0000000000000001"


@pytest.fixture
def qiyu_api(local_stack, monkeypatch):
    from aftersales import wiring

    api = FakeJsonApi(lambda method, path, query, body: (200, {"code": 200, "message": "success"}))
    monkeypatch.setenv("QIYU_API_BASE", api.url)
    wiring.reset()  # the in-process functions rebuild their senders with the local Qiyu
    yield api
    api.close()
    monkeypatch.undo()
    wiring.reset()


def _push(api: str, body: bytes, *, secret: str = SECRET) -> requests.Response:
    now = int(time.time())
    query = {"eventType": "MSG", "time": str(now), "checksum": qiyu_checksum(secret, body, now)}
    return requests.post(f"{api}/webhooks/im/qiyu/demo", params=query, data=body, timeout=10,
                         headers={"Content-Type": "application/json;charset=utf-8"})


def test_a_signed_qiyu_push_lands_on_the_linked_ticket_and_a_reply_goes_back_to_qiyu(local_stack, qiyu_api):
    api = local_stack.api_url
    key = {"X-Api-Key": next(v for k, v in local_stack.demo.items() if "API key" in k)}
    customer = demo_auth(local_stack, "customer token cust-1001")
    agent = demo_auth(local_stack, "agent token agent-li")
    put = requests.put(f"{api}/integrations/channels/qiyu", json={"app_key": APP_KEY, "app_secret": SECRET},
                       headers=key, timeout=10)
    assert put.status_code == 200, put.text
    opened = requests.post(f"{api}/tickets", json={"type": "complaint", "order_id": "SO-1001", "channel": "web",
                                                   "reason_code": "rude_courier", "description": "Chatting in Qiyu"},
                           headers={**customer, "Idempotency-Key": f"e2e-qiyu-{uuid.uuid4().hex}"}, timeout=10)
    assert opened.status_code == 201, opened.text
    ticket_id = opened.json()["id"]
    uid = f"qiyu-e2e-{uuid.uuid4().hex[:8]}"
    linked = requests.post(f"{api}/channels/im/qiyu/conversations/{uid}/link", json={"ticket_id": ticket_id},
                           headers={**agent, "Idempotency-Key": f"e2e-qiyu-link-{uid}"}, timeout=10)
    assert linked.status_code == 200, linked.text

    message = json.loads(raw("qiyu/push_MSG.body.json"))
    message.update(uid=uid, msgId=uuid.uuid4().hex, content="您好，我们正在核实物流")
    body = json.dumps(message, ensure_ascii=False).encode()
    forged = dict(message, msgId=uuid.uuid4().hex, content="forged")
    refused = _push(api, json.dumps(forged, ensure_ascii=False).encode(), secret="0" * 32)
    assert refused.status_code == 401, refused.text
    pushed = _push(api, body)
    assert pushed.status_code == 200 and pushed.json()["outcome"] == "queued", pushed.text

    def conversation() -> list[dict]:
        return requests.get(f"{api}/tickets/{ticket_id}/conversation", headers=agent, timeout=10).json()["items"]

    (said,) = eventually(lambda: [i for i in conversation() if i["channel"] == "qiyu"], timeout=30,
                         what="the Qiyu push on the linked ticket")
    assert (said["direction"], said["author"], said["body"]) == ("outbound", "qiyu:staff:143", "您好，我们正在核实物流")

    reply = requests.post(f"{api}/tickets/{ticket_id}/replies", json={"body": "已为您催促快递", "channel": "qiyu"},
                          headers={**agent, "Idempotency-Key": f"e2e-qiyu-reply-{uid}"}, timeout=10)
    assert reply.status_code == 201, reply.text

    def sent() -> list[tuple[dict, dict, str]]:
        return [(query, json.loads(b), b) for _, path, query, b in qiyu_api.received if path == "/openapi/message/send"]

    ((query, sent_body, sent_raw),) = eventually(sent, timeout=30, what="the reply sent to the fake Qiyu")
    assert sent_body == {"uid": uid, "msgType": "TEXT", "content": "已为您催促快递"}
    assert query["appKey"] == APP_KEY
    assert query["checksum"] == qiyu_checksum(SECRET, sent_raw.encode(), int(query["time"]))
    local_stack.drain(timeout=30)
    assert "forged" not in [i["body"] for i in conversation()]
