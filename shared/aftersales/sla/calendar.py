"""Business-hours calendars and the time arithmetic over them.

Working hours are local wall-clock times in the calendar's IANA zone; every instant in and out
of this module is timezone-aware UTC. Each local day is turned into UTC intervals with zoneinfo,
so DST days simply have a shorter or longer working day in real time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ConfigDict, Field, field_validator, model_validator

from aftersales.core.model import DomainModel

_HH_MM = r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$"
_MINUTES_PER_DAY = 24 * 60


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @classmethod
    def of(cls, day: date) -> Weekday:
        return list(cls)[day.weekday()]


class WorkInterval(DomainModel):
    """One stretch of working time within a local day; "24:00" ends at midnight."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: str = Field(pattern=_HH_MM, examples=["09:00"])
    end: str = Field(pattern=_HH_MM, examples=["18:00"])

    @property
    def start_minute(self) -> int:
        return _minutes(self.start)

    @property
    def end_minute(self) -> int:
        return _minutes(self.end)

    @model_validator(mode="after")
    def _end_after_start(self) -> WorkInterval:
        if self.end_minute <= self.start_minute:
            raise ValueError("end must be after start within the same day")
        return self


def _minutes(hh_mm: str) -> int:
    hours, minutes = hh_mm.split(":")
    return int(hours) * 60 + int(minutes)


class BusinessCalendar(DomainModel):
    """Working hours of a tenant or region.

    `extra_working_days` are make-up workdays (调休): a normally free date that is worked with
    the hours of the named weekday.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    calendar_id: str = Field(min_length=1)
    tenant_id: str = Field(min_length=1)
    region: str | None = None
    timezone: str = Field(examples=["Asia/Shanghai"])
    weekly_hours: dict[Weekday, tuple[WorkInterval, ...]]
    holidays: frozenset[date] = frozenset()
    extra_working_days: dict[date, Weekday] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("weekly_hours")
    @classmethod
    def _sorted_without_overlap(
        cls, value: dict[Weekday, tuple[WorkInterval, ...]]
    ) -> dict[Weekday, tuple[WorkInterval, ...]]:
        ordered_hours = {}
        for weekday, intervals in value.items():
            ordered = tuple(sorted(intervals, key=lambda i: i.start_minute))
            for earlier, later in pairwise(ordered):
                if later.start_minute < earlier.end_minute:
                    raise ValueError(
                        f"{weekday}: intervals {earlier.start}-{earlier.end} and "
                        f"{later.start}-{later.end} overlap"
                    )
            ordered_hours[weekday] = ordered
        return ordered_hours

    @model_validator(mode="after")
    def _has_working_time(self) -> BusinessCalendar:
        # Without weekly working time, adding business time would never end.
        if not any(self.weekly_hours.values()):
            raise ValueError("weekly_hours must contain at least one working interval")
        for day, borrowed in self.extra_working_days.items():
            if day in self.holidays:
                raise ValueError(f"{day} is both a holiday and an extra working day")
            if not self.weekly_hours.get(borrowed):
                raise ValueError(f"extra working day {day} borrows {borrowed}, which has no hours")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def hours_on(self, day: date) -> tuple[WorkInterval, ...]:
        if day in self.extra_working_days:
            return self.weekly_hours[self.extra_working_days[day]]
        if day in self.holidays:
            return ()
        return self.weekly_hours.get(Weekday.of(day), ())

    def standard_day(self) -> timedelta:
        """The longest weekly working day; one "business day" of a target."""
        longest = max(
            sum(i.end_minute - i.start_minute for i in hours) for hours in self.weekly_hours.values()
        )
        return timedelta(minutes=longest)


def _require_utc_aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return instant.astimezone(UTC)


def _local_instant(day: date, minute_of_day: int, zone: ZoneInfo) -> datetime:
    # 24:00 is the next day's midnight; fold=0 resolves DST gaps and repeats consistently.
    if minute_of_day == _MINUTES_PER_DAY:
        return datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    local = time(minute_of_day // 60, minute_of_day % 60)
    return datetime.combine(day, local, zone).astimezone(UTC)


def working_intervals_utc(calendar: BusinessCalendar, day: date) -> list[tuple[datetime, datetime]]:
    """The UTC intervals worked on one local date, in order."""
    zone = calendar.zone
    intervals = []
    for hours in calendar.hours_on(day):
        start = _local_instant(day, hours.start_minute, zone)
        end = _local_instant(day, hours.end_minute, zone)
        if end > start:  # an interval lying wholly inside a DST gap has no real time
            intervals.append((start, end))
    return intervals


def _intervals_from(calendar: BusinessCalendar, instant: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals that end after `instant`, endlessly forward in time."""
    day = instant.astimezone(calendar.zone).date()
    while True:
        for start, end in working_intervals_utc(calendar, day):
            if end > instant:
                yield max(start, instant), end
        day += timedelta(days=1)


def add_business_time(calendar: BusinessCalendar, start_utc: datetime, duration: timedelta) -> datetime:
    """The instant at which `duration` of working time has passed since `start_utc`."""
    start = _require_utc_aware(start_utc)
    if duration < timedelta(0):
        raise ValueError("duration must not be negative")
    if duration == timedelta(0):
        return start
    remaining = duration
    intervals = _intervals_from(calendar, start)
    interval_start, interval_end = next(intervals)
    while remaining > interval_end - interval_start:
        remaining -= interval_end - interval_start
        interval_start, interval_end = next(intervals)
    return interval_start + remaining


def business_time_between(calendar: BusinessCalendar, a: datetime, b: datetime) -> timedelta:
    """Working time from `a` to `b`; negative when `b` is before `a`."""
    a, b = _require_utc_aware(a), _require_utc_aware(b)
    if b < a:
        return -business_time_between(calendar, b, a)
    total = timedelta(0)
    for interval_start, interval_end in _intervals_from(calendar, a):
        if interval_start >= b:
            break
        total += min(interval_end, b) - interval_start
    return total


def is_working_at(calendar: BusinessCalendar, instant: datetime) -> bool:
    instant = _require_utc_aware(instant)
    day = instant.astimezone(calendar.zone).date()
    return any(start <= instant < end for start, end in working_intervals_utc(calendar, day))
