"""微信客服 end to end: the WeCom callback Lambda (official crypto vector) queues a sync request on SQS
(moto) and answers at once; the kf sync Lambda, fed that SQS message, reads kf/sync_msg from a local
HTTP server answering like qyapi.weixin.qq.com with WeCom's recorded kf payloads (re-keyed), into
DynamoDB under moto; the agent's reply leaves through the notifications Lambda."""

from __future__ import annotations

import copy
import json

import pytest

from tests.support.channels import Webhooks, extra_resources, sealed_wecom_callback, seed_order, take_queued
from tests.support.fake_http import FakeJsonApi
from tests.support.fixture_files import load, raw
from tests.support.lambdas import FakeContext, load_handler, sqs_record
from tests.support.tickets import order_payload

VECTOR = load("wecom/wecom_callback_crypto.json")["config"]
TOKEN = load("wecom/skit/CgibinGetTokenResponse.json")
PAGE = load("wecom/skit/CgibinKfSyncMessageResponse.json")
EVENT_XML = raw("wecom/skit/KfMessageEvent.xml").decode()
KFID = "wkTESTkf0000000000000000000001"
EXTERNAL = "wmTESTcustomer0000000000000001"
KF_SECRET = "kf-secret-0123456789"
FIRST = "订单 SO-20261118-01 破损了，我要退货"
SECOND = "请问什么时候处理？"


def customer_item(msgid: str, text: str, origin: int = 3) -> dict:
    """The recorded customer item (origin 3) re-keyed: our ids, msgtype text with its content."""
    item = copy.deepcopy(PAGE["msg_list"][0])
    item.update({"msgid": msgid, "open_kfid": KFID, "external_userid": EXTERNAL, "origin": origin,
                 "msgtype": "text", "text": {"content": text}})
    return item


def recorded_events() -> list[dict]:
    events = copy.deepcopy(PAGE["msg_list"][1:])
    for event in events:
        event["event"].update({"open_kfid": KFID, "external_userid": EXTERNAL})
    return events


def page(next_cursor: str, has_more: int, items: list[dict]) -> dict:
    return {**copy.deepcopy(PAGE), "next_cursor": next_cursor, "has_more": has_more, "msg_list": items}


# kf/sync_msg by cursor: the first event reads two pages, the second event one more.
PAGES = {
    None: page("cursor-1", 1, [customer_item("kfmsg-1", FIRST), *recorded_events()]),
    "cursor-1": page("cursor-2", 0, [customer_item("kfmsg-srv", "您好，我是客服小王", origin=5)]),
    "cursor-2": page("cursor-3", 0, [customer_item("kfmsg-1", FIRST), customer_item("kfmsg-2", SECOND)]),
}


@pytest.fixture
def kf_queue(aws, monkeypatch):
    """The template's WeComKfSyncQueue under moto; the callback finds it as its Environment says."""
    import boto3

    assert "WECOM_KF_SYNC_QUEUE_URL" in aws.functions["WeComCallbackFunction"].environment
    (source,) = aws.functions["WeComKfSyncFunction"].sqs_events
    assert source.queue_arn == aws.queues["WeComKfSyncQueue"].arn
    assert (source.batch_size, source.report_batch_item_failures) == (1, True)
    url = boto3.client("sqs").create_queue(QueueName="test-wecom-kf-sync")["QueueUrl"]
    monkeypatch.setenv("WECOM_KF_SYNC_QUEUE_URL", url)
    return url


@pytest.fixture
def qyapi(aws, demo, kf_queue, monkeypatch):
    """qyapi stand-in: gettoken -> the recorded token; kf/sync_msg -> PAGES by cursor; kf/send_msg ok."""
    def answer(method, path, query, body):
        if path == "/cgi-bin/gettoken":
            return 200, TOKEN
        if path == "/cgi-bin/kf/sync_msg":
            return 200, PAGES[json.loads(body).get("cursor")]
        if path == "/cgi-bin/kf/send_msg":
            return 200, {"errcode": 0, "errmsg": "ok", "msgid": json.loads(body)["msgid"]}
        return 404, {"errcode": 404}

    api = FakeJsonApi(answer)
    monkeypatch.setenv("WECOM_API_BASE", api.url)
    from aftersales import wiring

    wiring.reset()
    extra_resources(aws)
    seed_order("acme", "SO-20261118-01", customer="cust-1")
    yield api
    api.close()


