"""Injectable, timezone-aware clock.

Production uses the system UTC clock. The local stack can accelerate time (SPEED=60 makes a
minute pass every second) so SLA and survey timers can be watched; tests pass a FixedClock.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


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
