"""Waking the pumps when work arrives, instead of polling moto every few milliseconds.

Every AWS call of the stack (handlers, Step Functions tasks, the pumps themselves) goes through the
embedded endpoint's front (server.py). After a call that can give a pump something to do has gone
through, the front rings the doorbell of the pumps of the sources it wrote to:

- SQS `SendMessage(Batch)` and `ChangeMessageVisibility(Batch)` (a message made visible again):
  the pump of that queue;
- DynamoDB `PutItem`, `UpdateItem`, `DeleteItem`, `BatchWriteItem`, `TransactWriteItems` and the
  PartiQL statements: the stream pumps of the tables written;
- EventBridge `PutEvents` (moto delivers rule targets to SQS in-process) and S3 writes (moto writes
  bucket notifications to SQS in-process): every pump.

A pump with nothing to do waits for its doorbell; it still looks every `Pump.IDLE_CHECK` seconds, for
work that arrives some other way (moto moving a message to a dead-letter queue during a receive).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import Any

SQS_WRITES = frozenset({"SendMessage", "SendMessageBatch", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch"})
DYNAMODB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems",
                             "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"})
EVERYONE = "*"


def sqs_topic(queue_name: str) -> str:
    return f"sqs:{queue_name}"


def table_topic(table_name: str) -> str:
    return f"dynamodb:{table_name}"


class Doorbell:
    """One pump's: `rings` counts the notifications; `wait` returns at the first one after `seen`."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.rings = 0

    def ring(self) -> None:
        with self._changed:
            self.rings += 1
            self._changed.notify_all()

    def wait(self, seen: int, timeout: float) -> bool:
        """True when rung since `seen` (the count read before the pump last looked), False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: self.rings != seen, timeout)


class Wakeup:
    """Doorbells by topic (`sqs:<queue name>`, `dynamodb:<table name>`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bells: dict[str, list[Doorbell]] = {}
        self._all: list[Doorbell] = []

    def doorbell(self, topics: Iterable[str]) -> Doorbell:
        bell = Doorbell()
        with self._lock:
            self._all.append(bell)
            for topic in topics:
                self._bells.setdefault(topic, []).append(bell)
        return bell

    def notify(self, topics: Iterable[str]) -> None:
        with self._lock:
            bells = list(self._all) if EVERYONE in topics else \
                list({id(b): b for t in topics for b in self._bells.get(t, ())}.values())
        for bell in bells:
            bell.ring()

    def observe(self, environ: dict[str, Any], body: bytes | None) -> None:
        """Called by the endpoint's front after a request went through."""
        topics = written_sources(environ, body)
        if topics:
            self.notify(topics)


def written_sources(environ: dict[str, Any], body: bytes | None) -> set[str]:
    """The pump topics a request may have given work to (EVERYONE when it can't be told)."""
    method = environ.get("REQUEST_METHOD", "GET")
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        service, _, operation = target.partition(".")
        if service == "AmazonSQS" and operation in SQS_WRITES:
            return _queues(body)
        if service.startswith("DynamoDB_") and operation in DYNAMODB_WRITES:
            return _tables(operation, body)
        if service == "AWSEvents" and operation == "PutEvents":
            return {EVERYONE}
        return set()
    if method in ("PUT", "POST", "DELETE") and _signing_service(environ) in ("s3", None):
        return {EVERYONE}  # S3 (moto writes bucket notifications to SQS), or a request that can't be told
    return set()


def _json(body: bytes | None) -> dict[str, Any] | None:
    try:
        parsed = json.loads(body or b"")
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _queues(body: bytes | None) -> set[str]:
    parsed = _json(body)
    url = parsed.get("QueueUrl") if parsed else None
    return {sqs_topic(url.rstrip("/").rpartition("/")[2])} if isinstance(url, str) and url else {EVERYONE}


def _tables(operation: str, body: bytes | None) -> set[str]:
    parsed = _json(body)
    if parsed is None:
        return {EVERYONE}
    if operation in ("PutItem", "UpdateItem", "DeleteItem") and isinstance(parsed.get("TableName"), str):
        return {table_topic(parsed["TableName"])}
    if operation == "BatchWriteItem" and isinstance(parsed.get("RequestItems"), dict):
        return {table_topic(name) for name in parsed["RequestItems"]}
    if operation == "TransactWriteItems" and isinstance(parsed.get("TransactItems"), list):
        names = {action.get("TableName") for item in parsed["TransactItems"] if isinstance(item, dict)
                 for action in item.values() if isinstance(action, dict)}
        if names and all(isinstance(n, str) for n in names):
            return {table_topic(n) for n in names}
    return {EVERYONE}  # PartiQL names its table inside the statement


def _signing_service(environ: dict[str, Any]) -> str | None:
    """The service of the SigV4 credential scope (`Credential=<key>/<date>/<region>/<service>/aws4_request`),
    from the Authorization header or a presigned URL's X-Amz-Credential."""
    from urllib.parse import parse_qs

    auth = environ.get("HTTP_AUTHORIZATION", "")
    credential = auth.partition("Credential=")[2].partition(",")[0] if "Credential=" in auth else \
        (parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential") or [""])[0]
    parts = credential.split("/")
    return parts[3] if len(parts) >= 5 else None
