"""When a failed message is tried again, and when a failing endpoint is disabled.

The schedule is Svix's (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) with four more
10-hour retries, so the last attempt comes about 2.8 days after the first, like Stripe's "up to
three days". An endpoint is disabled, as Svix does, when every attempt to it has failed for
five days (no success in between); see docs/decisions.md."""

from __future__ import annotations

from datetime import datetime, timedelta

RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(0), timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
    timedelta(hours=5), *(timedelta(hours=10),) * 6,
)
ATTEMPTS = len(RETRY_DELAYS)
DISABLE_AFTER = timedelta(days=5)


def delay_before(attempt: int) -> timedelta | None:
    """The wait before scheduled attempt `attempt` (1-based) after the previous one; None when the
    schedule has no such attempt."""
    if attempt < 1 or attempt > ATTEMPTS:
        return None
    return RETRY_DELAYS[attempt - 1]


def span() -> timedelta:
    """From the first attempt to the last."""
    return sum(RETRY_DELAYS, timedelta(0))


def should_disable(failing_since: datetime | None, now: datetime) -> bool:
    return failing_since is not None and now - failing_since >= DISABLE_AFTER
