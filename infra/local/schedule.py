"""Schedule expressions: rate(...), cron(...) (EventBridge's 6 fields, minute resolution) and at(...).

Time here is the application's (possibly accelerated) clock, so with speed S a `rate(N minutes)`
ticks every N*60/S wall seconds.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {m.upper(): i for i, m in enumerate(calendar.month_abbr) if m}
_DAYS = {d: i + 1 for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}


def rate_seconds(expression: str) -> int | None:
    """Period of a rate() expression in (application) seconds, None for other expressions."""
    m = _RATE.match(expression.strip())
    if not m:
        return None
    return int(m.group(1)) * _UNIT_SECONDS[m.group(2).rstrip("s")]


def at_time(expression: str) -> datetime | None:
    m = re.match(r"^at\((.+)\)$", expression.strip())
    return datetime.fromisoformat(m.group(1)).replace(tzinfo=UTC) if m else None


class Cron:
    """EventBridge cron(min hour day-of-month month day-of-week year), UTC."""

    def __init__(self, expression: str) -> None:
        m = re.match(r"^cron\((.+)\)$", expression.strip())
        if not m:
            raise ValueError(f"not a cron expression: {expression}")
        fields = m.group(1).split()
        if len(fields) != 6:
            raise ValueError(f"cron needs 6 fields: {expression}")
        self.minute, self.hour, self.dom, self.month, self.dow, self.year = fields

    def matches(self, t: datetime) -> bool:
        return (
            _field(self.minute, t.minute, 0, 59)
            and _field(self.hour, t.hour, 0, 23)
            and _field(self.month, t.month, 1, 12, _MONTHS)
            and _field(self.year, t.year, 1970, 2199)
            and self._day(t)
        )

    def _day(self, t: datetime) -> bool:
        last = calendar.monthrange(t.year, t.month)[1]
        if self.dom not in ("?", "*"):
            if self.dom == "L":
                return t.day == last
            return _field(self.dom.replace("W", ""), t.day, 1, 31)
        if self.dow not in ("?", "*"):
            aws_dow = (t.isoweekday() % 7) + 1  # SUN=1 .. SAT=7
            if "#" in self.dow:
                day, nth = self.dow.split("#")
                return _field(day, aws_dow, 1, 7, _DAYS) and (t.day - 1) // 7 + 1 == int(nth)
            if self.dow.endswith("L"):
                return _field(self.dow[:-1], aws_dow, 1, 7, _DAYS) and t.day + 7 > last
            return _field(self.dow, aws_dow, 1, 7, _DAYS)
        return True

    def next_after(self, t: datetime, limit_minutes: int = 366 * 24 * 60) -> datetime | None:
        """First matching minute strictly after `t`."""
        cur = t.replace(second=0, microsecond=0) + timedelta(minutes=1)
        for _ in range(limit_minutes):
            if self.matches(cur):
                return cur
            cur += timedelta(minutes=1)
        return None


def _field(spec: str, value: int, lo: int, hi: int, names: dict[str, int] | None = None) -> bool:
    for part in spec.upper().split(","):
        step = 1
        if "/" in part:
            part, step_s = part.split("/")
            step = int(step_s)
        if part in ("*", "?"):
            start, end = lo, hi
        elif "-" in part:
            a, b = part.split("-")
            start, end = _num(a, names), _num(b, names)
        else:
            start = _num(part, names)
            end = hi if step > 1 else start
        if start <= value <= end and (value - start) % step == 0:
            return True
    return False


def _num(token: str, names: dict[str, int] | None) -> int:
    if names and token in names:
        return names[token]
    return int(token)
