"""Delivery: the fan-out of a domain event to the subscribed endpoints, one attempt of a message,
and the sweep that queues retries due later than a queue delay allows.

An attempt is at least once: the next retry is queued before this attempt is recorded, and the
record is conditional on the message's attempt count, so a redelivered or duplicate job finds
itself stale and does nothing. A retry due within 15 minutes (SQS's longest delay) is queued with
that delay; a later one is written to the due index and queued by the sweep when its bucket comes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger
from ulid import ULID

from aftersales.core.clock import Clock, iso
from aftersales.events.ports import EventPublisher
from aftersales.sla.due_index import buckets_between, due_bucket
from aftersales.webhooks import catalogue, destinations, schedule, signing
from aftersales.webhooks.model import Attempt, Endpoint, Message, MessageStatus, Outcome, Trigger
from aftersales.webhooks.ports import DeliveryJob, DeliveryQueue, EndpointStore, MessageStore, Resolver, Sender

logger = Logger(child=True)
MAX_QUEUE_DELAY = timedelta(seconds=900)
FIRST_SWEEP_LOOKBACK = timedelta(hours=1)
MAX_RECORD_ATTEMPTS = 3


def message_id(tenant_id: str, endpoint_id: str, event_key: str, at: datetime) -> str:
    """The same event for the same endpoint always has the same `webhook-id` (a redelivered bus
    event makes no second message); sortable by the event's time, for replay-since."""
    digest = hashlib.sha256(f"{tenant_id}|{endpoint_id}|{event_key}".encode()).digest()[:10]
    millis = int(at.timestamp() * 1000)
    return "msg_" + str(ULID.from_bytes(millis.to_bytes(6, "big") + digest))


@dataclass
class SweepReport:
    buckets: list[str]
    queued: int = 0


@dataclass
class FanOut:
    built: bool
    messages: int = 0
    queued: int = 0
    skipped: list[str] = field(default_factory=list)


