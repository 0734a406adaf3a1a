"""Deadlines derived from a ticket's status history.

Deadlines are never stored as the truth: they are recomputed from (policy, calendars, history),
so a changed policy or calendar gives every open ticket consistent deadlines. Only recorded
breaches are taken as input, because a breach, once recorded, stands.

Every stage of a deadline is a threshold of clock time used while the clock ran: a reminder at
f × budget, the breach at the budget, escalations and the default action at budget + after_breach.
Pauses therefore shift all later stages alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from pydantic import AwareDatetime, ConfigDict, field_validator

from aftersales.core.errors import NotFound
from aftersales.core.model import DomainModel
from aftersales.sla.calendar import BusinessCalendar, add_business_time, business_time_between
from aftersales.sla.policy import DefaultAction, MetricClock, SlaPolicy, Target, TicketFacts

_Frozen = ConfigDict(frozen=True, extra="forbid")

BREACH_STAGE = "breach"
DEFAULT_ACTION_STAGE = "default_action"


class StatusChange(DomainModel):
    """One entry of the ticket history: the status from `at` on, and what happened."""

    model_config = _Frozen
    at: AwareDatetime
    status: str
    event: str | None = None

    @field_validator("at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @property
    def names(self) -> frozenset[str]:
        return frozenset({self.status} if self.event is None else {self.status, self.event})


class Stage(DomainModel):
    """A moment of a deadline that calls for an action. `at` is None while paused short of it."""

    model_config = _Frozen
    name: str
    kind: Literal["reminder", "breach", "escalate", "default_action"]
    at: datetime | None
    fraction: float | None = None
    level: int | None = None
    to_role: str | None = None
    default_action: DefaultAction | None = None


class Deadline(DomainModel):
    model_config = _Frozen
    tenant_id: str
    ticket_id: str
    metric: str
    cycle: int
    started_at: datetime
    budget: timedelta
    due_at: datetime | None
    reminder_at: tuple[datetime, ...]
    paused: bool
    remaining: timedelta | None  # budget left (negative when over) once paused or completed
    completed_at: datetime | None
    breached_at: datetime | None
    stages: tuple[Stage, ...]

    @property
    def key(self) -> str:
        """Stable per ticket: the metric and, for repeating metrics, which cycle."""
        return f"{self.metric}#{self.cycle}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None


class _Meter(Protocol):
    def between(self, a: datetime, b: datetime) -> timedelta: ...

    def add(self, start: datetime, duration: timedelta) -> datetime: ...


class _ElapsedMeter:
    def between(self, a: datetime, b: datetime) -> timedelta:
        return b - a

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return start + duration


@dataclass(frozen=True)
class _BusinessMeter:
    calendar: BusinessCalendar

    def between(self, a: datetime, b: datetime) -> timedelta:
        return business_time_between(self.calendar, a, b)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return add_business_time(self.calendar, start, duration)


@dataclass
class _Cycle:
    """One run of a metric's clock: the stretches it ran, the last one possibly still open."""

    started_at: datetime
    running: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    completed_at: datetime | None = None

    @property
    def is_running(self) -> bool:
        return bool(self.running) and self.running[-1][1] is None

    def pause(self, at: datetime) -> None:
        if self.is_running:
            self.running[-1] = (self.running[-1][0], at)

    def resume(self, at: datetime) -> None:
        if not self.is_running:
            self.running.append((at, None))


def _cycles(clock: MetricClock, history: Sequence[StatusChange]) -> list[_Cycle]:
    done: list[_Cycle] = []
    current: _Cycle | None = None
    for change in sorted(history, key=lambda c: c.at):
        paused = change.status in clock.pauses_in
        if current is not None and change.names & clock.stops_on:
            current.pause(change.at)
            current.completed_at = change.at
            done.append(current)
            current = None
        elif current is not None and paused:
            current.pause(change.at)
        elif current is not None:
            current.resume(change.at)
        if current is None and change.names & clock.starts_on and (clock.repeats or not done):
            current = _Cycle(started_at=change.at)
            if not paused:
                current.resume(change.at)
    return done if current is None else [*done, current]


