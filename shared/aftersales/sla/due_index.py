"""Time-bucket keys for the due index (a sparse GSI keyed by bucket).

A deadline is indexed under the bucket of its next due stage, so a sweep reads only the buckets
since its last run: its cost grows with the items due, not with the open tickets.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

DEFAULT_BUCKET_MINUTES = 5
_KEY_FORMAT = "%Y-%m-%dT%H:%M"


def _floor(dt: datetime, minutes: int) -> datetime:
    if dt.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    if minutes <= 0 or 60 % minutes:
        raise ValueError("bucket minutes must divide an hour")
    dt = dt.astimezone(UTC)
    return dt.replace(minute=dt.minute - dt.minute % minutes, second=0, microsecond=0)


def due_bucket(dt: datetime, minutes: int = DEFAULT_BUCKET_MINUTES) -> str:
    """The bucket key of an instant, e.g. "2026-11-26T10:05"."""
    return _floor(dt, minutes).strftime(_KEY_FORMAT)


def index_bucket(next_due: datetime, now: datetime, minutes: int = DEFAULT_BUCKET_MINUTES) -> str:
    """Where to index a deadline: a stage already overdue goes to the current bucket, which the
    next sweep still reads (a recompute may move a stage into the past)."""
    return due_bucket(max(next_due, now), minutes)


def buckets_between(last_swept: datetime, now: datetime, minutes: int = DEFAULT_BUCKET_MINUTES) -> list[str]:
    """Buckets a sweep at `now` reads, oldest first: from the last swept bucket (it may hold
    items that were not yet due then) through the current one."""
    step = timedelta(minutes=minutes)
    bucket, last = _floor(last_swept, minutes), _floor(now, minutes)
    keys = []
    while bucket <= last:
        keys.append(bucket.strftime(_KEY_FORMAT))
        bucket += step
    return keys
