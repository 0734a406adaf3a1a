"""Event-source pumps: background threads that do what Lambda's pollers do on AWS.

A pump looks at its source, handles what it found, and looks again at once while there is work.
With nothing to do it waits for its doorbell (wakeup.py: the embedded endpoint rings it when a
request wrote to the source): a source that is provably empty waits up to IDLE_CHECK seconds; one
that holds messages not visible yet (in flight, delayed, a failed batch waiting for its visibility
timeout) is looked at again after FAST seconds, doubling up to PENDING_MAX.

Each pump reports `idle` and bumps `generation` when it handles something; `quiet` says it found
nothing on a look that began after its last ring, so `LocalStack.drain()` can wait for real quiet.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from .patterns import matches_any, sqs_filter_view
from .runtime import FunctionError
from .schedule import Cron, at_time, rate_seconds
from .template import Schedule, SqsEvent, StreamEvent
from .wakeup import Wakeup, sqs_topic, table_topic

log = logging.getLogger("infra.local.pumps")

Deliver = Callable[[list[dict[str, Any]]], Any]


class Pump:
    """A stoppable loop that looks at one source when rung, or when its pause is over."""

    FAST = 0.05  # first pause while the source holds messages that are not visible yet
    PENDING_MAX = 2.0  # the pause doubles up to this while they stay invisible
    IDLE_CHECK = 10.0  # a provably empty source is looked at this often even if never rung
    FAILURE_PAUSE = 0.5

    def __init__(self, name: str, wakeup: Wakeup | None = None, topics: Iterable[str] = ()) -> None:
        self.name = name
        self.idle = False
        self.generation = 0
        self.doorbell = (wakeup or Wakeup()).doorbell(topics)
        self._looked_at = -1  # the doorbell count read before the last look that found nothing
        self._pause = self.FAST
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def quiet(self) -> bool:
        """Idle, and not rung since the look that found it idle began."""
        return self.idle and self._looked_at == self.doorbell.rings

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=f"pump:{self.name}", daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the loop to end (it finishes the batch in hand); `stop()` also waits for it."""
        self._stop.set()
        self.doorbell.ring()

    def stop(self, timeout: float = 10) -> None:
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            if self.running:
                log.warning("pump %s still busy after %.1fs; left behind", self.name, timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            rings = self.doorbell.rings
            try:
                worked = self.run_once()
            except Exception:
                log.exception("pump %s failed; retrying", self.name)
                self._stop.wait(self.FAILURE_PAUSE)
                continue
            if worked:
                self.generation += 1
                self._pause = self.FAST
                continue
            self._looked_at = rings
            self.doorbell.wait(rings, self.pause())

    def pause(self) -> float:
        """How long to wait for the doorbell after a look that found nothing."""
        if self.idle:
            self._pause = self.FAST
            return self.IDLE_CHECK
        pause, self._pause = self._pause, min(self._pause * 2, self.PENDING_MAX)
        return pause

    def run_once(self) -> bool:
        raise NotImplementedError


def failed_items(result: Any, valid_ids: set[str]) -> set[str] | None:
    """Lambda's partial batch response: the failed ids, or None when the whole batch counts as failed."""
    if not isinstance(result, dict) or not result.get("batchItemFailures"):
        return set()
    failed = set()
    for item in result["batchItemFailures"]:
        ident = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not ident or ident not in valid_ids:
            return None
        failed.add(ident)
    return failed


# ---------------------------------------------------------------- SQS


class SqsPump(Pump):
    """SQS event source mapping: batches, partial batch failure; the queue's RedrivePolicy does the DLQ."""

    def __init__(self, name: str, sqs: Any, queue_url: str, event: SqsEvent, deliver: Deliver,
                 region: str, speed: float = 1.0, wakeup: Wakeup | None = None) -> None:
        super().__init__(name, wakeup, [sqs_topic(queue_url.rstrip("/").rpartition("/")[2])])
        self.sqs, self.url, self.event, self.deliver, self.region = sqs, queue_url, event, deliver, region
        self.speed = speed
        attrs = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["VisibilityTimeout", "QueueArn"])
        self.visibility_timeout = int(attrs["Attributes"].get("VisibilityTimeout", 30))
        self.arn = attrs["Attributes"]["QueueArn"]

    def receive(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while len(messages) < self.event.batch_size:
            got = self.sqs.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=min(10, self.event.batch_size - len(messages)),
                AttributeNames=["All"], MessageAttributeNames=["All"], WaitTimeSeconds=0,
            ).get("Messages", [])
            if not got:
                break
            messages += got
        return messages

    def run_once(self) -> bool:
        messages = self.receive()
        if not messages:
            self.idle = self._queue_empty()
            return False
        self.idle = False
        records = [self.record(m) for m in messages]
        keep = [r for r in records if matches_any(self.event.filters, sqs_filter_view(r))]
        dropped = [r for r in records if r not in keep]
        self.delete(dropped)  # Lambda deletes messages that do not match the filter
        if not keep:
            return True
        try:
            result = self.deliver(keep)
            failed = failed_items(result, {r["messageId"] for r in keep}) if self.event.report_batch_item_failures \
                else set()
        except FunctionError:
            failed = None
        if failed is None:
            self.retry_later(keep)
        else:
            self.delete([r for r in keep if r["messageId"] not in failed])
            self.retry_later([r for r in keep if r["messageId"] in failed])
        return True

    def _queue_empty(self) -> bool:
        a = self.sqs.get_queue_attributes(
            QueueUrl=self.url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                            "ApproximateNumberOfMessagesDelayed"],
        )["Attributes"]
        return all(int(v) == 0 for v in a.values())

    def delete(self, records: list[dict[str, Any]]) -> None:
        for i in range(0, len(records), 10):
            chunk = records[i:i + 10]
            self.sqs.delete_message_batch(
                QueueUrl=self.url,
                Entries=[{"Id": str(n), "ReceiptHandle": r["receiptHandle"]} for n, r in enumerate(chunk)],
            )

    def retry_later(self, records: list[dict[str, Any]]) -> None:
        """Failed messages reappear after VisibilityTimeout, shortened by the stack's speed."""
        if self.speed == 1 or not records:
            return
        timeout = math.ceil(self.visibility_timeout / self.speed)
        for r in records:
            self.sqs.change_message_visibility(QueueUrl=self.url, ReceiptHandle=r["receiptHandle"],
                                               VisibilityTimeout=timeout)

    def record(self, m: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m.get("Body", ""),
            "attributes": m.get("Attributes", {}),
            "messageAttributes": {k: _sqs_attr(v) for k, v in (m.get("MessageAttributes") or {}).items()},
            "md5OfBody": m.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.arn,
            "awsRegion": self.region,
        }


