"""Deadlines computed from a ticket's history, with pauses and recorded breaches."""

from datetime import timedelta

import pytest

from aftersales.core.errors import NotFound
from aftersales.sla.deadlines import StatusChange, compute_deadlines
from aftersales.sla.policy import SlaPolicy
from tests.support.sla import utc

# Monday 2026-11-23, 09:00 Shanghai = 01:00Z.
MONDAY_9AM = utc(2026, 11, 23, 1)


def make_policy(**targets) -> SlaPolicy:
    return SlaPolicy.model_validate({"tenant_id": "t1", "rules": [{"rule_id": "all", "targets": targets}]})


def change(at, status, event=None) -> StatusChange:
    return StatusChange(at=at, status=status, event=event)


def only(deadlines, metric):
    [deadline] = [d for d in deadlines if d.metric == metric]
    return deadline


RESOLUTION_8H = {
    "duration": "PT8H",
    "calendar_id": "cn",
    "reminders": [0.5],
    "escalations": [
        {"level": 1, "to_role": "supervisor"},
        {"level": 2, "to_role": "regional_lead", "after_breach": "PT2H"},
    ],
    "default_action": {"kind": "close", "after_breach": "PT4H"},
}


def test_running_clock_gives_due_reminders_and_stages(calendars, facts):
    """GIVEN an 8 business-hour resolution created Monday 09:00 WHEN computed THEN due Monday 18:00,
    reminder at 4h (14:00), level 2 and default action on Tuesday."""
    history = [change(MONDAY_9AM, "new", "created")]
    deadline = only(
        compute_deadlines(make_policy(resolution=RESOLUTION_8H), calendars, facts, history), "resolution"
    )
    assert deadline.due_at == utc(2026, 11, 23, 10)
    assert deadline.reminder_at == (utc(2026, 11, 23, 6),)
    stages = {s.name: s.at for s in deadline.stages}
    assert stages["escalation:1"] == deadline.due_at
    assert stages["escalation:2"] == utc(2026, 11, 24, 3)  # Tue 11:00 local
    assert stages["default_action"] == utc(2026, 11, 24, 6)  # Tue 14:00 local
    assert not deadline.paused and deadline.breached_at is None and deadline.is_open


def test_waiting_for_the_customer_pauses_and_shifts_everything(calendars, facts):
    """GIVEN 2h used, then 1 day waiting_customer, then the customer replies
    WHEN computed THEN due moves by exactly the paused business time."""
    history = [
        change(MONDAY_9AM, "new", "created"),
        change(utc(2026, 11, 23, 3), "waiting_customer", "agent_replied"),
        change(utc(2026, 11, 24, 3), "open", "customer_replied"),
    ]
    deadline = only(
        compute_deadlines(make_policy(resolution=RESOLUTION_8H), calendars, facts, history), "resolution"
    )
    assert deadline.due_at == utc(2026, 11, 24, 10)  # Tue 11:00 + 6h = Tue 18:00 local


def test_paused_deadline_has_no_due_time_but_knows_what_is_left(calendars, facts):
    """GIVEN a return in transit after 3h WHEN computed THEN paused, no due time, 5h left."""
    history = [change(MONDAY_9AM, "new", "created"), change(utc(2026, 11, 23, 5), "in_transit_return")]
    deadline = only(
        compute_deadlines(make_policy(resolution=RESOLUTION_8H), calendars, facts, history), "resolution"
    )
    assert deadline.paused and deadline.due_at is None and deadline.remaining == timedelta(hours=5)
    assert deadline.reminder_at == ()  # the 4h reminder was not reached before the pause
    assert all(s.at is None for s in deadline.stages)


def test_met_deadline_is_completed_and_not_breached(calendars, facts):
    """GIVEN a reply after 30 minutes WHEN first_response (1h) is computed THEN completed, 30m left."""
    history = [
        change(MONDAY_9AM, "new", "created"),
        change(utc(2026, 11, 23, 1, 30), "open", "agent_replied"),
    ]
    policy = make_policy(first_response={"duration": "PT1H", "calendar_id": "cn"})
    deadline = only(compute_deadlines(policy, calendars, facts, history), "first_response")
    assert deadline.completed_at == utc(2026, 11, 23, 1, 30)
    assert deadline.remaining == timedelta(minutes=30) and deadline.breached_at is None


def test_late_completion_shows_as_breached_at_the_due_time(calendars, facts):
    """GIVEN a reply after 3 business hours WHEN first_response (1h) is computed THEN breached at due."""
    history = [change(MONDAY_9AM, "new", "created"), change(utc(2026, 11, 23, 5), "open", "agent_replied")]
    policy = make_policy(first_response={"duration": "PT1H", "calendar_id": "cn"})
    deadline = only(compute_deadlines(policy, calendars, facts, history), "first_response")
    assert deadline.breached_at == utc(2026, 11, 23, 2)


