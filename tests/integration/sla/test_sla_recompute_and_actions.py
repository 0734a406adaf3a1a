"""SLA under moto: the recompute trigger (policy/calendar item stream), paged recomputes, shift
calendars in dispatch, the coupon and close default actions, and a sweep-schedule property."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.core.errors import DomainError
from aftersales.tickets.model import Status
from tests.support.sla import stream_record

EIGHT_HOURS = {"duration": "PT8H", "clock": "calendar"}
COUPON = {**EIGHT_HOURS, "reminders": [0.75],
          "escalations": [{"level": 1, "to_role": "supervisor"},
                          {"level": 2, "to_role": "regional_lead", "after_breach": "PT2H"}],
          "default_action": {"kind": "issue_compensation_coupon", "value": {"amount": 1000, "currency": "CNY"},
                             "after_breach": "PT4H"}}


def _save(sla, targets: dict, ticket_type: str = "return_refund") -> None:
    sla.svc.sla.save_policy("acme", {"rules": [
        {"rule_id": "r", "match": {"ticket_type": ticket_type}, "targets": targets}]})


def _for(sla, kind: str, ticket_id: str) -> list[dict]:
    return [d for d in sla.notified(kind) if d["ticket_id"] == ticket_id]


# ---------------------------------------------------------------------- the recompute trigger
def test_the_policy_write_itself_triggers_the_recompute_even_when_the_bus_is_down(sla):
    """GIVEN an open ticket under an 8 h target, and EventBridge failing
    WHEN the policy is tightened to 2 h
    THEN the save succeeds without touching the bus; the policy item's stream record enqueues the
    recompute before announcing, fails on the announcement and is retried by the stream; the ticket
    ends up recomputed under the new policy and `sla.policy_changed` is announced once."""
    sla.put_policy(EIGHT_HOURS)
    ticket_id = sla.open_ticket()
    sla.notifier.events.clear()
    real_publish = sla.notifier.publish

    def down(source, detail_type, detail):
        raise DomainError("error.event_publish_failed", detail_type=detail_type)

    sla.notifier.publish = down
    _save(sla, {"resolution": {"duration": "PT2H", "clock": "calendar"}})
    assert sla.svc.sla.policy("acme").version == 2 and sla.pages.messages == []
    with pytest.raises(BatchProcessingError):  # the whole batch failed: the stream retries it
        sla.deliver_stream(sla.tracker, [stream_record("acme", "POLICY")])
    assert len(sla.pages.messages) == 1  # the recompute is already on its way
    sla.notifier.publish = real_publish
    assert sla.deliver_stream(sla.tracker, [stream_record("acme", "POLICY")]) == {"batchItemFailures": []}
    assert sla.drain_pages() == 2  # the retry enqueued the first page again: harmless, idempotent
    assert sla.deadline(ticket_id).deadline.budget == timedelta(hours=2)
    assert sla.notified("sla.policy_changed") == [{"tenant_id": "acme", "version": 2}]


def test_a_calendar_write_recomputes_only_when_a_policy_exists(sla):
    """GIVEN no policy WHEN a calendar is saved THEN its stream record starts nothing; GIVEN a policy
    WHEN a calendar is saved THEN a recompute starts and the announcement names the calendar."""
    cal = {"timezone": "Asia/Shanghai", "weekly_hours": {"mon": [{"start": "09:00", "end": "18:00"}]}}
    sla.svc.sla.save_calendar("acme", "cn", cal)
    sla.policy_changed("CAL#cn")
    assert sla.notified("sla.policy_changed") == []
    sla.put_policy(EIGHT_HOURS)
    sla.svc.sla.save_calendar("acme", "cn", cal)
    sla.policy_changed("CAL#cn")
    assert sla.notified("sla.policy_changed")[-1] == {"tenant_id": "acme", "version": 1, "calendar_id": "cn"}


@pytest.mark.parametrize("sla_page_size", [2])
def test_recompute_after_a_policy_change_goes_page_by_page(sla):
    """GIVEN five open tickets and a page size of 2
    WHEN the policy changes
    THEN the tracker recomputes them in three messages (2 + 2 + 1), each enqueueing the next page
    with its cursor, and every open ticket ends up under the new policy."""
    sla.put_policy(EIGHT_HOURS)
    tickets = [sla.open_ticket() for _ in range(5)]
    _save(sla, {"resolution": {"duration": "PT3H", "clock": "calendar"}})
    sla.deliver_stream(sla.tracker, [stream_record("acme", "POLICY")])
    first = sla.pages.messages[0]["detail"]
    assert first == {"tenant_id": "acme", "cursor": None}
    counts = []
    while sla.pages.messages:
        detail = sla.pages.messages.pop(0)["detail"]
        counts.append(sla.svc.sla.recompute_page(detail["tenant_id"], detail["cursor"]))
    assert [n for n, _next in counts] == [2, 2, 1] and counts[-1][1] is None
    assert all(sla.deadline(t).deadline.budget == timedelta(hours=3) for t in tickets)


# ---------------------------------------------------------------------- dispatch: shift calendars
def test_agents_with_a_shift_calendar_are_picked_only_on_shift(sla):
    """GIVEN the only online agent works a Shanghai day shift (09:00-18:00 on weekdays)
    WHEN a ticket arrives at 10:00 and another at 20:00 local time
    THEN the first goes to that agent, the second stays unassigned (no agent on shift)."""
    from aftersales.dispatch.model import Agent

    dispatch = sla.svc.dispatch
    for agent_id, supervisor in (("agent-1", False), ("agent-2", False), ("sup-1", True), ("lead-1", True)):
        dispatch.put_agent("acme", Agent(agent_id=agent_id, team_id="returns", max_open=5, availability="offline",
                                         supervisor=supervisor), frozenset())
    day = {"mon", "tue", "wed", "thu", "fri"}
    sla.svc.sla.save_calendar("acme", "day-shift", {
        "timezone": "Asia/Shanghai", "weekly_hours": {d: [{"start": "09:00", "end": "18:00"}] for d in day}})
    dispatch.put_agent("acme", Agent(agent_id="shift-1", team_id="returns", max_open=5, availability="online",
                                     shift_calendar_id="day-shift"), frozenset())
    sla.clock.advance(hours=1)  # 10:00 in Shanghai
    on_shift = sla.open_ticket()
    assert sla.svc.tickets.get("acme", on_shift, sla.supervisor).assignee_id == "shift-1"
    sla.clock.advance(hours=10)  # 20:00
    ticket = sla.svc.tickets.get("acme", sla.open_ticket(), sla.supervisor)
    assert ticket.assignee_id is None
    decision = dispatch.decide("acme", ticket)
    assert decision.reason_code == "no_available_agent"


# ---------------------------------------------------------------------- default actions
def test_compensation_coupon_is_requested_once_on_the_second_breach(sla):
    """GIVEN an 8 h target whose default action is a 10 CNY coupon 4 h after the breach
    WHEN the sweep runs at 12 h and again later
    THEN one `sla.compensation_coupon_requested` goes out with the value and the customer, the
    audit chain records the default action, and the ticket's status is unchanged."""
    _save(sla, {"resolution": COUPON})
    sla.policy_changed()
    ticket_id = sla.open_ticket()
    sla.clock.advance(hours=12, minutes=1)
    sla.sweep(ticket_id)
    sla.clock.advance(hours=3)
    sla.sweep(ticket_id)
    (coupon,) = _for(sla, "sla.compensation_coupon_requested", ticket_id)
    assert coupon["value"] == {"amount": 1000, "currency": "CNY"} and coupon["customer_id"]
    assert coupon["idempotency_key"].endswith("#resolution#0#default_action")
    assert [d["outcome"] for d in _for(sla, "sla.default_action", ticket_id)] == ["coupon_requested"]
    entries = [e for e in sla.svc.tickets.audit("acme", ticket_id, sla.supervisor)
               if e.event == "ticket.sla_default_action"]
    assert len(entries) == 1 and entries[0].data["outcome"] == "coupon_requested"
    assert sla.svc.tickets.get("acme", ticket_id, sla.supervisor).status == Status.SUBMITTED


