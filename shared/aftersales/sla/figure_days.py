"""The supervisor figures as a projection: each SLA outcome's contribution to the bucket of its local
day (the tenant's zone, as the analytics buckets), kept where the outcome is saved, and the figures
read back from a range of day buckets. Pure: no I/O.

An outcome counts in the day it was decided (its breach, else its completion in time): a breach is
a timeout of that day, and ranking and compliance count the outcomes decided in the range — the
meaning of `daily_timeouts`, `responsible_ranking` and `compliance` in figures.py, which stay the
reference over outcomes. A bucket is flat counters, one name per figure:

  t|<metric>                              breaches (daily timeouts)
  ab|<agent>  ac|<agent>  ah|<agent>      an agent's breaches, completions, handling microseconds
  gb|<team>   gc|<team>   gh|<team>       a team's
  cm|<type>|<tier>|<channel>|<metric>     compliance: met (decided without a breach)
  cb|<type>|<tier>|<channel>|<metric>     compliance: breached

Parts are escaped (`%`, `|`) so any id stays one part. An outcome saved again moves from what it
contributed to what it contributes now (`bucket_delta`); counters that fall to zero count nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, Literal, TypeVar
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from pydantic import ConfigDict

from aftersales.core.model import DomainModel
from aftersales.sla.figures import ComplianceFigures, DailyTimeouts, ResponsibleFigures, SlaOutcome, ranked

MICROSECOND = timedelta(microseconds=1)
_RESPONSIBLE = {"agent": "a", "team": "g"}
T = TypeVar("T")


class Contribution(DomainModel):
    """What one outcome adds to the bucket of its day; an open outcome (not decided) adds nothing."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    day: date | None = None
    counts: dict[str, int] = {}


@dataclass(frozen=True)
class DayBucket:
    """One local day's counters, as read."""

    day: date
    counts: Mapping[str, int]


@dataclass(frozen=True)
class ZonedFigures(Generic[T]):
    """Figures of a range of local days, with the zone of those days (the tenant's)."""

    zone: str
    items: list[T]


def counter(kind: str, *parts: str) -> str:
    return "|".join((kind, *(p.replace("%", "%25").replace("|", "%7C") for p in parts)))


def _parts(name: str) -> tuple[str, list[str]]:
    kind, *parts = name.split("|")
    return kind, [unquote(p) for p in parts]


def contribution(outcome: SlaOutcome, zone: ZoneInfo) -> Contribution:
    decided = outcome.decided_at
    if decided is None:
        return Contribution()
    breached = outcome.breached_at is not None
    handling = outcome.handling_time
    counts: dict[str, int] = defaultdict(int)
    if breached:
        counts[counter("t", outcome.metric)] += 1
    for prefix, responsible in (("a", outcome.agent_id), ("g", outcome.team_id)):
        if responsible is None:
            continue
        if breached:
            counts[counter(prefix + "b", responsible)] += 1
        if handling is not None:
            counts[counter(prefix + "c", responsible)] += 1
            counts[counter(prefix + "h", responsible)] += handling // MICROSECOND
    group = (outcome.ticket_type, outcome.customer_tier, outcome.channel, outcome.metric)
    counts[counter("cb" if breached else "cm", *group)] += 1
    return Contribution(day=decided.astimezone(zone).date(), counts=dict(counts))


def bucket_delta(old: Contribution | None, new: Contribution) -> dict[date, dict[str, int]]:
    """The change of each day's counters when an outcome that contributed `old` (None: never
    counted) now contributes `new`; days and counters that do not change are left out."""
    change: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sign, part in ((-1, old), (1, new)):
        if part is not None and part.day is not None:
            for name, n in part.counts.items():
                change[part.day][name] += sign * n
    return {day: kept for day, counts in change.items() if (kept := {k: n for k, n in counts.items() if n})}


def timeouts_of(buckets: Iterable[DayBucket]) -> list[DailyTimeouts]:
    """Breaches per day and metric, by day then metric."""
    counts: dict[tuple[date, str], int] = defaultdict(int)
    for bucket in buckets:
        for name, n in bucket.counts.items():
            kind, parts = _parts(name)
            if kind == "t":
                counts[(bucket.day, parts[0])] += n
    return [DailyTimeouts(day=day, metric=metric, breaches=n) for (day, metric), n in sorted(counts.items()) if n]


def ranking_of(buckets: Iterable[DayBucket], by: Literal["agent", "team"]) -> list[ResponsibleFigures]:
    """Agents or teams with an outcome decided in the buckets' days, ranked as `responsible_ranking`."""
    prefix = _RESPONSIBLE[by]
    totals: dict[str, dict[str, int]] = defaultdict(lambda: {"b": 0, "c": 0, "h": 0})
    for bucket in buckets:
        for name, n in bucket.counts.items():
            kind, parts = _parts(name)
            if len(kind) == 2 and kind[0] == prefix and kind[1] in "bch":
                totals[parts[0]][kind[1]] += n
    return ranked([ResponsibleFigures(responsible_id=r, breaches=t["b"], completed=t["c"],
                                      total_handling_time=t["h"] * MICROSECOND)
                   for r, t in totals.items() if t["b"] or t["c"]])


def compliance_of(buckets: Iterable[DayBucket]) -> list[ComplianceFigures]:
    """Met vs breached per type × tier × channel × metric over the buckets' days, by group."""
    totals: dict[tuple[str, ...], dict[str, int]] = defaultdict(lambda: {"cm": 0, "cb": 0})
    for bucket in buckets:
        for name, n in bucket.counts.items():
            kind, parts = _parts(name)
            if kind in ("cm", "cb"):
                totals[tuple(parts)][kind] += n
    return [ComplianceFigures(ticket_type=g[0], customer_tier=g[1], channel=g[2], metric=g[3], met=t["cm"],
                              breached=t["cb"])
            for g, t in sorted(totals.items()) if t["cm"] or t["cb"]]
