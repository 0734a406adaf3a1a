"""Qiyu (网易七鱼) under moto, through the real wiring: write-only credentials, the im_push function
(a signed push lands on the linked ticket's conversation; a bad one is 401 and stores nothing), the
link action over the API, and a staff reply that the outbox sends into the Qiyu session through a
local HTTP server answering like qiyukf.com (checksum verified on what it received; a failure is
raised for the queue to retry)."""

from __future__ import annotations

import json
import os
import time as clock

import pytest

from aftersales.channels.im_signatures import qiyu_checksum
from aftersales.notifications.errors import DeliveryFailed
from tests.support.channels import api_event, table_items, take_queued, tenant_with_return
from tests.support.fake_http import FakeJsonApi
from tests.support.fixture_files import load, raw
from tests.support.lambdas import FakeContext, load_handler

APP_KEY, SECRET = "23265109a6de706423539e0f6a6fb820", "B280D73CCF0648D1828305F73E9A3C47"


@pytest.fixture
def qiyu(api, demo, aws, monkeypatch):
    """acme with a return ticket, Qiyu configured, and a fake Qiyu open API answering `replies` in order."""
    fake = FakeJsonApi(lambda method, path, query, body: fake.replies.pop(0) if fake.replies else (200, {"code": 200}))
    fake.replies = []
    monkeypatch.setenv("QIYU_API_BASE", fake.url)
    import boto3

    monkeypatch.setenv("IM_INTAKE_QUEUE_URL", boto3.client("sqs").create_queue(QueueName="test-im-intake")["QueueUrl"])
    from aftersales import wiring

    wiring.reset()
    acme = tenant_with_return(api, demo, aws)
    put = api.request("PUT", "/integrations/channels/qiyu", {"app_key": APP_KEY, "app_secret": SECRET}, acme["admin"])
    assert put.status == 200 and put.body["push_path"] == "/webhooks/im/qiyu/acme"
    yield acme, fake
    fake.close()


def _push(body: bytes, event: str, *, secret: str = SECRET, at: int | None = None) -> dict:
    """The push function's answer; what it queued is then taken by the intake worker, as SQS would."""
    at = at or int(clock.time())
    query = {"eventType": event, "time": str(at), "checksum": qiyu_checksum(secret, body, at)}
    answer = load_handler("im_push").lambda_handler(
        api_event("POST", "/webhooks/im/{channel}/{tenant_id}", "/webhooks/im/qiyu/acme",
                  {"channel": "qiyu", "tenant_id": "acme"}, body, {"Content-Type": "application/json;charset=utf-8"},
                  query), FakeContext("im_push"))
    records = take_queued(os.environ["IM_INTAKE_QUEUE_URL"])
    if records:
        worker = load_handler("im_intake").lambda_handler({"Records": records}, FakeContext("im_intake"))
        assert worker == {"batchItemFailures": []}
    return answer


def _conversation(api, acme) -> list[dict]:
    return api.request("GET", f"/tickets/{acme['ticket']}/conversation", None, acme["agent"]).body["items"]


def test_credentials_are_write_only_and_validated(api, qiyu):
    acme, _ = qiyu
    listed = api.request("GET", "/integrations", None, acme["admin"]).body
    assert SECRET not in json.dumps(listed)
    bad = api.request("PUT", "/integrations/channels/qiyu", {"app_key": APP_KEY, "app_secret": "no spaces!"},
                      acme["admin"])
    assert bad.status == 422 and "app_secret" in json.dumps(bad.body)
    assert api.request("PUT", "/integrations/channels/meiqia", {"secret_key": "short"}, acme["admin"]).status == 422


def test_a_signed_push_lands_on_the_linked_ticket_and_a_bad_one_stores_nothing(api, qiyu, aws):
    acme, _ = qiyu
    before = len(table_items(os.environ["CHANNELS_TABLE"]))
    refused = _push(raw("qiyu/push_MSG.body.json"), "MSG", secret="0" * 32)
    old = _push(raw("qiyu/push_MSG.body.json"), "MSG", at=int(clock.time()) - 301)
    assert (refused["statusCode"], old["statusCode"]) == (401, 401)
    assert take_queued(os.environ["IM_INTAKE_QUEUE_URL"]) == []
    assert len(table_items(os.environ["CHANNELS_TABLE"])) == before
    linked = api.request("POST", "/channels/im/qiyu/conversations/user1/link", {"ticket_id": acme["ticket"]},
                         {**acme["agent"], "Idempotency-Key": "link-1"})
    assert linked.status == 200 and linked.body["ticket_id"] == acme["ticket"]
    assert _push(raw("qiyu/push_SESSION_START.body.json"), "SESSION_START")["statusCode"] == 200
    assert _push(raw("qiyu/push_MSG.body.json"), "MSG")["statusCode"] == 200
    items = [(i["channel"], i["direction"], i["body"], i["data"].get("im_event")) for i in _conversation(api, acme)]
    assert ("qiyu", "system", "", "session_started") in items and ("qiyu", "outbound", "2222", "agent_message") in items


