"""The outbound webhooks' entities: an endpoint (with its signing secrets), a message (one event
for one endpoint, with one `webhook-id` for all its attempts) and an attempt (one HTTP try)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict, Field

from aftersales.core.model import DomainModel

MAX_ENDPOINTS = 20  # per tenant: the fan-out reads all of a tenant's endpoints for every event
MAX_URL = 2048
MAX_DESCRIPTION = 256
MAX_FILTERS = 64


class SigningSecret(DomainModel):
    """`whsec_` + base64 of the key; a rotated-out secret signs too until `expires_at`."""

    model_config = ConfigDict(frozen=True)
    key: str
    created_at: datetime
    expires_at: datetime | None = None

    def valid_at(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at


class Endpoint(DomainModel):
    model_config = ConfigDict(frozen=True)
    tenant_id: str
    endpoint_id: str
    url: str
    event_types: list[str] = Field(default_factory=list)  # empty: every event type; "ticket.*": a family
    description: str = ""
    enabled: bool = True
    disabled_reason: str | None = None  # "failing" (automatic) or "by_tenant"
    disabled_at: datetime | None = None
    secrets: list[SigningSecret]  # newest first
    failing_since: datetime | None = None  # the first failed attempt since the last success
    created_at: datetime
    updated_at: datetime
    version: int = 0

    def subscribes(self, event_type: str) -> bool:
        if not self.event_types:
            return True
        family = event_type.split(".", 1)[0] + ".*"
        return event_type in self.event_types or family in self.event_types

    def signing_keys(self, now: datetime) -> list[str]:
        return [s.key for s in self.secrets if s.valid_at(now)]


class MessageStatus(StrEnum):
    PENDING = "pending"  # an attempt is queued or scheduled
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # every scheduled attempt failed
    ABANDONED = "abandoned"  # the endpoint was disabled or deleted before it succeeded


class Trigger(StrEnum):
    SCHEDULED = "scheduled"  # the first attempt and the retries of the schedule
    REPLAY = "replay"  # one extra attempt asked for by the tenant


class Message(DomainModel):
    """One event for one endpoint; `body` is the exact JSON bytes signed on every attempt."""

    model_config = ConfigDict(frozen=True)
    tenant_id: str
    endpoint_id: str
    message_id: str  # the `webhook-id`
    event_type: str
    body: str
    created_at: datetime
    status: MessageStatus = MessageStatus.PENDING
    attempts: int = 0  # every attempt, replays included
    scheduled_attempts: int = 0  # the attempts of the retry schedule made so far
    next_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_status_code: int | None = None
    last_latency_ms: int | None = None
    last_error: str | None = None


class Attempt(DomainModel):
    model_config = ConfigDict(frozen=True)
    tenant_id: str
    endpoint_id: str
    message_id: str
    number: int  # 1-based across scheduled attempts and replays of the message
    trigger: Trigger
    at: datetime
    succeeded: bool
    status_code: int | None = None
    latency_ms: int
    error: str | None = None  # timeout, connection, tls, refused_destination, http_status (a non-2xx answer)


class Outcome(DomainModel):
    """What one HTTP try came to (the sender's answer)."""

    model_config = ConfigDict(frozen=True)
    status_code: int | None = None
    latency_ms: int = 0
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300