def test_recorded_breach_survives_a_relaxed_policy(calendars, facts):
    """GIVEN a breach recorded at 10:00 under a 1h target WHEN recomputed under a 24h target
    THEN still breached at the recorded time (not un-breached, not back-dated)."""
    history = [change(MONDAY_9AM, "new", "created")]
    policy = make_policy(first_response={"duration": "PT24H", "calendar_id": "cn"})
    recorded = {"first_response#0": utc(2026, 11, 23, 2)}
    deadline = only(compute_deadlines(policy, calendars, facts, history, recorded), "first_response")
    assert deadline.breached_at == utc(2026, 11, 23, 2)
    assert deadline.due_at == utc(2026, 11, 25, 10)  # Wed 18:00 local


def test_next_response_runs_a_cycle_per_customer_message(calendars, facts):
    """GIVEN two customer messages each answered WHEN computed THEN two cycles keyed #0 and #1."""
    history = [
        change(MONDAY_9AM, "new", "created"),
        change(utc(2026, 11, 23, 2), "open", "customer_replied"),
        change(utc(2026, 11, 23, 2, 30), "open", "customer_replied"),  # clock already running
        change(utc(2026, 11, 23, 3), "open", "agent_replied"),
        change(utc(2026, 11, 23, 6), "open", "customer_replied"),
    ]
    policy = make_policy(next_response={"duration": "PT2H", "calendar_id": "cn"})
    cycles = compute_deadlines(policy, calendars, facts, history)
    assert [d.key for d in cycles] == ["next_response#0", "next_response#1"]
    assert cycles[0].started_at == utc(2026, 11, 23, 2) and cycles[0].completed_at == utc(2026, 11, 23, 3)
    assert cycles[1].is_open and cycles[1].due_at == utc(2026, 11, 23, 8)


def test_customer_reply_wait_runs_while_waiting_on_calendar_time(calendars, facts):
    """GIVEN a 3-day calendar-time customer wait that closes the ticket WHEN waiting starts
    THEN due 3 days later and the close falls 1 day after that."""
    policy = make_policy(
        customer_reply_wait={
            "duration": "P3D",
            "clock": "calendar",
            "default_action": {"kind": "close", "after_breach": "P1D"},
        }
    )
    history = [change(MONDAY_9AM, "new", "created"), change(utc(2026, 11, 23, 4), "waiting_customer")]
    deadline = only(compute_deadlines(policy, calendars, facts, history), "customer_reply_wait")
    assert deadline.due_at == utc(2026, 11, 26, 4) and not deadline.paused
    assert deadline.stages[-1].at == utc(2026, 11, 27, 4)


def test_business_days_count_whole_working_days(calendars, facts):
    """GIVEN repair_returned_by_provider in 10 business days, sent Monday 09:00
    WHEN computed THEN due at the end of the 10th working day (Friday next week 18:00)."""
    policy = make_policy(repair_returned_by_provider={"business_days": 10, "calendar_id": "cn"})
    history = [change(MONDAY_9AM, "sent_to_repair", "sent_to_repair")]
    deadline = only(compute_deadlines(policy, calendars, facts, history), "repair_returned_by_provider")
    assert deadline.due_at == utc(2026, 12, 4, 10)


def test_metric_not_started_has_no_deadline(calendars, facts):
    """GIVEN no return received yet WHEN computing inspection_after_receipt THEN no deadline."""
    policy = make_policy(inspection_after_receipt={"duration": "PT48H", "clock": "calendar"})
    assert compute_deadlines(policy, calendars, facts, [change(MONDAY_9AM, "new", "created")]) == []


def test_a_calendar_change_recomputes_consistently(calendars, facts):
    """GIVEN the same history WHEN the calendar gains a holiday on Monday THEN due moves to Tuesday."""
    history = [change(MONDAY_9AM, "new", "created")]
    policy = make_policy(resolution={"duration": "PT8H", "calendar_id": "cn"})
    holiday = calendars["cn"].model_copy(update={"holidays": frozenset({MONDAY_9AM.date()})})
    deadline = only(compute_deadlines(policy, {"cn": holiday}, facts, history), "resolution")
    assert deadline.due_at == utc(2026, 11, 24, 10)


def test_unknown_calendar_at_compute_time_is_not_found(facts):
    """GIVEN a calendar deleted after the policy was saved WHEN computing THEN NotFound."""
    policy = make_policy(resolution={"duration": "PT8H", "calendar_id": "cn"})
    with pytest.raises(NotFound):
        compute_deadlines(policy, {}, facts, [change(MONDAY_9AM, "new", "created")])