def _sqs_attr(v: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"stringListValues": [], "binaryListValues": [], "dataType": v.get("DataType")}
    if "StringValue" in v:
        out["stringValue"] = v["StringValue"]
    if "BinaryValue" in v:
        out["binaryValue"] = base64.b64encode(v["BinaryValue"]).decode()
    return out


class RoutePump(SqsPump):
    """Drains an internal rule queue into a function (invoke) or state machine (named execution)."""

    def __init__(self, name: str, sqs: Any, queue_url: str, deliver_one: Callable[[dict[str, Any], str], None],
                 region: str, max_attempts: int = 3, wakeup: Wakeup | None = None) -> None:
        # report_batch_item_failures: the failed deliveries come back (retry), the others are deleted
        super().__init__(name, sqs, queue_url, SqsEvent(name, "", batch_size=10, report_batch_item_failures=True),
                         self._deliver, region, wakeup=wakeup)
        self.deliver_one = deliver_one
        self.max_attempts = max_attempts

    def _deliver(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        failures = []
        for r in records:
            try:
                self.deliver_one(json.loads(r["body"]), r["messageId"])
            except Exception as exc:
                attempts = int(r["attributes"].get("ApproximateReceiveCount", "1"))
                log.warning("%s: delivery of %s failed (%s), attempt %d", self.name, r["messageId"], exc, attempts)
                if attempts < self.max_attempts:
                    failures.append({"itemIdentifier": r["messageId"]})
        return {"batchItemFailures": failures}

    def retry_later(self, records: list[dict[str, Any]]) -> None:
        for r in records:
            self.sqs.change_message_visibility(QueueUrl=self.url, ReceiptHandle=r["receiptHandle"],
                                               VisibilityTimeout=1)


# ---------------------------------------------------------------- DynamoDB streams


class StreamPump(Pump):
    """DynamoDB stream event source: filters, batches, bisect-free retries, OnFailure destination."""

    def __init__(self, name: str, streams: Any, sqs: Any, event: StreamEvent, stream_arn: str,
                 deliver: Deliver, function_arn: str, region: str, wakeup: Wakeup | None = None) -> None:
        # arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
        super().__init__(name, wakeup, [table_topic(stream_arn.split(":", 5)[-1].split("/")[1])])
        self.streams, self.sqs, self.event, self.stream_arn = streams, sqs, event, stream_arn
        self.deliver, self.function_arn, self.region = deliver, function_arn, region
        self.shard_id: str | None = None
        self.checkpoint: str | None = None  # last sequence number done
        self.attempts = 0

    def _init_position(self) -> None:
        desc = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        self.shard_id = desc["Shards"][0]["ShardId"]
        if self.event.starting_position == "LATEST":
            it = self.streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=self.shard_id,
                                                 ShardIteratorType="LATEST")["ShardIterator"]
            recs = self.streams.get_records(ShardIterator=it, Limit=1000)["Records"]
            self.checkpoint = recs[-1]["dynamodb"]["SequenceNumber"] if recs else None

    def fetch(self) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": self.shard_id}
        if self.checkpoint is None:
            kwargs["ShardIteratorType"] = "TRIM_HORIZON"
        else:
            kwargs.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=self.checkpoint)
        it = self.streams.get_shard_iterator(**kwargs)["ShardIterator"]
        return self.streams.get_records(ShardIterator=it, Limit=self.event.batch_size)["Records"]

    def run_once(self) -> bool:
        if self.shard_id is None:
            self._init_position()
        raw = self.fetch()
        if not raw:
            self.idle = True
            return False
        self.idle = False
        records = [self.record(r) for r in raw]
        batch = [r for r in records if matches_any(self.event.filters, r)]
        last_seq = records[-1]["dynamodb"]["SequenceNumber"]
        if not batch:
            self.checkpoint = last_seq
            return True
        seqs = [r["dynamodb"]["SequenceNumber"] for r in batch]
        try:
            result = self.deliver(batch)
            failed = failed_items(result, set(seqs)) if self.event.report_batch_item_failures else set()
        except FunctionError:
            failed = None
        if failed == set():
            self.checkpoint, self.attempts = last_seq, 0
            return True
        first_failed = seqs[0] if failed is None else min(failed, key=int)
        self.attempts += 1
        if 0 <= self.event.maximum_retry_attempts < self.attempts:
            rest = [r for r in batch if int(r["dynamodb"]["SequenceNumber"]) >= int(first_failed)]
            self.on_failure(rest)
            self.checkpoint, self.attempts = last_seq, 0
            return True
        done = [r["dynamodb"]["SequenceNumber"] for r in records if int(r["dynamodb"]["SequenceNumber"]) <
                int(first_failed)]
        if done:
            self.checkpoint = done[-1]
        self._stop.wait(min(1.0, 0.05 * 2 ** self.attempts))
        return True

    def on_failure(self, records: list[dict[str, Any]]) -> None:
        """Send Lambda's failure record (the batch's coordinates, not its data) to the OnFailure queue."""
        log.warning("%s: %d record(s) exhausted %d retries", self.name, len(records), self.event.maximum_retry_attempts)
        dest = self.event.on_failure_arn
        if not dest or ":sqs:" not in dest:
            return
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
        body = {
            "requestContext": {"requestId": str(uuid.uuid4()), "functionArn": self.function_arn,
                               "condition": "RetryAttemptsExhausted", "approximateInvokeCount": self.attempts},
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": now,
            "DDBStreamBatchInfo": {
                "shardId": self.shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": _iso(first["ApproximateCreationDateTime"]),
                "approximateArrivalOfLastRecord": _iso(last["ApproximateCreationDateTime"]),
                "batchSize": len(records),
                "streamArn": self.stream_arn,
            },
        }
        name = dest.split(":")[5]
        url = self.sqs.get_queue_url(QueueName=name)["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))

    def record(self, r: dict[str, Any]) -> dict[str, Any]:
        ddb = dict(r["dynamodb"])
        created = ddb.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            ddb["ApproximateCreationDateTime"] = float(int(created.timestamp()))
        for key in ("Keys", "NewImage", "OldImage"):
            if key in ddb:
                ddb[key] = _b64_binary(ddb[key])
        return {
            "eventID": r["eventID"],
            "eventName": r["eventName"],
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": r.get("awsRegion", self.region),
            "dynamodb": ddb,
            "eventSourceARN": self.stream_arn,
        }


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _b64_binary(value: Any) -> Any:
    """boto3 returns B/BS as bytes; the Lambda event carries them base64-encoded."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _b64_binary(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_b64_binary(v) for v in value]
    return value


# ---------------------------------------------------------------- schedules


class AppClock:
    """The application's clock: wall time accelerated `speed` times from `origin`."""

    def __init__(self, origin: float, speed: float) -> None:
        self.origin, self.speed = origin, speed

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.origin + (time.time() - self.origin) * self.speed, UTC)


