"""Endpoints, fan-out, attempts, retries, the sweep, auto-disable, rotation and replay on the
in-memory ports."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.core.clock import FixedClock
from aftersales.core.errors import Conflict, InvalidRequest
from aftersales.webhooks import schedule, signing
from aftersales.webhooks.delivery import WebhookDelivery
from aftersales.webhooks.model import MessageStatus, Outcome, Trigger
from aftersales.webhooks.service import Changes, WebhookEndpoints
from tests.support.fakes.webhooks import (
    FixedResolver,
    InMemoryEndpointStore,
    InMemoryMessageStore,
    RecordingQueue,
    ScriptedSender,
)

START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
URL = "https://hooks.example.com/in"
TICKET = {"tenant_id": "acme", "ticket_id": "tk_1", "ticket_type": "return_refund", "customer_id": "cust-1",
          "seq": 2, "event": "ticket.approved", "from_status": "pending_approval", "to_status": "approved",
          "actor_role": "agent", "at": "2026-12-03T09:00:00Z", "reason": "Alice Wang, 13800138000",
          "data": {"address": "1 Main St"}, "dedup_key": "tk_1#2"}
FAIL = Outcome(status_code=500, latency_ms=30)
OK = Outcome(status_code=204, latency_ms=8)


class World:
    def __init__(self, *outcomes: Outcome) -> None:
        self.clock = FixedClock(START)
        self.endpoints, self.messages, self.queue = InMemoryEndpointStore(), InMemoryMessageStore(), RecordingQueue()
        self.resolver = FixedResolver({"hooks.example.com": ["93.184.216.34"], "inner.example.com": ["10.0.0.7"]})
        self.sender, self.events = ScriptedSender(*outcomes), RecordingPublisher()
        self.admin = WebhookEndpoints(self.endpoints, self.messages, self.queue, self.resolver, self.clock)
        self.delivery = WebhookDelivery(self.endpoints, self.messages, self.queue, self.resolver, self.sender,
                                        self.events, self.clock)

    def publish_ticket_event(self, seq: int = 2) -> None:
        detail = {**TICKET, "seq": seq, "dedup_key": f"tk_1#{seq}"}
        self.delivery.fan_out("aftersales.tickets", "ticket.approved", detail, detail["dedup_key"], self.clock.now())

    def run_queue(self) -> list[str]:
        return [self.delivery.deliver(job) for job in self.queue.take()]


def test_create_shows_a_secret_once_and_refuses_bad_destinations_and_filters():
    w = World()
    issued = w.admin.create("acme", URL, ["ticket.*", "refund.created"], "ERP")
    assert issued.secret.startswith("whsec_") and issued.endpoint.signing_keys(START) == [issued.secret]
    assert issued.endpoint.event_types == ["refund.created", "ticket.*"]
    for url, reason in (("https://inner.example.com/x", "private"), ("http://hooks.example.com/", "https_required"),
                        ("https://nowhere.example.com/", "unresolvable"), ("https://169.254.169.254/", "metadata")):
        with pytest.raises(InvalidRequest) as caught:
            w.admin.create("acme", url, [])
        assert caught.value.details == {"field": "url", "reason": reason}
    with pytest.raises(InvalidRequest) as caught:
        w.admin.create("acme", URL, ["ticket.created", "ticket.nonsense"])
    assert caught.value.details["field"] == "event_types[1]"
    assert len(w.endpoints) == 1


def test_fan_out_makes_one_message_per_subscribed_endpoint_without_personal_data():
    w = World()
    wanted = w.admin.create("acme", URL, ["ticket.*"]).endpoint
    w.admin.create("acme", URL, ["refund.created"])  # not subscribed
    w.admin.create("other", URL, [])  # another tenant
    w.publish_ticket_event()
    w.publish_ticket_event()  # the bus redelivers the same event: queued again (never tried), one message
    assert len(w.messages) == 1 and {j.message_id for j in w.queue.jobs} == {w.queue.jobs[0].message_id}
    job = w.queue.jobs[0]
    assert (job.endpoint_id, job.attempt) == (wanted.endpoint_id, 1)
    body = w.messages.get("acme", wanted.endpoint_id, job.message_id).body
    sent = json.loads(body)
    assert sent["type"] == "ticket.approved" and sent["data"]["ticket_id"] == "tk_1"
    assert "Alice" not in body and "13800138000" not in body and "Main St" not in body and "reason" not in sent["data"]
    assert w.run_queue() == ["succeeded", "stale"] and len(w.sender.sent) == 1


def test_a_delivery_is_signed_with_the_endpoint_secret_and_recorded():
    w = World(OK)
    issued = w.admin.create("acme", URL, [])
    w.publish_ticket_event()
    assert w.run_queue() == ["succeeded"]
    destination, address, headers, body = w.sender.sent[0]
    assert (destination.host, address) == ("hooks.example.com", "93.184.216.34")
    assert headers["webhook-signature"] == signing.signature(issued.secret, headers["webhook-id"],
                                                             int(headers["webhook-timestamp"]), body)
    message, attempts = w.admin.delivery("acme", issued.endpoint.endpoint_id, headers["webhook-id"])
    assert message.status is MessageStatus.SUCCEEDED and message.last_status_code == 204
    assert [(a.number, a.succeeded, a.latency_ms) for a in attempts] == [(1, True, 8)]


def test_a_failing_message_follows_the_whole_schedule_with_one_webhook_id_then_fails():
    """GIVEN a receiver answering 500 WHEN every job and sweep runs at its time THEN 12 attempts at
    the schedule's delays, the same webhook-id and fresh timestamps, then the message is failed."""
    w = World(FAIL)
    endpoint = w.admin.create("acme", URL, []).endpoint
    w.publish_ticket_event()
    times = []
    for _ in range(schedule.ATTEMPTS + 2):
        jobs = w.queue.take()
        if not jobs:
            message = next(iter(w.messages.messages.values()))
            if message.next_attempt_at is None:
                break
            w.clock.set(message.next_attempt_at)
            w.delivery.sweep()
            jobs = w.queue.take()
            assert jobs, "the sweep queues the indexed retry"
        for job in jobs:
            w.clock.advance(seconds=job.delay_seconds)
            times.append(w.clock.now())
            w.delivery.deliver(job)
    ids = {h["webhook-id"] for _, _, h, _ in w.sender.sent}
    stamps = [int(h["webhook-timestamp"]) for _, _, h, _ in w.sender.sent]
    assert len(w.sender.sent) == schedule.ATTEMPTS and len(ids) == 1 and stamps == sorted(stamps)
    gaps = [b - a for a, b in pairwise(times)]
    assert gaps == list(schedule.RETRY_DELAYS[1:])
    message = w.messages.get("acme", endpoint.endpoint_id, ids.pop())
    assert message.status is MessageStatus.FAILED and message.attempts == schedule.ATTEMPTS
    assert w.messages.indexed() == 0


