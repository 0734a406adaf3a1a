"""The webhooks context's ports in memory, with the DynamoDB adapter's rules: endpoints capped per
tenant and saved on their version, a message created once, attempts recorded only while the
message still has the expected attempt count, the delivery log newest first in pages, the due
index of later retries."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime

from aftersales.core.errors import ConcurrentModification, Conflict
from aftersales.webhooks.destinations import Destination
from aftersales.webhooks.model import MAX_ENDPOINTS, Attempt, Endpoint, Message, Outcome
from aftersales.webhooks.ports import DeliveryJob, Page


class InMemoryEndpointStore:
    def __init__(self) -> None:
        self.endpoints: dict[tuple[str, str], Endpoint] = {}

    def __len__(self) -> int:
        return len(self.endpoints)

    def __contains__(self, endpoint_id: object) -> bool:
        return any(key[1] == endpoint_id for key in self.endpoints)

    def create(self, endpoint: Endpoint) -> None:
        if sum(1 for t, _ in self.endpoints if t == endpoint.tenant_id) >= MAX_ENDPOINTS:
            raise Conflict("webhooks.too_many_endpoints", limit=MAX_ENDPOINTS)
        self.endpoints[(endpoint.tenant_id, endpoint.endpoint_id)] = endpoint.model_copy(update={"version": 1})

    def get(self, tenant_id: str, endpoint_id: str) -> Endpoint | None:
        return self.endpoints.get((tenant_id, endpoint_id))

    def for_tenant(self, tenant_id: str) -> list[Endpoint]:
        return [e for (t, _), e in sorted(self.endpoints.items()) if t == tenant_id]

    def save(self, endpoint: Endpoint, expected_version: int) -> Endpoint:
        current = self.get(endpoint.tenant_id, endpoint.endpoint_id)
        if current is None or current.version != expected_version:
            raise ConcurrentModification("error.concurrent_modification")
        saved = endpoint.model_copy(update={"version": expected_version + 1})
        self.endpoints[(endpoint.tenant_id, endpoint.endpoint_id)] = saved
        return saved

    def delete(self, tenant_id: str, endpoint_id: str) -> bool:
        return self.endpoints.pop((tenant_id, endpoint_id), None) is not None

    def record_failure(self, tenant_id: str, endpoint_id: str, at: datetime) -> datetime | None:
        current = self.get(tenant_id, endpoint_id)
        if current is None:
            return None
        if current.failing_since is None:
            current = current.model_copy(update={"failing_since": at})
            self.endpoints[(tenant_id, endpoint_id)] = current
        return current.failing_since

    def record_success(self, tenant_id: str, endpoint_id: str) -> None:
        current = self.get(tenant_id, endpoint_id)
        if current is not None:
            self.endpoints[(tenant_id, endpoint_id)] = current.model_copy(update={"failing_since": None})

    def disable(self, tenant_id: str, endpoint_id: str, reason: str, at: datetime) -> bool:
        current = self.get(tenant_id, endpoint_id)
        if current is None or not current.enabled:
            return False
        self.endpoints[(tenant_id, endpoint_id)] = current.model_copy(update={
            "enabled": False, "disabled_reason": reason, "disabled_at": at, "version": current.version + 1})
        return True


class InMemoryMessageStore:
    def __init__(self) -> None:
        self.messages: dict[tuple[str, str, str], Message] = {}
        self.attempt_log: dict[tuple[str, str, str], list[Attempt]] = {}
        self.due: dict[str, set[tuple[str, str, str]]] = {}
        self.swept: datetime | None = None

    def __len__(self) -> int:
        return len(self.messages)

    def __contains__(self, message_id: object) -> bool:
        return any(key[2] == message_id for key in self.messages)

    def add(self, message: Message) -> bool:
        key = (message.tenant_id, message.endpoint_id, message.message_id)
        if key in self.messages:
            return False
        self.messages[key] = message
        return True

    def get(self, tenant_id: str, endpoint_id: str, message_id: str) -> Message | None:
        return self.messages.get((tenant_id, endpoint_id, message_id))

    def record_attempt(self, message: Message, attempt: Attempt, expected_attempts: int,
                       due_bucket: str | None) -> bool:
        key = (message.tenant_id, message.endpoint_id, message.message_id)
        current = self.messages.get(key)
        if current is None or current.attempts != expected_attempts:
            return False
        self.messages[key] = message
        self.attempt_log.setdefault(key, []).append(attempt)
        self._unindex(key)
        if due_bucket is not None:
            self.due.setdefault(due_bucket, set()).add(key)
        return True

    def set_status(self, message: Message, expected_attempts: int) -> bool:
        key = (message.tenant_id, message.endpoint_id, message.message_id)
        current = self.messages.get(key)
        if current is None or current.attempts != expected_attempts:
            return False
        self.messages[key] = message
        return True

    def for_endpoint(self, tenant_id: str, endpoint_id: str, *, limit: int, cursor: str | None,
                     since: datetime | None = None) -> Page[Message]:
        items = sorted((m for (t, e, _), m in self.messages.items() if t == tenant_id and e == endpoint_id
                        and (since is None or m.created_at >= since)), key=lambda m: m.message_id, reverse=True)
        if cursor is not None:
            items = [m for m in items if m.message_id < cursor]
        page = items[:limit]
        return Page(page, page[-1].message_id if len(items) > limit else None)

    def attempts(self, tenant_id: str, endpoint_id: str, message_id: str) -> list[Attempt]:
        return list(self.attempt_log.get((tenant_id, endpoint_id, message_id), []))

    def due_in_bucket(self, bucket: str) -> Iterator[tuple[str, str, str]]:
        yield from sorted(self.due.get(bucket, ()))

    def unindex(self, tenant_id: str, endpoint_id: str, message_id: str) -> None:
        self._unindex((tenant_id, endpoint_id, message_id))

    def _unindex(self, key: tuple[str, str, str]) -> None:
        for keys in self.due.values():
            keys.discard(key)

    def indexed(self) -> int:
        return sum(len(keys) for keys in self.due.values())

    def last_swept(self) -> datetime | None:
        return self.swept

    def set_last_swept(self, at: datetime) -> None:
        self.swept = at


class RecordingQueue:
    def __init__(self) -> None:
        self.jobs: list[DeliveryJob] = []

    def __len__(self) -> int:
        return len(self.jobs)

    def enqueue(self, jobs: Sequence[DeliveryJob]) -> None:
        self.jobs.extend(jobs)

    def take(self) -> list[DeliveryJob]:
        jobs, self.jobs = self.jobs, []
        return jobs


class FixedResolver:
    def __init__(self, answers: Mapping[str, list[str]] | None = None) -> None:
        self.answers = dict(answers or {})
        self.lookups: list[str] = []

    def resolve(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        return list(self.answers.get(host, []))


class ScriptedSender:
    """Answers with the next scripted outcome (the last one repeats); keeps what was sent."""

    def __init__(self, *outcomes: Outcome) -> None:
        self.outcomes = list(outcomes) or [Outcome(status_code=200, latency_ms=12)]
        self.sent: list[tuple[Destination, str, dict[str, str], bytes]] = []

    def post(self, destination: Destination, address: str, headers: Mapping[str, str], body: bytes) -> Outcome:
        self.sent.append((destination, address, dict(headers), body))
        return self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
