"""Webhooks end to end under moto with a real receiver on 127.0.0.1 (WEBHOOKS_ALLOW_LOOPBACK on):
the fan-out function, the delivery queue, the delivery function, the store, the API's delivery
log, replay and disable; the receiver verifies with the `standardwebhooks` library."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from standardwebhooks import Webhook

from aftersales import wiring
from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.core.clock import FixedClock, iso, parse_iso
from aftersales.webhooks.model import Attempt, Message
from tests.support.channels import take_queued
from tests.support.lambdas import FakeContext, load_handler
from tests.support.webhook_receiver import Receiver


@pytest.fixture
def hooks(aws, demo, monkeypatch):
    monkeypatch.setenv("WEBHOOKS_ALLOW_LOOPBACK", "true")
    queue = aws.queues["WebhookDeliveryQueue"]
    url = boto3.client("sqs").create_queue(QueueName=queue.name)["QueueUrl"]
    monkeypatch.setenv("WEBHOOK_DELIVERY_QUEUE_URL", url)
    now = datetime.now(UTC).replace(microsecond=0)  # at the test, after the demo's tokens were minted
    clock, events = FixedClock(now), RecordingPublisher()
    wiring.override(wiring.Container(clock=clock, events=events))
    yield {"now": now, "queue": url, "clock": clock, "events": events, "fanout": load_handler("webhook_fanout"),
           "delivery": load_handler("webhook_delivery"), "sweeper": load_handler("webhook_sweeper")}
    wiring.override(None)


def _bus_event(seq: int, at: datetime, tenant: str = "acme") -> dict:
    detail = {"tenant_id": tenant, "ticket_id": "tk_1", "ticket_type": "return_refund", "customer_id": "cust-1",
              "seq": seq, "event": "ticket.approved", "from_status": "pending_approval", "to_status": "approved",
              "actor_role": "agent", "at": iso(at), "reason": "Call 13800138000", "data": {},
              "dedup_key": f"tk_1#{seq}"}
    return {"id": f"evt-{seq}", "source": "aftersales.tickets", "detail-type": "ticket.approved",
            "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "detail": detail}


def _fan_out(hooks, *events: dict) -> dict:
    records = [{"messageId": str(i), "receiptHandle": "r", "body": json.dumps(e), "attributes": {},
                "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q", "awsRegion": "us-east-1"}
               for i, e in enumerate(events)]
    return hooks["fanout"].lambda_handler({"Records": records}, FakeContext("webhook-fanout"))


def _deliver(hooks) -> dict:
    records = take_queued(hooks["queue"])
    assert records, "a delivery job was queued"
    return hooks["delivery"].lambda_handler({"Records": records}, FakeContext("webhook-delivery"))


def _create(api, demo, url: str, **extra) -> dict:
    reply = api.request("POST", "/webhook-endpoints", {"url": url, **extra}, headers=demo["acme"]["admin"])
    assert reply.status == 201, reply
    return reply.body


def test_a_signed_delivery_reaches_the_receiver_and_is_logged(api, demo, hooks):
    """GIVEN an endpoint on a local receiver WHEN a ticket event passes the fan-out and delivery
    functions THEN the receiver gets one POST that standardwebhooks verifies with the secret, with
    no personal data, and the delivery log shows it succeeded with its code and latency."""
    now = hooks["now"]
    with Receiver(200) as receiver:
        endpoint = _create(api, demo, receiver.url, event_types=["ticket.*"])
        republished = {**_bus_event(2, now), "id": "evt-republished",
                       "time": (now + timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ")}
        assert _fan_out(hooks, _bus_event(2, now), _bus_event(2, now), republished) == {"batchItemFailures": []}
        assert _deliver(hooks) == {"batchItemFailures": []}
    assert len(receiver.requests) == 1
    path, headers, body = receiver.requests[0]
    assert path == "/hooks/in?shop=1" and headers["host"].startswith("127.0.0.1:")
    payload = Webhook(endpoint["secret"]).verify(body, headers)
    assert payload["type"] == "ticket.approved" and payload["data"]["seq"] == 2
    assert b"13800138000" not in body
    log = api.request("GET", f"/webhook-endpoints/{endpoint['id']}/deliveries", headers=demo["acme"]["admin"])
    assert log.status == 200 and len(log.body["items"]) == 1
    item = log.body["items"][0]
    assert (item["id"], item["status"], item["response_code"], item["attempts"]) == (
        headers["webhook-id"], "succeeded", 200, 1)
    assert item["latency_ms"] >= 0
    one = api.request("GET", f"/webhook-endpoints/{endpoint['id']}/deliveries/{item['id']}",
                      headers=demo["acme"]["admin"])
    assert one.body["payload"] == body.decode() and one.body["attempt_log"][0]["succeeded"] is True


def test_a_failing_receiver_is_retried_with_a_queue_delay_then_replayed(api, demo, hooks):
    now = hooks["now"]
    with Receiver(500, 500, 204) as receiver:
        endpoint = _create(api, demo, receiver.url)
        _fan_out(hooks, _bus_event(3, now))
        assert _deliver(hooks) == {"batchItemFailures": []}
        attributes = boto3.client("sqs").get_queue_attributes(QueueUrl=hooks["queue"],
                                                              AttributeNames=["ApproximateNumberOfMessagesDelayed"])
        assert attributes["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"  # the 5-second retry
        boto3.client("sqs").purge_queue(QueueUrl=hooks["queue"])
        log = api.request("GET", f"/webhook-endpoints/{endpoint['id']}/deliveries", headers=demo["acme"]["admin"])
        item = log.body["items"][0]
        assert (item["status"], item["response_code"], item["error"]) == ("pending", 500, "http_status")
        assert parse_iso(item["next_attempt_at"]) == now + timedelta(seconds=5)
        replay = api.request("POST", f"/webhook-endpoints/{endpoint['id']}/deliveries/{item['id']}/replay",
                             headers=demo["acme"]["admin"])
        assert replay.status == 202
        _deliver(hooks)  # the replay: 500 again
        since = api.request("POST", f"/webhook-endpoints/{endpoint['id']}/replay",
                            query={"since": iso(now - timedelta(minutes=1))}, headers=demo["acme"]["admin"])
        assert since.status == 202 and since.body == {"queued": 1, "truncated": False}
        _deliver(hooks)  # 204
    assert len(receiver.requests) == 3 and len({h["webhook-id"] for _, h, _ in receiver.requests}) == 1
    one = api.request("GET", f"/webhook-endpoints/{endpoint['id']}/deliveries/{item['id']}",
                      headers=demo["acme"]["admin"])
    assert one.body["status"] == "succeeded"
    assert [(a["trigger"], a["response_code"]) for a in one.body["attempt_log"]] == [
        ("scheduled", 500), ("replay", 500), ("replay", 204)]


def test_an_endpoint_failing_for_five_days_is_disabled_and_the_tenant_told(api, demo, hooks):
    now = hooks["now"]
    with Receiver(503) as receiver:
        endpoint = _create(api, demo, receiver.url)
        _fan_out(hooks, _bus_event(4, now))
        _deliver(hooks)
        boto3.client("sqs").purge_queue(QueueUrl=hooks["queue"])
        hooks["clock"].advance(days=5)
        later = now + timedelta(days=5)
        _fan_out(hooks, _bus_event(5, later))
        _deliver(hooks)
    hooks["clock"].set(now)  # the staff token of the demo tenant was minted at now
    shown = api.request("GET", f"/webhook-endpoints/{endpoint['id']}", headers=demo["acme"]["admin"])
    assert (shown.body["enabled"], shown.body["disabled_reason"]) == (False, "failing")
    assert [e[0] for e in hooks["events"].events] == ["webhook_endpoint.disabled"]
    assert hooks["events"].sources == ["aftersales.webhooks"]
    test = api.request("POST", f"/webhook-endpoints/{endpoint['id']}/test", headers=demo["acme"]["admin"])
    assert test.status == 409
    enabled = api.request("PATCH", f"/webhook-endpoints/{endpoint['id']}", {"enabled": True},
                          headers=demo["acme"]["admin"])
    assert enabled.status == 200 and enabled.body["enabled"] is True and enabled.body["failing_since"] is None


def test_retries_later_than_fifteen_minutes_wait_in_the_due_index_for_the_sweeper(api, demo, hooks):
    """GIVEN a message whose next attempt is due in 30 minutes (indexed) WHEN the sweeper runs
    before and at that time THEN it is queued only at its time, with the rest of the wait as delay."""
    now = hooks["now"]
    endpoint = _create(api, demo, "http://127.0.0.1:9/never")
    store = wiring.services().webhook_stores[1]
    bucket_start = now.replace(minute=now.minute - now.minute % 5, second=0) + timedelta(minutes=30)
    due = bucket_start + timedelta(minutes=2)  # two minutes into its 5-minute bucket
    message = Message(tenant_id="acme", endpoint_id=endpoint["id"], message_id="msg_01KBMZ0000000000000000000A",
                      event_type="webhook.test", body="{}", created_at=now)
    assert store.add(message) and not store.add(message)
    attempt = Attempt(tenant_id="acme", endpoint_id=endpoint["id"], message_id=message.message_id, number=1,
                      trigger="scheduled", at=now, succeeded=False, status_code=500, latency_ms=3)
    moved = message.model_copy(update={"attempts": 3, "scheduled_attempts": 3, "next_attempt_at": due})
    from aftersales.sla.due_index import due_bucket

    assert store.record_attempt(moved, attempt, 0, due_bucket(due))
    assert not store.record_attempt(moved, attempt, 0, None)  # the count moved: a second writer loses
    sweep = hooks["sweeper"].lambda_handler({}, FakeContext("webhook-sweeper"))
    assert sweep["queued"] == 0
    hooks["clock"].set(bucket_start)  # the sweep reads the due bucket two minutes before the retry is due
    assert hooks["sweeper"].lambda_handler({}, FakeContext("webhook-sweeper"))["queued"] == 1
    sqs = boto3.client("sqs")
    delayed = sqs.get_queue_attributes(QueueUrl=hooks["queue"], AttributeNames=["ApproximateNumberOfMessagesDelayed"])
    assert delayed["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"
    hooks["clock"].advance(minutes=2)
    assert hooks["sweeper"].lambda_handler({}, FakeContext("webhook-sweeper"))["queued"] == 0  # unindexed
