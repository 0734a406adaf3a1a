"""Dashboard reads: a day or month range of the live buckets in one Query for the counters and one
for the sketches (paged by the store), merged here — never one request per day or dimension."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from aftersales.analytics.model import AMOUNTS, METRICS
from aftersales.analytics.ports import AnalyticsStore, Bucket
from aftersales.analytics.sketch import DurationSketch
from aftersales.core.errors import InvalidRequest

MAX_MONTHS = 13
QUANTILES = (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))


@dataclass(frozen=True)
class Range:
    grain: str  # day | month
    first: str
    last: str


def months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def validate_range(grain: str, first: str, last: str) -> Range:
    """`first`..`last` are days (YYYY-MM-DD) for grain day, months (YYYY-MM) for grain month; the
    range spans at most 13 calendar months. InvalidRequest names the query field at fault."""
    if grain not in ("day", "month"):
        raise InvalidRequest("analytics.bad_grain", field="query.grain", grain=grain)
    parsed = []
    for name, value in (("from", first), ("to", last)):
        try:
            parsed.append(date.fromisoformat(value if grain == "day" else f"{value}-01"))
            if grain == "month" and len(value) != 7:
                raise ValueError(value)
        except ValueError:
            raise InvalidRequest("analytics.bad_period", field=f"query.{name}", value=value, grain=grain) from None
    if parsed[1] < parsed[0]:
        raise InvalidRequest("analytics.range_reversed", field="query.to")
    if months_between(parsed[0], parsed[1]) > MAX_MONTHS:
        raise InvalidRequest("analytics.range_too_long", field="query.to", max_months=MAX_MONTHS)
    return Range(grain, first, last)


@dataclass
class Summary:
    range: Range
    counts: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)  # metric -> dim -> value -> n
    # metric (refunds, repair_costs) -> dim -> value -> CUR -> minor
    amounts: dict[str, dict[str, dict[str, dict[str, int]]]] = field(default_factory=dict)
    per_period: dict[str, dict[str, int]] = field(default_factory=dict)  # period -> metric -> total
    processing_seconds: dict[str, float | int | None] = field(default_factory=dict)
    requests: int = 0

    def rate(self, metric: str) -> float | None:
        resolved = self.counts.get("resolved", {}).get("all", {}).get("all", 0)
        if not resolved:
            return None
        return round(self.counts.get(metric, {}).get("all", {}).get("all", 0) / resolved, 4)

    def body(self) -> dict[str, object]:
        return {"grain": self.range.grain, "from": self.range.first, "to": self.range.last,
                "counts": self.counts, **{name: self.amounts.get(metric, {}) for metric, name in AMOUNTS.items()},
                "per_period": self.per_period,
                "processing_seconds": self.processing_seconds,
                "first_contact_resolution_rate": self.rate("first_contact"),
                "reopen_rate": self.rate("reopened")}


def _fold(summary: Summary, bucket: Bucket) -> None:
    by_dim = summary.counts.setdefault(bucket.metric, {})
    for name, n in bucket.counts.items():
        dim, _, value = name.partition("=")
        by_dim.setdefault(dim, {})[value] = by_dim.get(dim, {}).get(value, 0) + n
    summary.per_period.setdefault(bucket.period.key, {})[bucket.metric] = bucket.counts.get("all=all", 0)
    for name, minor in bucket.amounts.items():
        key, _, currency = name.rpartition("|")
        dim, _, value = key.partition("=")
        per_value = summary.amounts.setdefault(bucket.metric, {}).setdefault(dim, {}).setdefault(value, {})
        per_value[currency] = per_value.get(currency, 0) + minor


class AnalyticsReader:
    def __init__(self, store: AnalyticsStore) -> None:
        self._store = store

    def summary(self, tenant_id: str, grain: str, first: str, last: str) -> Summary:
        rng = validate_range(grain, first, last)
        live, _ = self._store.generations(tenant_id)
        summary = Summary(range=rng, requests=3)  # the generations item, the buckets, the sketches
        for bucket in self._store.buckets(tenant_id, live, rng.grain, rng.first, rng.last):
            _fold(summary, bucket)
        merged = DurationSketch()
        for stored in self._store.sketch_range(tenant_id, live, rng.grain, rng.first, rng.last):
            merged.merge(DurationSketch.decode(stored.blob))
        summary.processing_seconds = {"count": merged.count,
                                      **{name: merged.quantile(q) for name, q in QUANTILES}}
        for metric in METRICS:
            summary.counts.setdefault(metric, {})
        return summary

    def type_share(self, tenant_id: str, first: str, last: str, metric: str = "opened") -> list[dict[str, object]]:
        """Per month: each ticket type's share of the month's tickets (complaints among them)."""
        rng = validate_range("month", first, last)
        live, _ = self._store.generations(tenant_id)
        out = []
        for bucket in self._store.buckets(tenant_id, live, "month", rng.first, rng.last):
            if bucket.metric != metric:
                continue
            total = bucket.counts.get("all=all", 0)
            types = {k.removeprefix("type="): n for k, n in bucket.counts.items() if k.startswith("type=")}
            out.append({"month": bucket.period.key, "total": total,
                        "types": {t: {"count": n, "share": round(n / total, 4) if total else 0.0}
                                  for t, n in sorted(types.items())}})
        return out

    def reasons(self, tenant_id: str, grain: str, first: str, last: str) -> list[dict[str, object]]:
        """Opened returns, exchanges and refund-only requests by reason, most frequent first."""
        summary = self.summary(tenant_id, grain, first, last)
        reasons = summary.counts.get("returns", {}).get("reason", {})
        total = sum(reasons.values())
        return [{"reason": r, "count": n, "share": round(n / total, 4) if total else 0.0}
                for r, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))]