def test_close_default_action_closes_when_allowed_and_is_recorded_as_skipped_otherwise(sla):
    """GIVEN complaints: customer replies awaited at most 48 h, then closed 24 h after that breach;
    resolution 8 h, then closed 1 h after the breach
    WHEN one complaint waits on the customer for 73 h and another stays submitted for 10 h
    THEN the waiting one is closed by the system (a `ticket.closed` entry), while the submitted one
    cannot be closed from its status: the default action is recorded as skipped, the ticket stays."""
    close_after = lambda hours: {"kind": "close", "after_breach": f"PT{hours}H"}  # noqa: E731
    _save(sla, {"customer_reply_wait": {"duration": "PT48H", "clock": "calendar",
                                        "default_action": close_after(24)},
                "resolution": {**EIGHT_HOURS, "default_action": close_after(1)}}, ticket_type="complaint")
    sla.policy_changed()
    submitted = sla.open_ticket("complaint")
    waiting = sla.open_ticket("complaint")
    sla.svc.tickets.transition("acme", waiting, Status.INVESTIGATING, sla.store_front)
    sla.svc.tickets.transition("acme", waiting, Status.WAITING_CUSTOMER, sla.agent)
    sla.pump(waiting)
    sla.clock.advance(hours=10)
    sla.sweep(submitted)
    skipped = [e for e in sla.svc.tickets.audit("acme", submitted, sla.supervisor)
               if e.event == "ticket.sla_default_action"]
    assert [e.data["outcome"] for e in skipped] == ["skipped"]
    assert sla.svc.tickets.get("acme", submitted, sla.supervisor).status == Status.SUBMITTED
    sla.clock.advance(hours=63)
    sla.sweep(waiting)
    ticket = sla.svc.tickets.get("acme", waiting, sla.supervisor)
    assert ticket.status == Status.CLOSED
    closed = [e for e in sla.svc.tickets.audit("acme", waiting, sla.supervisor) if e.event == "ticket.closed"]
    assert closed[0].actor_role == "system" and "sla default action: closed" in closed[0].reason
    assert [(d["metric"], d["outcome"]) for d in _for(sla, "sla.default_action", waiting)] == [
        ("customer_reply_wait", "closed")]


