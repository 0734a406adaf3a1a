"""The one tracking-event model every provider payload is normalised into."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from pydantic import AwareDatetime, ConfigDict, Field

from aftersales.core.clock import from_unix, within_range
from aftersales.core.errors import InvalidRequest
from aftersales.core.model import DomainModel


class TrackingStatus(StrEnum):
    INFO_RECEIVED = "info_received"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    EXCEPTION = "exception"
    RETURNING = "returning"
    RETURNED = "returned"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


class SubStatus(StrEnum):
    NONE = "none"
    REFUSED = "refused"
    LOST = "lost"
    DAMAGED = "damaged"
    DESTROYED = "destroyed"
    CUSTOMS_HOLD = "customs_hold"
    DELAYED = "delayed"
    ADDRESS_ISSUE = "address_issue"
    FAILED_ATTEMPT = "failed_attempt"
    RECIPIENT_UNAVAILABLE = "recipient_unavailable"
    PICKUP_MISSED = "pickup_missed"
    HELD_FOR_PAYMENT = "held_for_payment"
    HELD = "held"
    CARRIER_REJECTED = "carrier_rejected"
    CANCELLED = "cancelled"
    INVALID_TRACKING = "invalid_tracking"
    NO_INFORMATION = "no_information"
    OTHER = "other"


class Provider(StrEnum):
    AFTERSHIP = "aftership"
    EASYPOST = "easypost"
    SHIPPO = "shippo"
    SEVENTEEN_TRACK = "17track"


class TrackingPayloadError(InvalidRequest):
    """The body was authentic but carries no tracker we can route (e.g. no tracking number)."""

    code = "tracking_payload_invalid"


class Place(DomainModel):
    model_config = ConfigDict(frozen=True)

    city: str | None = None
    state: str | None = None
    country: str | None = None
    postal_code: str | None = None
    text: str | None = Field(None, description="Free-text location as the carrier wrote it")


class Checkpoint(DomainModel):
    model_config = ConfigDict(frozen=True)

    at: AwareDatetime
    # False when the provider sent a local time without offset and we had to assume UTC.
    offset_known: bool = True
    message: str = ""
    place: Place | None = None
    raw_status: str | None = None
    raw_sub_status: str | None = None


class TrackingEvent(DomainModel):
    """A provider-neutral tracking update. `provider_event_id` is the webhook idempotency key."""

    model_config = ConfigDict(frozen=True)

    provider: Provider
    provider_event_id: str
    tracking_number: str
    carrier: str | None = None
    status: TrackingStatus
    sub_status: SubStatus = SubStatus.NONE
    raw_status: str | None = None
    raw_sub_status: str | None = None
    raw_sub_status_text: str | None = None
    checkpoints: tuple[Checkpoint, ...] = ()
    occurred_at: AwareDatetime | None = Field(
        None, description="Time of the newest checkpoint, or of the status itself when none")

    @property
    def is_exception(self) -> bool:
        return self.status is TrackingStatus.EXCEPTION


MAX_TIME_TEXT = 64  # the longest ISO-8601 form with fractions and offset is ~35 characters


def parse_time(value: object) -> tuple[datetime, bool] | None:
    """ISO-8601 or unix seconds -> (aware UTC datetime, offset_known). None when unparseable or
    outside the sane range (core.clock.EARLIEST..LATEST): one bad checkpoint must not lose the event."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        at = from_unix(value)
        return (at, True) if at else None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TIME_TEXT:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())  # 3.11 accepts a trailing "Z"
    except ValueError:
        return None
    offset_known = parsed.tzinfo is not None
    at = within_range(parsed if offset_known else parsed.replace(tzinfo=UTC))
    return (at, offset_known) if at else None


def sorted_checkpoints(checkpoints: list[Checkpoint]) -> tuple[Checkpoint, ...]:
    return tuple(sorted(checkpoints, key=lambda c: c.at))


def newest_time(checkpoints: tuple[Checkpoint, ...], fallback: datetime | None) -> datetime | None:
    return checkpoints[-1].at if checkpoints else fallback