def kf_event(env: Webhooks, token: str, created: str):
    """The recorded kf_msg_or_event, re-keyed (our corp id, kf account, sync token), sealed with the
    official vector's key and signed with a fresh timestamp and nonce, as WeCom seals callbacks."""
    inner = (EVENT_XML.replace("ww12345678910", VECTOR["corpid_receiveid"]).replace("wkxxxxxxx", KFID)
             .replace("ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR", token)
             .replace("1348831860", created))
    return env.wecom_call("POST", "acme", *sealed_wecom_callback(VECTOR, inner))


def syncs(api: FakeJsonApi) -> list[dict]:
    return [json.loads(body) for _, path, _, body in api.received if path == "/cgi-bin/kf/sync_msg"]


def kf_sync(record: dict) -> dict:
    """The kf sync Lambda, fed one SQS record (BatchSize 1, as the template says)."""
    return load_handler("wecom_kf_sync").lambda_handler({"Records": [record]}, FakeContext("kf-sync"))


def the_request(queue_url: str, token: str) -> dict:
    """Exactly one well-formed sync request on the queue: tenant, kf account, the event's Token, the
    callback's dedupe id of the event; nothing the customer wrote (the event carries none)."""
    (record,) = take_queued(queue_url)
    body = json.loads(record["body"])
    assert set(body) == {"tenant_id", "open_kfid", "token", "event_id"}, body
    assert (body["tenant_id"], body["open_kfid"], body["token"]) == ("acme", KFID, token)
    assert isinstance(body["event_id"], str) and body["event_id"]
    return record