def test_a_redelivered_job_is_stale_and_sends_nothing():
    w = World(FAIL)
    w.admin.create("acme", URL, [])
    w.publish_ticket_event()
    job = w.queue.take()[0]
    assert w.delivery.deliver(job) == "retry_queued"
    assert w.delivery.deliver(job) == "stale" and len(w.sender.sent) == 1


def test_an_endpoint_failing_for_five_days_is_disabled_once_with_a_notice_and_then_abandoned():
    w = World(FAIL)
    endpoint = w.admin.create("acme", URL, []).endpoint
    w.publish_ticket_event(seq=2)
    w.run_queue()
    w.clock.advance(days=5)
    w.queue.take()
    w.publish_ticket_event(seq=3)
    assert w.run_queue() == ["retry_queued"]  # the attempt that found five days of failures
    stored = w.endpoints.get("acme", endpoint.endpoint_id)
    assert not stored.enabled and stored.disabled_reason == "failing"
    assert w.events.events == [("webhook_endpoint.disabled", {
        "tenant_id": "acme", "endpoint_id": endpoint.endpoint_id, "reason": "failing",
        "failing_since": "2026-12-03T09:00:00.000Z", "at": "2026-12-08T09:00:00.000Z",
        "dedup_key": f"{endpoint.endpoint_id}#disabled#2026-12-08T09:00:00.000Z"})]
    assert [w.delivery.deliver(j) for j in w.queue.take()] == ["abandoned"]
    with pytest.raises(Conflict):
        w.admin.send_test("acme", endpoint.endpoint_id)
    again = w.admin.change("acme", endpoint.endpoint_id, Changes(enabled=True), None)
    assert again.enabled and again.failing_since is None


