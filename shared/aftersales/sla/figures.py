"""Supervisor figures: pure aggregations over SLA outcomes (one per deadline cycle). The figures the
API serves are read from per-day buckets (figure_days.py); these functions are their meaning over
the outcomes themselves (the property tests' reference)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import ConfigDict

from aftersales.core.model import DomainModel

_Frozen = ConfigDict(frozen=True, extra="forbid")


class SlaOutcome(DomainModel):
    """A deadline as the reports see it, with who was responsible."""

    model_config = _Frozen
    tenant_id: str
    ticket_id: str
    metric: str
    ticket_type: str
    customer_tier: str
    channel: str
    agent_id: str | None = None
    team_id: str | None = None
    started_at: datetime
    due_at: datetime | None = None
    completed_at: datetime | None = None
    breached_at: datetime | None = None

    @property
    def decided_at(self) -> datetime | None:
        """When the outcome became known: the breach, or else the completion in time."""
        return self.breached_at or self.completed_at

    @property
    def handling_time(self) -> timedelta | None:
        return None if self.completed_at is None else self.completed_at - self.started_at


class DailyTimeouts(DomainModel):
    model_config = _Frozen
    day: date
    metric: str
    breaches: int


class ResponsibleFigures(DomainModel):
    model_config = _Frozen
    responsible_id: str
    breaches: int
    completed: int
    total_handling_time: timedelta

    @property
    def mean_handling_time(self) -> timedelta | None:
        return self.total_handling_time / self.completed if self.completed else None


class ComplianceFigures(DomainModel):
    model_config = _Frozen
    ticket_type: str
    customer_tier: str
    channel: str
    metric: str
    met: int
    breached: int

    @property
    def compliance_rate(self) -> float:
        return self.met / (self.met + self.breached)


def daily_timeouts(outcomes: Iterable[SlaOutcome], timezone: str) -> list[DailyTimeouts]:
    """Breaches per local day (in the supervisor's zone) and metric, by day then metric."""
    zone = ZoneInfo(timezone)
    counts: dict[tuple[date, str], int] = defaultdict(int)
    for outcome in outcomes:
        if outcome.breached_at is not None:
            counts[(outcome.breached_at.astimezone(zone).date(), outcome.metric)] += 1
    return [DailyTimeouts(day=day, metric=metric, breaches=n) for (day, metric), n in sorted(counts.items())]


def responsible_ranking(
    outcomes: Iterable[SlaOutcome], by: Literal["agent", "team"]
) -> list[ResponsibleFigures]:
    """Agents or teams, most breaches first, then the longest mean handling time, then by id."""
    breaches: dict[str, int] = defaultdict(int)
    completed: dict[str, int] = defaultdict(int)
    handling: dict[str, timedelta] = defaultdict(timedelta)
    for outcome in outcomes:
        responsible = outcome.agent_id if by == "agent" else outcome.team_id
        if responsible is None:
            continue
        breaches[responsible] += outcome.breached_at is not None
        if outcome.handling_time is not None:
            completed[responsible] += 1
            handling[responsible] += outcome.handling_time
    return ranked([
        ResponsibleFigures(
            responsible_id=r, breaches=breaches[r], completed=completed[r], total_handling_time=handling[r]
        )
        for r in breaches
    ])


def ranked(figures: Iterable[ResponsibleFigures]) -> list[ResponsibleFigures]:
    """Most breaches first, then the longest mean handling time, then by id."""
    return sorted(
        figures, key=lambda f: (-f.breaches, -(f.mean_handling_time or timedelta(0)), f.responsible_id)
    )


def compliance(
    outcomes: Iterable[SlaOutcome], first_day: date, last_day: date, timezone: str
) -> list[ComplianceFigures]:
    """Met vs breached per type × tier × channel × metric, for outcomes decided within the local
    days [first_day, last_day]. Open deadlines not yet breached are not counted."""
    zone = ZoneInfo(timezone)
    met: dict[tuple[str, str, str, str], int] = defaultdict(int)
    breached: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for outcome in outcomes:
        decided = outcome.decided_at
        if decided is None or not first_day <= decided.astimezone(zone).date() <= last_day:
            continue
        group = (outcome.ticket_type, outcome.customer_tier, outcome.channel, outcome.metric)
        met[group] += outcome.breached_at is None
        breached[group] += outcome.breached_at is not None
    return [
        ComplianceFigures(
            ticket_type=g[0], customer_tier=g[1], channel=g[2], metric=g[3], met=met[g], breached=breached[g]
        )
        for g in sorted(met)
    ]