class WebhookDelivery:
    def __init__(self, endpoints: EndpointStore, messages: MessageStore, queue: DeliveryQueue, resolver: Resolver,
                 sender: Sender, events: EventPublisher, clock: Clock, *, allow_loopback: bool = False) -> None:
        self._endpoints = endpoints
        self._messages = messages
        self._queue = queue
        self._resolver = resolver
        self._sender = sender
        self._events = events
        self._clock = clock
        self._allow_loopback = allow_loopback

    # ------------------------------------------------------------------ fan-out of a domain event
    def fan_out(self, source: str, detail_type: str, detail: Mapping[str, Any], event_key: str,
                at: datetime) -> FanOut:
        tenant_id = detail.get("tenant_id")
        built = catalogue.build(source, detail_type, detail, at)
        if not isinstance(tenant_id, str) or built is None:
            return FanOut(built=False)
        report = FanOut(built=True)
        jobs = []
        for endpoint in self._endpoints.for_tenant(tenant_id):
            if not (endpoint.enabled and endpoint.subscribes(detail_type)):
                continue
            message = Message(tenant_id=tenant_id, endpoint_id=endpoint.endpoint_id,
                              message_id=message_id(tenant_id, endpoint.endpoint_id, event_key, at),
                              event_type=built.event_type, body=built.body, created_at=at, next_attempt_at=at)
            if not self._messages.add(message):  # a redelivered event: queue it only if never tried
                stored = self._messages.get(tenant_id, endpoint.endpoint_id, message.message_id)
                if stored is None or stored.status is not MessageStatus.PENDING or stored.scheduled_attempts:
                    report.skipped.append(message.message_id)
                    continue
            report.messages += 1
            jobs.append(DeliveryJob(tenant_id, endpoint.endpoint_id, message.message_id, 1))
        self._queue.enqueue(jobs)
        report.queued = len(jobs)
        return report

    # ------------------------------------------------------------------ one attempt
    def deliver(self, job: DeliveryJob) -> str:
        """One attempt of a queued job: "succeeded", "failed", "retry_queued", "retry_indexed",
        or why nothing was sent ("missing", "stale", "abandoned")."""
        message = self._messages.get(job.tenant_id, job.endpoint_id, job.message_id)
        if message is None:
            return "missing"
        if job.trigger is Trigger.SCHEDULED and (message.status is not MessageStatus.PENDING
                                                 or message.scheduled_attempts != job.attempt - 1):
            return "stale"
        endpoint = self._endpoints.get(job.tenant_id, job.endpoint_id)
        if endpoint is None or not endpoint.enabled:
            if message.status is MessageStatus.PENDING:
                self._messages.set_status(message.model_copy(update={"status": MessageStatus.ABANDONED,
                                                                     "next_attempt_at": None}), message.attempts)
            return "abandoned"
        now = self._clock.now()
        outcome = self._send(endpoint, message, now)
        return self._record(endpoint, message, job, outcome, now)

    def _send(self, endpoint: Endpoint, message: Message, now: datetime) -> Outcome:
        body = message.body.encode()
        try:
            destination = destinations.parse(endpoint.url, allow_loopback=self._allow_loopback)
            literal = destination.literal
            resolved = [str(literal)] if literal is not None else self._resolver.resolve(destination.host,
                                                                                         destination.port)
            address = destinations.checked(resolved, allow_loopback=self._allow_loopback)
        except destinations.DestinationRefused as exc:
            logger.warning("webhook destination refused", extra={"tenant_id": endpoint.tenant_id,
                                                                 "endpoint_id": endpoint.endpoint_id,
                                                                 "reason": exc.reason})
            return Outcome(error="refused_destination")
        headers = {"content-type": "application/json", "user-agent": "aftersales-webhooks/1",
                   **signing.headers(endpoint.signing_keys(now), message.message_id, int(now.timestamp()), body)}
        return self._sender.post(destination, address, headers, body)

    def _record(self, endpoint: Endpoint, message: Message, job: DeliveryJob, outcome: Outcome, now: datetime) -> str:
        scheduled = job.trigger is Trigger.SCHEDULED
        for _ in range(MAX_RECORD_ATTEMPTS):
            number = message.attempts + 1
            attempt = Attempt(tenant_id=message.tenant_id, endpoint_id=message.endpoint_id,
                              message_id=message.message_id, number=number, trigger=job.trigger, at=now,
                              succeeded=outcome.succeeded, status_code=outcome.status_code,
                              latency_ms=outcome.latency_ms,
                              error=outcome.error or (None if outcome.succeeded else "http_status"))
            update: dict[str, object] = {"attempts": number, "last_attempt_at": now,
                                         "last_status_code": outcome.status_code,
                                         "last_latency_ms": outcome.latency_ms, "last_error": attempt.error}
            result, bucket = "failed", None
            if scheduled:
                update["scheduled_attempts"] = message.scheduled_attempts + 1
            if outcome.succeeded:
                update |= {"status": MessageStatus.SUCCEEDED, "next_attempt_at": None}
                result = "succeeded"
            elif scheduled:
                delay = schedule.delay_before(message.scheduled_attempts + 2)
                if delay is None:
                    update |= {"status": MessageStatus.FAILED, "next_attempt_at": None}
                else:
                    due = now + delay
                    update["next_attempt_at"] = due
                    if delay <= MAX_QUEUE_DELAY:
                        self._queue.enqueue([DeliveryJob(job.tenant_id, job.endpoint_id, job.message_id,
                                                         message.scheduled_attempts + 2,
                                                         delay_seconds=int(delay.total_seconds()))])
                        result = "retry_queued"
                    else:
                        bucket, result = due_bucket(due), "retry_indexed"
            if self._messages.record_attempt(message.model_copy(update=update), attempt, message.attempts, bucket):
                break
            fresh = self._messages.get(message.tenant_id, message.endpoint_id, message.message_id)
            if fresh is None or (scheduled and fresh.scheduled_attempts != message.scheduled_attempts):
                return "stale"  # another job made this scheduled attempt
            message = fresh
        self._endpoint_health(endpoint, outcome, now)
        logger.info("webhook attempt", extra={"tenant_id": endpoint.tenant_id, "endpoint_id": endpoint.endpoint_id,
                                              "message_id": message.message_id, "attempt": message.attempts + 1,
                                              "status_code": outcome.status_code, "latency_ms": outcome.latency_ms,
                                              "error": outcome.error, "result": result})
        return result

    def _endpoint_health(self, endpoint: Endpoint, outcome: Outcome, now: datetime) -> None:
        if outcome.succeeded:
            if endpoint.failing_since is not None:
                self._endpoints.record_success(endpoint.tenant_id, endpoint.endpoint_id)
            return
        since = endpoint.failing_since or self._endpoints.record_failure(endpoint.tenant_id, endpoint.endpoint_id, now)
        if schedule.should_disable(since, now) and self._endpoints.disable(endpoint.tenant_id, endpoint.endpoint_id,
                                                                           "failing", now):
            logger.warning("webhook endpoint disabled", extra={"tenant_id": endpoint.tenant_id,
                                                               "endpoint_id": endpoint.endpoint_id})
            self._events.publish(catalogue.WEBHOOKS_SOURCE, catalogue.ENDPOINT_DISABLED, {
                "tenant_id": endpoint.tenant_id, "endpoint_id": endpoint.endpoint_id, "reason": "failing",
                "failing_since": iso(since) if since else None, "at": iso(now),
                "dedup_key": f"{endpoint.endpoint_id}#disabled#{iso(now)}"})

    # ------------------------------------------------------------------ the sweep of later retries
    def sweep(self) -> SweepReport:
        now = self._clock.now()
        last = self._messages.last_swept() or now - FIRST_SWEEP_LOOKBACK
        report = SweepReport(buckets=buckets_between(last, now))
        for bucket in report.buckets:
            found = list(self._messages.due_in_bucket(bucket))
            jobs = []
            for tenant_id, endpoint_id, msg_id in found:
                message = self._messages.get(tenant_id, endpoint_id, msg_id)
                if message is None or message.status is not MessageStatus.PENDING or message.next_attempt_at is None:
                    continue
                wait = max(timedelta(0), min(MAX_QUEUE_DELAY, message.next_attempt_at - now))
                jobs.append(DeliveryJob(tenant_id, endpoint_id, msg_id, message.scheduled_attempts + 1,
                                        delay_seconds=int(wait.total_seconds())))
            self._queue.enqueue(jobs)
            for tenant_id, endpoint_id, msg_id in found:
                self._messages.unindex(tenant_id, endpoint_id, msg_id)
            report.queued += len(jobs)
        self._messages.set_last_swept(now)
        return report