# ---------------------------------------------------------------------- property
SWEEPS = st.lists(st.tuples(st.integers(min_value=1, max_value=300), st.integers(min_value=0, max_value=4)),
                  min_size=1, max_size=5)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sweeps=SWEEPS)
def test_any_schedule_of_late_or_rewound_sweeps_fires_each_stage_exactly_once(sla, sweeps):
    """GIVEN a ticket under the coupon policy (reminder, breach, two escalations, default action)
    WHEN sweeps run at random intervals (1-300 min), some after the cursor was rewound by up to 4 h
    (a crashed or overlapping run), and finally once after the last stage is due
    THEN the DynamoDB claims let every stage act at most once, and breach, both escalations and the
    default action exactly once."""
    if sla.svc.sla_tables.deadlines.policy_for("acme") is None:
        _save(sla, {"resolution": COUPON})
        sla.policy_changed()
    ticket_id = sla.open_ticket()
    opened = sla.clock.now()
    for minutes, rewind_hours in sweeps:
        sla.clock.advance(minutes=minutes)
        if rewind_hours:  # back to before the last sweep, as after a crashed run
            last = sla.svc.sla_tables.deadlines.last_swept() or sla.clock.now()
            sla.svc.sla_tables.deadlines.set_last_swept(min(last, sla.clock.now()) - timedelta(hours=rewind_hours))
        sla.sweep(ticket_id)
    sla.clock.set(max(sla.clock.now(), opened + timedelta(hours=12)) + timedelta(minutes=5))
    sla.sweep(ticket_id)
    stages = [d["stage"] for kind in ("sla.reminder", "sla.breached", "sla.escalated", "sla.default_action")
              for d in _for(sla, kind, ticket_id)]
    assert len(stages) == len(set(stages)), stages
    assert {"breach", "escalation:1", "escalation:2", "default_action"} <= set(stages)
    assert len(_for(sla, "sla.compensation_coupon_requested", ticket_id)) == 1
    assert sla.audit_events(ticket_id).count("ticket.sla_breached") == 1
