"""The WeCom callback's replay window, through the Lambda handler under moto: a correctly signed
callback is taken once, within five minutes of its signed timestamp; a replay of it (same timestamp
and nonce), a stale or a future one is 401 and files nothing; a message with a CreateTime WeCom never
sends is 400. A callback that failed on our side releases its nonce, so WeCom's retry is taken."""

from __future__ import annotations

import time

import pytest

from aftersales.channels.wecom import WeComCrypto
from tests.support.channels import Webhooks, extra_resources, put_integration, seed_order, wecom_query
from tests.support.fixture_files import load, raw

VECTOR = load("wecom/wecom_callback_crypto.json")["config"]
CRYPTO = WeComCrypto(VECTOR["token"], VECTOR["encoding_aes_key"], VECTOR["corpid_receiveid"])
KF_EVENT = raw("wecom/skit/KfMessageEvent.xml").decode().replace("ww12345678910", VECTOR["corpid_receiveid"])


def text_message(msg_id: str, created: str = "1732600000") -> str:
    """The documented text-message elements on the recorded callback envelope."""
    return (f"<xml><ToUserName><![CDATA[{VECTOR['corpid_receiveid']}]]></ToUserName>"
            f"<FromUserName><![CDATA[wm-replay]]></FromUserName><CreateTime>{created}</CreateTime>"
            f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[where is my parcel?]]></Content>"
            f"<MsgId>{msg_id}</MsgId><AgentID>1</AgentID></xml>")


def sealed(inner: str, **signing) -> tuple[dict, bytes]:
    encrypt = CRYPTO.encrypt(inner)
    body = f"<xml><ToUserName>x</ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>".encode()
    return wecom_query(VECTOR["token"], encrypt, **signing), body


@pytest.fixture
def env(aws):
    extra_resources(aws)
    put_integration("acme", "channel:wecom", {
        "token": VECTOR["token"], "encoding_aes_key": VECTOR["encoding_aes_key"],
        "corp_id": VECTOR["corpid_receiveid"]})
    seed_order("acme", "O-1")
    return Webhooks()


def inbox() -> list[dict]:
    from aftersales.adapters.dynamo.intake import DynamoIntakeStore

    return DynamoIntakeStore().parked("acme", "platform_user:wecom:wm-replay")


def test_a_replayed_callback_is_refused_and_files_nothing(env):
    """GIVEN a callback WeCom signed now WHEN it arrives THEN success (parked: a sender we do not know);
    WHEN the very same request arrives again THEN 401 webhook.replayed and still one parked message;
    the same message under a fresh nonce (WeCom's redelivery) is a duplicate, answered success."""
    query, body = sealed(text_message("m-replay-1"))
    assert env.wecom_call("POST", "acme", query, body).raw == "success"
    replay = env.wecom_call("POST", "acme", query, body)
    assert replay.status == 401 and replay.body["error"]["reason_id"] == "webhook.replayed"
    assert len(inbox()) == 1
    fresh_query, fresh_body = sealed(text_message("m-replay-1"))
    assert env.wecom_call("POST", "acme", fresh_query, fresh_body).raw == "success"
    assert len(inbox()) == 1


@pytest.mark.parametrize("timestamp", [
    "1546300800",  # 2019-01-01: correctly signed, five years old
    lambda: str(int(time.time()) - 301), lambda: str(int(time.time()) + 3600),
])
def test_a_signed_callback_outside_five_minutes_is_refused(env, timestamp):
    stamp = timestamp() if callable(timestamp) else timestamp
    query, body = sealed(text_message("m-stale"), timestamp=stamp)
    reply = env.wecom_call("POST", "acme", query, body)
    assert reply.status == 401 and reply.body["error"]["reason_id"] == "webhook.timestamp_out_of_tolerance"
    assert inbox() == []


@pytest.mark.parametrize("timestamp, nonce, reason", [
    ("١٧٣٢٦٠٠٠٠٠", None, "webhook.timestamp_invalid"),
    ("99999999999999999999", None, "webhook.timestamp_invalid"),
    (None, "n" * 200, "webhook.nonce_invalid"),
])
def test_a_signed_timestamp_or_nonce_that_cannot_be_one_is_refused(env, timestamp, nonce, reason):
    query, body = sealed(text_message("m-odd"), timestamp=timestamp, nonce=nonce)
    reply = env.wecom_call("POST", "acme", query, body)
    assert reply.status == 401 and reply.body["error"]["reason_id"] == reason
    assert inbox() == []


@pytest.mark.parametrize("created", ["99999999999999999999", "١٧٣٢٦٠٠٠٠٠", "-5"])
def test_a_create_time_wecom_never_sends_is_400_naming_it(env, created):
    """GIVEN a fresh, correctly signed callback whose message CreateTime is 20 digits or Arabic-Indic
    digits WHEN it arrives THEN 400 naming CreateTime and nothing parked (before: 500)."""
    query, body = sealed(text_message("m-created", created))
    reply = env.wecom_call("POST", "acme", query, body)
    assert reply.status == 400, reply
    assert reply.body["error"]["fields"] == [{"path": "CreateTime", "message": reply.body["error"]["message"]}]
    assert inbox() == []


def test_a_callback_that_failed_here_is_taken_when_wecom_retries_it(env, aws, monkeypatch):
    """GIVEN a 微信客服 event while the sync queue is unreachable WHEN it arrives THEN 500 (WeCom retries);
    WHEN WeCom retries the very same request (timestamp, nonce) with the queue back THEN success: the
    failed callback did not keep its nonce."""
    import boto3

    from aftersales import wiring

    put_integration("acme", "channel:wecom", {
        "token": VECTOR["token"], "encoding_aes_key": VECTOR["encoding_aes_key"],
        "corp_id": VECTOR["corpid_receiveid"], "kf_secret": "kf-secret-0123456789"})
    queue = boto3.client("sqs").create_queue(QueueName="test-wecom-kf-sync")["QueueUrl"]
    query, body = sealed(KF_EVENT.replace("1348831860", str(int(time.time()))))
    monkeypatch.setenv("WECOM_KF_SYNC_QUEUE_URL", queue + "-missing")
    wiring.reset()
    assert env.wecom_call("POST", "acme", query, body).status == 500
    monkeypatch.setenv("WECOM_KF_SYNC_QUEUE_URL", queue)
    wiring.reset()
    assert env.wecom_call("POST", "acme", query, body).raw == "success"
    assert len(boto3.client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]) == 1