def test_a_wechat_customer_files_a_return_over_kf_and_gets_the_agents_reply_there(qyapi, kf_queue, api, demo,
                                                                                   caplog):
    """GIVEN a tenant with the callback credentials and a 微信客服 secret (set through the API) and an
    order SO-20261118-01 of cust-1
    WHEN WeCom announces kf news THEN the callback answers success without calling WeCom, leaving one
    sync request on the queue; WHEN the sync Lambda gets it THEN sync_msg is read from no cursor with
    the event's Token, paging on to cursor-1, and the customer's text (not the recall events, not the
    servicer's message) opens a return ticket for the order it names; the stored cursor is cursor-2
    WHEN a second event arrives and is synced THEN sync_msg goes on from cursor-2 with the new Token; the redelivered
    first message is a duplicate, the new one joins the same ticket (no second ticket)
    WHEN an agent replies and the agent_replied event reaches the notifications Lambda THEN the reply
    goes out through kf/send_msg to that external user from that kf account, with the kf secret's token;
    nothing the customer wrote and no external user id appears in the logs."""
    from aftersales.wiring import services

    admin = demo["acme"]["admin"]
    settings = {"token": VECTOR["token"], "encoding_aes_key": VECTOR["encoding_aes_key"],
                "corp_id": VECTOR["corpid_receiveid"], "kf_secret": KF_SECRET}
    put = api.request("PUT", "/integrations/channels/wecom", settings, admin)
    assert put.status == 200 and put.body["kf"] is True and put.body["outbound"] is False, put
    env = Webhooks()

    assert kf_event(env, "TOKEN-ONE", "1732600000").raw == "success"
    assert qyapi.received == []  # the callback answers at once: the sync is the worker's
    assert kf_sync(the_request(kf_queue, "TOKEN-ONE")) == {"batchItemFailures": []}
    assert syncs(qyapi) == [{"token": "TOKEN-ONE", "limit": 1000, "open_kfid": KFID},
                            {"cursor": "cursor-1", "token": "TOKEN-ONE", "limit": 1000, "open_kfid": KFID}]
    svc = services()
    (ticket,) = svc.tickets.list("acme", _system(), customer_id="cust-1").items
    assert (ticket.type.value, ticket.order_id, ticket.channel.value) == ("return_refund", "SO-20261118-01", "wecom")
    store = svc.channel_stores.intake
    assert store.kf_cursor("acme", KFID) == "cursor-2"
    assert store.contacts("acme", "cust-1")["wecom"] == {"address": EXTERNAL, "locale": None, "open_kfid": KFID}

    assert kf_event(env, "TOKEN-TWO", "1732600300").raw == "success"
    assert len(syncs(qyapi)) == 2
    assert kf_sync(the_request(kf_queue, "TOKEN-TWO")) == {"batchItemFailures": []}
    assert syncs(qyapi)[2:] == [{"cursor": "cursor-2", "token": "TOKEN-TWO", "limit": 1000, "open_kfid": KFID}]
    assert store.kf_cursor("acme", KFID) == "cursor-3"
    assert [t.id for t in svc.tickets.list("acme", _system(), customer_id="cust-1").items] == [ticket.id]
    inbound = [(m.body, m.external_id) for m in svc.channel_stores.conversations.list("acme", ticket.id)
               if m.direction == "inbound"]
    assert inbound == [(FIRST, "kfmsg-1"), (SECOND, "kfmsg-2")]

    agent = demo["acme"]["agent"]
    reply = api.request("POST", f"/tickets/{ticket.id}/replies", {"body": "已为您安排上门取件。"}, agent)
    assert reply.status == 201, reply
    replied = api.request("GET", f"/tickets/{ticket.id}/audit", None, demo["acme"]["supervisor"]).body["entries"][-1]
    assert replied["event"] == "ticket.agent_replied"
    event = {"detail-type": replied["event"], "source": "aftersales.tickets", "detail": {
        "tenant_id": "acme", "ticket_id": ticket.id, "seq": replied["seq"], "event": replied["event"],
        "data": replied["data"], "reason": replied["reason"], "dedup_key": f"{ticket.id}#{replied['seq']}"}}
    record = sqs_record(event)
    assert load_handler("notifications").lambda_handler({"Records": [record]}, FakeContext("n")) == {
        "batchItemFailures": []}
    sends = [(query, json.loads(body)) for _, path, query, body in qyapi.received if path == "/cgi-bin/kf/send_msg"]
    ((query, sent),) = sends
    assert (sent["touser"], sent["open_kfid"], sent["msgtype"]) == (EXTERNAL, KFID, "text")
    assert sent["text"] == {"content": "已为您安排上门取件。"} and query == {"access_token": TOKEN["access_token"]}
    token_queries = [q for _, path, q, _ in qyapi.received if path == "/cgi-bin/gettoken"]
    assert token_queries and all(q["corpsecret"] == KF_SECRET for q in token_queries)
    assert "/cgi-bin/message/send" not in qyapi.paths()

    logged = [repr(vars(r)) for r in caplog.records if r.name.startswith("aftersales")]
    assert any("wecom kf synced" in line for line in logged)  # the structured logs were captured
    for secret_or_personal in (EXTERNAL, FIRST, SECOND, "已为您安排上门取件", KF_SECRET):
        assert not any(secret_or_personal in line for line in logged), secret_or_personal