class SchedulePump(Pump):
    """Fires rate()/cron()/at() schedules on the accelerated clock, sleeping until the next one is due."""

    MAX_SLEEP = 1.0  # wall seconds; the next due time is recomputed at least this often

    def __init__(self, schedules: list[Schedule], clock: AppClock, fire: Callable[[Schedule, Any], None]) -> None:
        super().__init__("schedules")
        self.clock, self.fire = clock, fire
        self.idle = True
        now = clock.now()
        self.next: dict[int, datetime | None] = {}
        self.items = [s for s in schedules if s.enabled]
        for i, s in enumerate(self.items):
            self.next[i] = self._next(s, now)

    def pause(self) -> float:
        dues = [due for due in self.next.values() if due is not None]
        if not dues:
            return self.IDLE_CHECK
        wall = (min(dues) - self.clock.now()).total_seconds() / self.clock.speed
        return min(max(wall, 0.0), self.MAX_SLEEP)

    @staticmethod
    def _next(s: Schedule, after: datetime) -> datetime | None:
        period = rate_seconds(s.expression)
        if period is not None:
            return after + timedelta(seconds=period)
        at = at_time(s.expression)
        if at is not None:
            return at if at > after else None
        try:
            return Cron(s.expression).next_after(after)
        except ValueError:
            log.warning("schedule %s: unsupported expression %s", s.name, s.expression)
            return None

    def run_once(self) -> bool:
        now = self.clock.now()
        worked = False
        for i, s in enumerate(self.items):
            due = self.next[i]
            if due is None or due > now:
                continue
            self.next[i] = self._next(s, due if rate_seconds(s.expression) else now)
            event = json.loads(s.input) if s.input else scheduled_event(s, due)
            try:
                self.fire(s, event)
            except Exception as exc:
                log.warning("schedule %s -> %s failed: %s", s.name, s.target.ref, exc)
            worked = True
        return worked


def scheduled_event(s: Schedule, at: datetime) -> dict[str, Any]:
    """The event EventBridge sends for a scheduled rule."""
    parts = s.rule_arn.split(":")
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": parts[4] if len(parts) > 4 else "123456789012",
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": parts[3] if len(parts) > 3 else "us-east-1",
        "resources": [s.rule_arn],
        "detail": {},
    }