def test_a_success_between_failures_restarts_the_five_days():
    w = World(FAIL, OK, FAIL)
    endpoint = w.admin.create("acme", URL, []).endpoint
    w.publish_ticket_event(seq=2)
    w.run_queue()
    w.clock.advance(days=3)
    w.publish_ticket_event(seq=3)
    w.run_queue()  # the retry of seq 2 succeeds, then seq 3 fails: the failing period starts again
    assert w.endpoints.get("acme", endpoint.endpoint_id).failing_since == START + timedelta(days=3)
    w.clock.advance(days=3)
    w.publish_ticket_event(seq=4)
    w.run_queue()
    assert w.endpoints.get("acme", endpoint.endpoint_id).enabled


def test_a_name_rebound_to_a_private_address_after_save_is_refused_at_delivery():
    w = World(OK)
    endpoint = w.admin.create("acme", URL, []).endpoint
    w.resolver.answers["hooks.example.com"] = ["93.184.216.34", "127.0.0.1"]
    w.publish_ticket_event()
    assert w.run_queue() == ["retry_queued"]
    assert w.sender.sent == []
    message = w.admin.deliveries("acme", endpoint.endpoint_id, limit=10, cursor=None).items[0]
    assert message.last_error == "refused_destination" and message.last_status_code is None


def test_rotation_sends_both_signatures_during_the_grace_period_then_only_the_new_one():
    w = World(OK)
    first = w.admin.create("acme", URL, [])
    rotated = w.admin.rotate_secret("acme", first.endpoint.endpoint_id, timedelta(hours=2))
    assert rotated.secret != first.secret
    w.publish_ticket_event(seq=2)
    w.run_queue()
    signatures = w.sender.sent[-1][2]["webhook-signature"].split(" ")
    assert len(signatures) == 2
    w.clock.advance(hours=2)
    w.publish_ticket_event(seq=3)
    w.run_queue()
    _, _, headers, body = w.sender.sent[-1]
    assert headers["webhook-signature"] == signing.signature(rotated.secret, headers["webhook-id"],
                                                             int(headers["webhook-timestamp"]), body)
    with pytest.raises(InvalidRequest):
        w.admin.rotate_secret("acme", first.endpoint.endpoint_id, timedelta(days=8))


def test_replay_resends_one_message_and_replay_since_the_unsucceeded_ones():
    w = World(FAIL)
    endpoint = w.admin.create("acme", URL, []).endpoint
    for seq in (2, 3, 4):
        w.publish_ticket_event(seq=seq)
        w.clock.advance(minutes=1)
    w.run_queue()
    first = w.admin.deliveries("acme", endpoint.endpoint_id, limit=10, cursor=None).items[-1]
    w.sender.outcomes = [OK]
    w.admin.replay("acme", endpoint.endpoint_id, first.message_id)
    job = w.queue.jobs[-1]
    assert job.trigger is Trigger.REPLAY
    assert w.delivery.deliver(w.queue.jobs.pop()) == "succeeded"
    assert w.sender.sent[-1][2]["webhook-id"] == first.message_id
    w.queue.take()
    replayed = w.admin.replay_since("acme", endpoint.endpoint_id, START)
    assert (replayed.queued, replayed.truncated) == (2, False)
    assert first.message_id not in {j.message_id for j in w.queue.jobs}
    w.run_queue()
    page = w.admin.deliveries("acme", endpoint.endpoint_id, limit=2, cursor=None)
    assert len(page.items) == 2 and page.cursor is not None
    assert all(m.status is MessageStatus.SUCCEEDED for m in w.messages.messages.values())


def test_the_test_event_goes_to_one_endpoint():
    w = World(OK)
    endpoint = w.admin.create("acme", URL, ["refund.created"]).endpoint
    message = w.admin.send_test("acme", endpoint.endpoint_id)
    assert w.run_queue() == ["succeeded"]
    assert json.loads(message.body)["type"] == "webhook.test"