def test_a_failed_sync_fails_its_record_and_the_redelivery_files_the_message_once(qyapi, kf_queue, api, demo):
    """GIVEN sync_msg failing with a stale sync token (95007) WHEN the event arrives THEN the callback
    still answers success (it never calls WeCom) and queues the request; the sync Lambda reports that
    record as a batch item failure (SQS delivers it again, then the DLQ; our logs see errcode 95007),
    no cursor is stored and nothing is filed; WHEN SQS redelivers it and sync_msg answers THEN the
    message is filed once; a duplicate delivery of the event by WeCom queues nothing."""
    from aftersales.wiring import services

    services().integrations.set_wecom("acme", {
        "token": VECTOR["token"], "encoding_aes_key": VECTOR["encoding_aes_key"],
        "corp_id": VECTOR["corpid_receiveid"], "kf_secret": KF_SECRET})
    answer = qyapi.answer
    qyapi.answer = lambda method, path, query, body: (
        (200, {"errcode": 95007, "errmsg": "invalid msg token"}) if path == "/cgi-bin/kf/sync_msg"
        else answer(method, path, query, body))
    env = Webhooks()
    assert kf_event(env, "TOKEN-ONE", "1732600000").raw == "success"
    assert qyapi.received == []
    record = the_request(kf_queue, "TOKEN-ONE")
    assert kf_sync(record) == {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}
    store = services().channel_stores.intake
    assert store.kf_cursor("acme", KFID) is None
    assert services().tickets.list("acme", _system(), customer_id="cust-1").items == []

    qyapi.answer = answer
    assert kf_sync(record) == {"batchItemFailures": []}  # SQS's redelivery of the same record
    (ticket,) = services().tickets.list("acme", _system(), customer_id="cust-1").items
    assert store.kf_cursor("acme", KFID) == "cursor-2"
    assert kf_event(env, "TOKEN-ONE", "1732600000").raw == "success"  # a duplicate delivery: no new request
    assert take_queued(kf_queue) == []
    assert len(syncs(qyapi)) == 1 + 2  # the failed call, then the two pages of the redelivery
    inbound = [m for m in services().channel_stores.conversations.list("acme", ticket.id) if m.direction == "inbound"]
    assert [m.external_id for m in inbound] == ["kfmsg-1"]


def test_a_request_that_cannot_be_queued_answers_500_and_wecoms_retry_queues_it(qyapi, kf_queue, api, demo,
                                                                                 monkeypatch):
    """GIVEN the sync queue unreachable WHEN the kf event arrives THEN the callback answers 500 (WeCom
    retries) and forgets the event; WHEN WeCom retries with the queue back THEN success and exactly one
    request is queued."""
    from aftersales import wiring

    wiring.services().integrations.set_wecom("acme", {
        "token": VECTOR["token"], "encoding_aes_key": VECTOR["encoding_aes_key"],
        "corp_id": VECTOR["corpid_receiveid"], "kf_secret": KF_SECRET})
    monkeypatch.setenv("WECOM_KF_SYNC_QUEUE_URL", kf_queue + "-missing")
    wiring.reset()
    env = Webhooks()
    failed = kf_event(env, "TOKEN-ONE", "1732600000")
    assert failed.status == 500, failed
    monkeypatch.setenv("WECOM_KF_SYNC_QUEUE_URL", kf_queue)
    wiring.reset()
    assert kf_event(env, "TOKEN-ONE", "1732600000").raw == "success"
    the_request(kf_queue, "TOKEN-ONE")
    assert qyapi.received == []


def test_without_a_kf_secret_the_event_is_acknowledged_and_ignored(qyapi, kf_queue, api, demo):
    """GIVEN callback credentials only (an application's inbound channel) WHEN a kf event arrives THEN
    'success', nothing queued and no call to WeCom (nothing we could read it with)."""
    from aftersales.wiring import services

    services().integrations.set_wecom("acme", {
        "token": VECTOR["token"], "encoding_aes_key": VECTOR["encoding_aes_key"],
        "corp_id": VECTOR["corpid_receiveid"]})
    assert kf_event(Webhooks(), "TOKEN-ONE", "1732600000").raw == "success"
    assert take_queued(kf_queue) == [] and qyapi.received == []