def test_a_staff_reply_goes_into_the_qiyu_session_signed(api, qiyu):
    from aftersales.wiring import services

    acme, fake = qiyu
    api.request("POST", "/channels/im/qiyu/conversations/user1/link", {"ticket_id": acme["ticket"]},
                {**acme["agent"], "Idempotency-Key": "link-2"})
    reply = api.request("POST", f"/tickets/{acme['ticket']}/replies", {"body": "七鱼，你好。", "channel": "qiyu"},
                        {**acme["agent"], "Idempotency-Key": "reply-1"})
    assert reply.status == 201
    entry = api.request("GET", f"/tickets/{acme['ticket']}/audit", None, acme["supervisor"]).body["entries"][-1]
    event = {"detail-type": entry["event"], "source": "aftersales.tickets", "detail": {
        "tenant_id": "acme", "ticket_id": acme["ticket"], "seq": entry["seq"], "event": entry["event"],
        "data": entry["data"], "reason": entry["reason"], "dedup_key": f"{acme['ticket']}#{entry['seq']}"}}
    fake.replies = [(500, {"code": 500, "message": "busy"})]
    with pytest.raises(DeliveryFailed):  # the outbox queue retries it (then its DLQ)
        services().notifications.handle(event)
    assert services().notifications.handle(event) == "sent"
    method, path, query, body = fake.received[-1]
    assert (method, path, query["appKey"]) == ("POST", "/openapi/message/send", APP_KEY)
    assert query["checksum"] == qiyu_checksum(SECRET, body.encode(), int(query["time"]))
    assert json.loads(body) == load("qiyu/send_message_TEXT.request.json")  # uid user1, TEXT, 七鱼，你好。
    assert services().notifications.handle(event) == "duplicate"


def test_staff_open_a_ticket_from_a_conversation_over_the_api(api, qiyu):
    acme, _ = qiyu
    body = {"type": "complaint", "order_id": "O-1", "channel": "web", "reason_code": "late"}
    opened = api.request("POST", "/channels/im/qiyu/conversations/user9/ticket", body,
                         {**acme["agent"], "Idempotency-Key": "open-1"})
    assert opened.status == 201 and opened.body["customer_id"] == "cust-1"
    ticket = api.request("GET", f"/tickets/{opened.body['ticket_id']}", None, acme["agent"])
    assert ticket.status == 200 and ticket.body["order_id"] == "O-1"
    bad = api.request("POST", "/channels/im/qiyu/conversations/user9/ticket", {**body, "reason_code": ""},
                      {**acme["agent"], "Idempotency-Key": "open-2"})
    assert bad.status == 422 and "reason_code" in json.dumps(bad.body)
    customer = api.request("POST", "/channels/im/qiyu/conversations/user9/ticket", body,
                           {**acme["cust-1"], "Idempotency-Key": "open-3"})
    assert customer.status == 403


def test_a_visitors_refund_question_gets_the_bots_answer_back_into_the_qiyu_session(api, qiyu):
    """A Qiyu visitor's own text (MSG without staffId) goes through channel intake like a WeCom
    message: the bot answers from the real ticket, and the outbox sends the answer to Qiyu."""
    from aftersales.wiring import services

    acme, fake = qiyu
    api.request("POST", "/channels/im/qiyu/conversations/user1/link", {"ticket_id": acme["ticket"]},
                {**acme["agent"], "Idempotency-Key": "link-3"})
    message = load("qiyu/push_MSG.body.json")
    for staff_field in ("staffId", "staffName"):
        message.pop(staff_field)
    message.update(content="我的退款到哪了", msgId="visitor-1")
    assert _push(json.dumps(message, ensure_ascii=False).encode(), "MSG")["statusCode"] == 200
    items = _conversation(api, acme)
    said, answer = items[-2], items[-1]
    assert (said["direction"], said["body"], said["data"]["bot"]["intent"]) == ("inbound", "我的退款到哪了",
                                                                                 "refund_status")
    assert answer["author"] == "bot:answers" and answer["data"]["automatic"] is True and answer["channel"] == "qiyu"
    entry = api.request("GET", f"/tickets/{acme['ticket']}/audit", None, acme["supervisor"]).body["entries"][-1]
    assert entry["event"] == "ticket.auto_answered"
    event = {"detail-type": entry["event"], "source": "aftersales.tickets", "detail": {
        "tenant_id": "acme", "ticket_id": acme["ticket"], "seq": entry["seq"], "event": entry["event"],
        "data": entry["data"], "reason": entry["reason"], "dedup_key": f"{acme['ticket']}#{entry['seq']}"}}
    assert services().notifications.handle(event) == "sent"
    _, path, _, body = fake.received[-1]
    assert path == "/openapi/message/send" and json.loads(body) == {"uid": "user1", "msgType": "TEXT",
                                                                   "content": answer["body"]}
