"""What the webhooks context needs from the outside: its stores, the delivery queue, DNS and HTTP."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from aftersales.webhooks.destinations import Destination
from aftersales.webhooks.model import Attempt, Endpoint, Message, Outcome, Trigger

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursor: str | None = None


@dataclass(frozen=True)
class DeliveryJob:
    """One queued attempt: `attempt` is the number it will have (stale when another came first)."""

    tenant_id: str
    endpoint_id: str
    message_id: str
    attempt: int
    trigger: Trigger = Trigger.SCHEDULED
    delay_seconds: int = 0

    def body(self) -> dict[str, object]:
        return {"tenant_id": self.tenant_id, "endpoint_id": self.endpoint_id, "message_id": self.message_id,
                "attempt": self.attempt, "trigger": self.trigger.value}


class EndpointStore(Protocol):
    def create(self, endpoint: Endpoint) -> None:
        """Conflict (`webhooks.too_many_endpoints`) when the tenant has MAX_ENDPOINTS already."""
        ...

    def get(self, tenant_id: str, endpoint_id: str) -> Endpoint | None: ...

    def for_tenant(self, tenant_id: str) -> list[Endpoint]: ...

    def save(self, endpoint: Endpoint, expected_version: int) -> Endpoint:
        """The endpoint stored with version + 1; ConcurrentModification when the version moved."""
        ...

    def delete(self, tenant_id: str, endpoint_id: str) -> bool: ...

    def record_failure(self, tenant_id: str, endpoint_id: str, at: datetime) -> datetime | None:
        """Set `failing_since` unless set; its value afterwards (None: the endpoint is gone)."""
        ...

    def record_success(self, tenant_id: str, endpoint_id: str) -> None:
        """Clear `failing_since`."""
        ...

    def disable(self, tenant_id: str, endpoint_id: str, reason: str, at: datetime) -> bool:
        """Disable an enabled endpoint; True only for the call that disabled it."""
        ...


class MessageStore(Protocol):
    def add(self, message: Message) -> bool:
        """False when the message exists already (a redelivered event)."""
        ...

    def get(self, tenant_id: str, endpoint_id: str, message_id: str) -> Message | None: ...

    def record_attempt(self, message: Message, attempt: Attempt, expected_attempts: int,
                       due_bucket: str | None) -> bool:
        """Store the attempt and the message as it now is, if the message still has
        `expected_attempts` attempts (else False: another attempt came first); `due_bucket` indexes
        a retry due too late for a queue delay."""
        ...

    def set_status(self, message: Message, expected_attempts: int) -> bool: ...

    def for_endpoint(self, tenant_id: str, endpoint_id: str, *, limit: int, cursor: str | None,
                     since: datetime | None = None) -> Page[Message]:
        """The endpoint's messages, newest first (those created at or after `since`)."""
        ...

    def attempts(self, tenant_id: str, endpoint_id: str, message_id: str) -> list[Attempt]:
        """Oldest first."""
        ...

    def due_in_bucket(self, bucket: str) -> Iterator[tuple[str, str, str]]:
        """(tenant, endpoint, message) of the retries indexed under a due bucket."""
        ...

    def unindex(self, tenant_id: str, endpoint_id: str, message_id: str) -> None: ...

    def last_swept(self) -> datetime | None: ...

    def set_last_swept(self, at: datetime) -> None: ...


class DeliveryQueue(Protocol):
    def enqueue(self, jobs: Sequence[DeliveryJob]) -> None:
        """Unavailable when the queue did not take them (the caller is retried)."""
        ...


class Resolver(Protocol):
    def resolve(self, host: str, port: int) -> list[str]:
        """Every address the name has now ([] when it has none)."""
        ...


class Sender(Protocol):
    def post(self, destination: Destination, address: str, headers: Mapping[str, str], body: bytes) -> Outcome:
        """POST to `address` (already checked) with `destination.host` as Host and TLS name; never
        follows a redirect; bounded by the sender's timeout and response-size cap."""
        ...
