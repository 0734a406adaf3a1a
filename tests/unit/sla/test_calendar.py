"""Business-hours calendar arithmetic."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from aftersales.sla.calendar import BusinessCalendar, add_business_time, business_time_between, is_working_at

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def shanghai(**overrides) -> BusinessCalendar:
    fields = {
        "calendar_id": "cn",
        "tenant_id": "t1",
        "timezone": "Asia/Shanghai",
        "weekly_hours": {
            d: [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "18:00"}] for d in WEEKDAYS
        },
    }
    return BusinessCalendar.model_validate(fields | overrides)


def berlin() -> BusinessCalendar:
    return BusinessCalendar.model_validate(
        {
            "calendar_id": "de",
            "tenant_id": "t1",
            "timezone": "Europe/Berlin",
            "weekly_hours": {d: [{"start": "00:00", "end": "24:00"}] for d in (*WEEKDAYS, "sat", "sun")},
        }
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_adding_within_one_interval():
    """GIVEN 09-12/13-18 Shanghai hours WHEN 2h are added at 09:00 local THEN due at 11:00 local."""
    assert add_business_time(shanghai(), utc(2026, 11, 23, 1), timedelta(hours=2)) == utc(2026, 11, 23, 3)


def test_adding_skips_lunch_and_night_and_weekend():
    """GIVEN Friday 17:00 local WHEN 3h are added THEN 1h Friday + 2h Monday: Monday 11:00 local."""
    friday_5pm = utc(2026, 11, 27, 9)
    assert add_business_time(shanghai(), friday_5pm, timedelta(hours=3)) == utc(2026, 11, 30, 3)


def test_start_outside_hours_begins_at_next_opening():
    """GIVEN a start at 12:30 local (lunch) WHEN 1h is added THEN due 14:00 local."""
    assert add_business_time(shanghai(), utc(2026, 11, 23, 4, 30), timedelta(hours=1)) == utc(2026, 11, 23, 6)


def test_exactly_filling_an_interval_ends_at_its_end():
    """GIVEN 09:00 local WHEN 3h are added THEN due at 12:00, not after lunch."""
    assert add_business_time(shanghai(), utc(2026, 11, 23, 1), timedelta(hours=3)) == utc(2026, 11, 23, 4)


def test_holiday_is_skipped_and_make_up_day_is_worked():
    """GIVEN Mon 2026-10-05 a holiday and Sun 2026-10-11 a make-up day with Friday's hours
    WHEN 8h are added Friday 18:00 THEN they fall on Sunday, not Monday."""
    calendar = shanghai(holidays=[date(2026, 10, 5)], extra_working_days={date(2026, 10, 11): "fri"})
    # Sat 10-10 is free: next working time is Sun 10-11 09:00 local.
    assert add_business_time(calendar, utc(2026, 10, 9, 10), timedelta(hours=8)) == utc(2026, 10, 11, 10)
    assert business_time_between(calendar, utc(2026, 10, 4, 16), utc(2026, 10, 5, 16)) == timedelta(0)


def test_spring_forward_day_is_one_hour_shorter():
    """GIVEN a 24h Berlin calendar WHEN measuring the local day of the March DST change THEN 23h."""
    start, end = utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)  # local midnight to midnight
    assert business_time_between(berlin(), start, end) == timedelta(hours=23)


def test_fall_back_day_is_one_hour_longer():
    """GIVEN a 24h Berlin calendar WHEN measuring the October DST day THEN 25h."""
    start, end = utc(2026, 10, 24, 22), utc(2026, 10, 25, 23)
    assert business_time_between(berlin(), start, end) == timedelta(hours=25)


def test_working_hours_follow_local_time_across_dst():
    """GIVEN New York 09-17 WHEN adding 8h on the Monday after spring forward THEN 17:00 EDT (21:00Z)."""
    calendar = BusinessCalendar.model_validate(
        {
            "calendar_id": "us",
            "tenant_id": "t1",
            "timezone": "America/New_York",
            "weekly_hours": {d: [{"start": "09:00", "end": "17:00"}] for d in WEEKDAYS},
        }
    )
    friday_5pm_est = utc(2026, 3, 6, 22)
    assert add_business_time(calendar, friday_5pm_est, timedelta(hours=8)) == utc(2026, 3, 9, 21)


def test_measuring_backwards_is_negative():
    """GIVEN two instants WHEN measured in reverse THEN the same time, negated."""
    a, b = utc(2026, 11, 23, 1), utc(2026, 11, 24, 1)
    assert (
        business_time_between(shanghai(), b, a)
        == -business_time_between(shanghai(), a, b)
        == -timedelta(hours=8)
    )


def test_is_working_at():
    """GIVEN Shanghai hours WHEN asked at 10:00, 12:30 and Saturday THEN working, not, not."""
    assert is_working_at(shanghai(), utc(2026, 11, 23, 2))
    assert not is_working_at(shanghai(), utc(2026, 11, 23, 4, 30))
    assert not is_working_at(shanghai(), utc(2026, 11, 28, 2))


@pytest.mark.parametrize(
    "overrides",
    [
        {"timezone": "Mars/Olympus"},
        {"weekly_hours": {"mon": [{"start": "09:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}]}},
        {"weekly_hours": {"mon": [{"start": "12:00", "end": "09:00"}]}},
        {"weekly_hours": {"mon": []}},
        {"holidays": [date(2026, 10, 11)], "extra_working_days": {date(2026, 10, 11): "fri"}},
        {"extra_working_days": {date(2026, 10, 11): "sat"}},
    ],
)
def test_invalid_calendars_are_rejected(overrides):
    """GIVEN a bad zone, overlapping/inverted/no hours or a contradictory day WHEN validated THEN rejected."""
    with pytest.raises(ValidationError):
        shanghai(**overrides)


def test_naive_datetimes_are_refused():
    """GIVEN a naive datetime WHEN adding business time THEN ValueError."""
    with pytest.raises(ValueError):
        add_business_time(shanghai(), datetime(2026, 11, 23, 9), timedelta(hours=1))


CALENDARS = st.sampled_from(
    [shanghai(), berlin(), shanghai(timezone="America/New_York"), shanghai(timezone="Australia/Lord_Howe")]
)
INSTANTS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
DURATIONS = st.integers(min_value=0, max_value=60 * 24 * 30).map(lambda m: timedelta(minutes=m))


@settings(deadline=None)  # wall time under a loaded machine is not the property
@given(CALENDARS, INSTANTS, DURATIONS)
def test_add_then_measure_gives_the_duration_back(calendar, start, duration):
    """GIVEN any start and duration WHEN added then measured THEN the duration comes back."""
    assert business_time_between(calendar, start, add_business_time(calendar, start, duration)) == duration


@settings(deadline=None)  # wall time under a loaded machine is not the property
@given(CALENDARS, INSTANTS, DURATIONS, DURATIONS)
def test_adding_is_monotonic_in_the_duration(calendar, start, d1, d2):
    """GIVEN d1 <= d2 WHEN added to one start THEN the due times keep that order."""
    shorter, longer = sorted((d1, d2))
    assert add_business_time(calendar, start, shorter) <= add_business_time(calendar, start, longer)


@settings(deadline=None)  # wall time under a loaded machine is not the property
@given(CALENDARS, INSTANTS, INSTANTS, DURATIONS)
def test_adding_is_monotonic_in_the_start(calendar, a, b, duration):
    """GIVEN a <= b WHEN the same duration is added THEN the due times keep that order."""
    earlier, later = sorted((a, b))
    assert add_business_time(calendar, earlier, duration) <= add_business_time(calendar, later, duration)


@settings(deadline=None)  # wall time under a loaded machine is not the property
@given(CALENDARS, INSTANTS, INSTANTS, INSTANTS)
def test_measuring_is_additive(calendar, a, b, c):
    """GIVEN a <= b <= c WHEN measured THEN a→b plus b→c equals a→c."""
    a, b, c = sorted((a, b, c))
    between = business_time_between
    assert between(calendar, a, b) + between(calendar, b, c) == between(calendar, a, c)