def _instant_when_used(meter: _Meter, cycle: _Cycle, threshold: timedelta) -> datetime | None:
    """When the clock had run for `threshold`; None if it has not, and is not running."""
    used = timedelta(0)
    for start, end in cycle.running:
        if end is None:
            return meter.add(start, threshold - used)
        stretch = meter.between(start, end)
        if used + stretch >= threshold:
            return meter.add(start, threshold - used)
        used += stretch
    return None


def _used(meter: _Meter, cycle: _Cycle) -> timedelta:
    return sum((meter.between(start, end) for start, end in cycle.running if end is not None), timedelta(0))


def _stages(
    target: Target, budget: timedelta, reached: Callable[[timedelta], datetime | None]
) -> Iterator[Stage]:
    for fraction in target.reminders:
        yield Stage(
            name=f"reminder:{fraction}", kind="reminder", fraction=fraction, at=reached(budget * fraction)
        )
    yield Stage(name=BREACH_STAGE, kind="breach", at=reached(budget))
    for escalation in target.escalations:
        yield Stage(
            name=f"escalation:{escalation.level}",
            kind="escalate",
            level=escalation.level,
            to_role=escalation.to_role,
            at=reached(budget + escalation.after_breach),
        )
    if target.default_action is not None:
        yield Stage(
            name=DEFAULT_ACTION_STAGE,
            kind="default_action",
            default_action=target.default_action,
            at=reached(budget + target.default_action.after_breach),
        )


def _meter_and_budget(target: Target, calendars: Mapping[str, BusinessCalendar]) -> tuple[_Meter, timedelta]:
    if target.calendar_id is None:
        meter: _Meter = _ElapsedMeter()
        business_day = timedelta(days=1)
    else:
        calendar = calendars.get(target.calendar_id)
        if calendar is None:
            raise NotFound("sla.calendar_not_found", calendar_id=target.calendar_id)
        meter, business_day = _BusinessMeter(calendar), calendar.standard_day()
    # The target validates that exactly one of duration and business_days is set.
    return meter, target.duration or business_day * (target.business_days or 0)


def _deadline(
    facts: TicketFacts,
    metric: str,
    target: Target,
    meter: _Meter,
    budget: timedelta,
    number: int,
    cycle: _Cycle,
    recorded_breach: datetime | None,
) -> Deadline:
    def reached(threshold: timedelta) -> datetime | None:
        return _instant_when_used(meter, cycle, threshold)

    due_at = reached(budget)
    completed_late = cycle.completed_at is not None and due_at is not None and due_at < cycle.completed_at
    return Deadline(
        tenant_id=facts.tenant_id,
        ticket_id=facts.ticket_id,
        metric=metric,
        cycle=number,
        started_at=cycle.started_at,
        budget=budget,
        due_at=due_at,
        reminder_at=tuple(t for f in target.reminders if (t := reached(budget * f)) is not None),
        paused=cycle.completed_at is None and not cycle.is_running,
        remaining=None if cycle.is_running else budget - _used(meter, cycle),
        completed_at=cycle.completed_at,
        breached_at=recorded_breach or (due_at if completed_late else None),
        stages=tuple(_stages(target, budget, reached)),
    )


def compute_deadlines(
    policy: SlaPolicy,
    calendars: Mapping[str, BusinessCalendar],
    ticket_facts: TicketFacts,
    history: Sequence[StatusChange],
    recorded_breaches: Mapping[str, datetime] | None = None,
) -> list[Deadline]:
    """Every deadline cycle of the ticket under `policy`, oldest first per metric.

    `recorded_breaches` maps Deadline.key to the breach time already stored; it is kept as is.
    """
    recorded = recorded_breaches or {}
    deadlines = []
    for metric, clock in policy.metric_clocks.items():
        target = policy.target_for(ticket_facts, metric)
        if target is None:
            continue
        meter, budget = _meter_and_budget(target, calendars)
        for number, cycle in enumerate(_cycles(clock, history)):
            deadlines.append(
                _deadline(
                    ticket_facts,
                    metric,
                    target,
                    meter,
                    budget,
                    number,
                    cycle,
                    recorded.get(f"{metric}#{number}"),
                )
            )
    return deadlines
