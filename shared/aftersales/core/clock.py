"""Injectable, timezone-aware clock.

Production uses the system UTC clock. The local stack can accelerate time (SPEED=60 makes a
minute pass every second) so SLA and survey timers can be watched; tests pass a FixedClock.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from typing import Annotated, Protocol

from pydantic import AfterValidator, AwareDatetime, Field


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class AcceleratedClock:
    """Time that runs `speed` times faster than the wall clock from `origin` on."""

    def __init__(self, origin_epoch: float, speed: float) -> None:
        self._origin = origin_epoch
        self._speed = speed

    def now(self) -> datetime:
        elapsed = (time.time() - self._origin) * self._speed
        return datetime.fromtimestamp(self._origin + elapsed, UTC)


class FixedClock:
    """A manual clock for tests."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **kwargs: float) -> None:
        self._now += timedelta(**kwargs)

    def set(self, value: datetime) -> None:
        self._now = value


def clock_from_env() -> Clock:
    """AFTERSALES_CLOCK = "system" (default) or "accelerated:<origin epoch>:<speed>"."""
    spec = os.environ.get("AFTERSALES_CLOCK", "system")
    if spec.startswith("accelerated:"):
        _, origin, speed = spec.split(":")
        return AcceleratedClock(float(origin), float(speed))
    return SystemClock()


def iso(dt: datetime) -> str:
    """Canonical UTC ISO-8601 with millisecond precision, sortable as a string."""
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


# Provider timestamps outside this range are not real event times (a malformed or hostile field):
# they are refused or ignored, never turned into a datetime that overflows later.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def within_range(value: datetime) -> datetime | None:
    """`value` (aware) in UTC when it lies in [EARLIEST, LATEST), else None."""
    try:
        value = value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return value if EARLIEST <= value < LATEST else None


def from_unix(value: object) -> datetime | None:
    """Unix seconds as a provider sends them (a JSON number, or a string of ASCII digits) -> aware UTC
    datetime; None when it is not one or falls outside [EARLIEST, LATEST). int() would also take
    non-ASCII digits ("١٢٣") and fromtimestamp() overflows on huge values: neither gets that far."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 12):
            return None
        value = int(text)
    if not isinstance(value, (int, float)) or not EARLIEST.timestamp() <= value < LATEST.timestamp():
        return None  # also NaN and the infinities, which compare False
    return datetime.fromtimestamp(value, UTC)


def _in_range(value: datetime) -> datetime:
    utc = within_range(value)
    if utc is None:
        raise ValueError("must lie between 2000-01-01 and 2100-01-01 (UTC)")
    return utc


# A point in time a client tells us (order placed, account created, label issued): with a time
# zone, normalised to UTC, and within [EARLIEST, LATEST) (no year 9999).
Instant = Annotated[AwareDatetime, AfterValidator(_in_range), Field(examples=["2026-11-18T10:00:00+08:00"])]