def test_a_parked_kf_message_keeps_the_kf_account_for_when_the_order_arrives(qyapi, kf_queue, api, demo):
    """GIVEN a WeChat customer we do not know who names an order we do not know yet WHEN the kf message
    is synced THEN it is parked (in the unmatched inbox, without the external user id) and no contact
    exists; WHEN the storefront pushes that order THEN the replay opens the ticket and the customer's
    WeCom contact carries the kf account, so replies go back through 微信客服."""
    from aftersales.wiring import services

    services().integrations.set_wecom("acme", {
        "token": VECTOR["token"], "encoding_aes_key": VECTOR["encoding_aes_key"],
        "corp_id": VECTOR["corpid_receiveid"], "kf_secret": KF_SECRET})
    answer = qyapi.answer
    qyapi.answer = lambda method, path, query, body: (
        (200, page("cursor-9", 0, [customer_item("kfmsg-new", "订单 SO-NEW-000001 没收到，我要退款")]))
        if path == "/cgi-bin/kf/sync_msg" else answer(method, path, query, body))
    assert kf_event(Webhooks(), "TOKEN-ONE", "1732600000").raw == "success"
    assert kf_sync(the_request(kf_queue, "TOKEN-ONE")) == {"batchItemFailures": []}
    intake = services().channel_stores.intake
    listed = api.request("GET", "/inbox/unmatched", None, demo["acme"]["agent"])
    assert [i["body"] for i in listed.body["items"]] == ["订单 SO-NEW-000001 没收到，我要退款"]
    assert EXTERNAL not in json.dumps(listed.body) and KFID not in json.dumps(listed.body)
    assert intake.contacts("acme", "cust-2") == {}

    pushed = api.request("PUT", "/orders/SO-NEW-000001", order_payload("SO-NEW-000001", "cust-2"), demo["acme"]["key"])
    assert pushed.status == 201, pushed
    (ticket,) = services().tickets.list("acme", _system(), customer_id="cust-2").items
    assert ticket.order_id == "SO-NEW-000001" and ticket.channel.value == "wecom"
    assert intake.contacts("acme", "cust-2")["wecom"] == {"address": EXTERNAL, "locale": None,
                                                                 "open_kfid": KFID}


def test_a_cursor_that_does_not_move_stops_the_paging(qyapi, kf_queue, api, demo):
    """GIVEN sync_msg answering has_more 1 with the same next_cursor forever WHEN an event is synced
    THEN the sync stops after the page that did not move the cursor (no endless loop) and succeeds;
    the next event goes on from the stored cursor."""
    from aftersales.wiring import services

    services().integrations.set_wecom("acme", {
        "token": VECTOR["token"], "encoding_aes_key": VECTOR["encoding_aes_key"],
        "corp_id": VECTOR["corpid_receiveid"], "kf_secret": KF_SECRET})
    answer = qyapi.answer
    qyapi.answer = lambda method, path, query, body: (
        (200, page("stuck", 1, recorded_events())) if path == "/cgi-bin/kf/sync_msg"
        else answer(method, path, query, body))
    assert kf_event(Webhooks(), "TOKEN-ONE", "1732600000").raw == "success"
    assert kf_sync(the_request(kf_queue, "TOKEN-ONE")) == {"batchItemFailures": []}
    assert [s.get("cursor") for s in syncs(qyapi)] == [None, "stuck"]
    assert services().channel_stores.intake.kf_cursor("acme", KFID) == "stuck"


def test_the_kf_secret_is_validated_and_never_read_back(api, demo, aws):
    """GIVEN an admin WHEN the WeCom settings carry a too-short kf_secret THEN 422 and nothing stored;
    a valid one turns kf on (alone or beside the application) and GET /integrations names the
    integration only."""
    admin = demo["acme"]["admin"]
    base = {"token": "tok", "encoding_aes_key": "k" * 43, "corp_id": "ww-corp"}
    short = api.request("PUT", "/integrations/channels/wecom", {**base, "kf_secret": "short"}, admin)
    assert short.status == 422 and "kf_secret" in json.dumps(short.body), short
    assert api.request("GET", "/integrations", None, admin).body["items"] == []
    kf_only = api.request("PUT", "/integrations/channels/wecom", {**base, "kf_secret": KF_SECRET}, admin)
    assert kf_only.status == 200 and (kf_only.body["kf"], kf_only.body["outbound"]) == (True, False)
    both = api.request("PUT", "/integrations/channels/wecom",
                       {**base, "agent_id": 1000002, "secret": "s" * 16, "kf_secret": "s" * 16}, admin)
    assert both.status == 200 and (both.body["kf"], both.body["outbound"]) == (True, True)
    listed = api.request("GET", "/integrations", None, admin)
    assert listed.body["items"] == ["channel:wecom"] and KF_SECRET not in json.dumps(listed.body)
    assert "s" * 16 not in json.dumps(listed.body)


def _system():
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role

    return Actor(id="t", roles=frozenset({Role.SYSTEM}))
