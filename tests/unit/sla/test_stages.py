"""Staged handling: each reminder, escalation and default action fires exactly once."""

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from aftersales.sla.deadlines import StatusChange, compute_deadlines
from aftersales.sla.due_index import buckets_between, due_bucket, index_bucket
from aftersales.sla.policy import SlaPolicy
from aftersales.sla.stages import (
    DeadlineState,
    carry_over,
    due_actions,
    next_due_at,
    record_fired,
    recorded_breaches,
)
from tests.support.sla import utc

CREATED = utc(2026, 11, 23, 1)  # Monday 09:00 Shanghai
TARGET = {
    "duration": "PT8H",
    "calendar_id": "cn",
    "reminders": [0.5, 0.75],
    "escalations": [
        {"level": 1, "to_role": "supervisor"},
        {"level": 2, "to_role": "regional_lead", "after_breach": "PT2H"},
    ],
    "default_action": {
        "kind": "issue_compensation_coupon",
        "after_breach": "PT4H",
        "value": {"amount": 1000, "currency": "CNY"},
    },
}


def fresh_state(calendars, facts, target=TARGET) -> DeadlineState:
    policy = SlaPolicy.model_validate(
        {"tenant_id": "t1", "rules": [{"rule_id": "all", "targets": {"resolution": target}}]}
    )
    [deadline] = compute_deadlines(
        policy, calendars, facts, [StatusChange(at=CREATED, status="new", event="created")]
    )
    return DeadlineState(deadline=deadline)


def sweep(state, now):
    actions = due_actions(state, now)
    return record_fired(state, actions), actions


def test_timely_sweeps_fire_every_stage_in_order(calendars, facts):
    """GIVEN sweeps just after each stage WHEN swept THEN every stage fires once, in order."""
    state, fired = fresh_state(calendars, facts), []
    for stage in state.deadline.stages:
        state, actions = sweep(state, stage.at + timedelta(seconds=1))
        fired += [a.stage.name for a in actions]
    assert fired == [
        "reminder:0.5",
        "reminder:0.75",
        "breach",
        "escalation:1",
        "escalation:2",
        "default_action",
    ]
    assert state.deadline.breached_at == state.deadline.due_at
    assert next_due_at(state) is None


def test_a_late_sweep_skips_stale_reminders_and_catches_up_escalations(calendars, facts):
    """GIVEN no sweep until well after the second breach WHEN swept THEN breach, both levels and
    the coupon, no reminders; a repeat sweep returns nothing."""
    state = fresh_state(calendars, facts)
    state, actions = sweep(state, utc(2026, 11, 30))
    assert [a.stage.name for a in actions] == ["breach", "escalation:1", "escalation:2", "default_action"]
    assert actions[-1].stage.default_action.value.amount == 1000
    assert due_actions(state, utc(2026, 12, 30)) == []


def test_idempotency_keys_name_ticket_metric_cycle_and_stage(calendars, facts):
    """GIVEN a due reminder WHEN swept THEN its key is tenant#ticket#metric#cycle#stage."""
    [action] = due_actions(fresh_state(calendars, facts), utc(2026, 11, 23, 6))
    assert action.idempotency_key == "t1#tkt_1#resolution#0#reminder:0.5"


def test_completed_deadline_fires_nothing(calendars, facts):
    """GIVEN a resolved ticket WHEN swept after its due time THEN no actions and no index entry."""
    state = fresh_state(calendars, facts)
    done = state.model_copy(update={"deadline": state.deadline.model_copy(update={"completed_at": CREATED})})
    assert due_actions(done, utc(2026, 12, 1)) == [] and next_due_at(done) is None


def test_recompute_keeps_fired_stages_and_the_recorded_breach(calendars, facts):
    """GIVEN a breached state WHEN the policy relaxes to 40h and deadlines are recomputed
    THEN the breach stands and no breach or level 1 fires again; level 2 waits for its new time."""
    state, _ = sweep(fresh_state(calendars, facts), utc(2026, 11, 23, 10, 1))
    relaxed = fresh_state(calendars, facts, TARGET | {"duration": "PT40H"})
    policy = SlaPolicy.model_validate(
        {
            "tenant_id": "t1",
            "rules": [{"rule_id": "all", "targets": {"resolution": TARGET | {"duration": "PT40H"}}}],
        }
    )
    deadlines = compute_deadlines(
        policy,
        calendars,
        facts,
        [StatusChange(at=CREATED, status="new", event="created")],
        recorded_breaches([state]),
    )
    [new_state] = carry_over({state.deadline.key: state}, deadlines)
    assert new_state.deadline.breached_at == utc(2026, 11, 23, 10)
    assert new_state.deadline.due_at == relaxed.deadline.due_at
    assert due_actions(new_state, relaxed.deadline.due_at + timedelta(minutes=1)) == []
    level_2 = next(s for s in new_state.deadline.stages if s.name == "escalation:2")
    assert [a.stage.name for a in due_actions(new_state, level_2.at)] == ["escalation:2"]


@given(st.lists(st.integers(min_value=0, max_value=60 * 24 * 10), max_size=30))
def test_random_sweeps_never_fire_a_stage_twice(calendars, facts, offsets):
    """GIVEN sweeps at random, repeated and out-of-order times WHEN each result is recorded
    THEN no stage fires twice and nothing fires before its time."""
    state, seen = fresh_state(calendars, facts), []
    for minutes in offsets:
        now = CREATED + timedelta(minutes=minutes)
        state, actions = sweep(state, now)
        assert all(a.stage.at <= now for a in actions)
        seen += [a.idempotency_key for a in actions]
    assert len(seen) == len(set(seen))


def test_due_bucket_floors_to_five_minutes():
    """GIVEN 10:07:59Z WHEN bucketed THEN "2026-11-26T10:05"; by the minute "2026-11-26T10:07"."""
    assert due_bucket(utc(2026, 11, 26, 10, 7, 59)) == "2026-11-26T10:05"
    assert due_bucket(utc(2026, 11, 26, 10, 7, 59), minutes=1) == "2026-11-26T10:07"


def test_buckets_between_includes_the_last_swept_bucket_through_now():
    """GIVEN a last sweep at 23:58 and now 00:11 WHEN listing THEN 23:55 through 00:10 across midnight."""
    assert buckets_between(utc(2026, 11, 25, 23, 58), utc(2026, 11, 26, 0, 11)) == [
        "2026-11-25T23:55",
        "2026-11-26T00:00",
        "2026-11-26T00:05",
        "2026-11-26T00:10",
    ]


def test_overdue_items_are_indexed_in_the_current_bucket():
    """GIVEN a stage already overdue after a recompute WHEN indexed THEN the current bucket."""
    assert index_bucket(utc(2026, 11, 20), utc(2026, 11, 26, 10, 2)) == "2026-11-26T10:00"
    assert index_bucket(utc(2026, 11, 27), utc(2026, 11, 26)) == "2026-11-27T00:00"


@given(st.datetimes(timezones=st.just(utc(2026, 1, 1).tzinfo)), st.integers(min_value=0, max_value=600))
def test_every_due_item_lies_in_a_swept_bucket(last_swept, minutes):
    """GIVEN any due time between the last sweep and now WHEN swept THEN its bucket is read."""
    now = last_swept + timedelta(minutes=minutes)
    due = last_swept + (now - last_swept) / 2
    assert due_bucket(due) in buckets_between(last_swept, now)
