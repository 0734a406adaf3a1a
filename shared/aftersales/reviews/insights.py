"""Product insights (pure): negative causes of published reviews and reasons of return requests,
counted per sku and period (UTC ISO week, UTC calendar month) and per batch, joined on one cause
vocabulary; clusters with their trend against the previous period; improvement suggestions routed
to an owner. No I/O, no clock: every function takes its times.

Counters are `Tally` keys: (period, batch or None for the whole sku, counter), where counter is
`reviews` (published reviews of the period), `cause:<code>` (those naming a cause) or
`return:<code>` (return, exchange and refund-only request lines whose reason maps to the cause;
`return:other` for reasons that name none)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Literal, NamedTuple

from pydantic import Field

from aftersales.core.errors import InvalidRequest
from aftersales.core.model import DomainModel
from aftersales.sentiment.causes import CAUSES
from aftersales.tickets.model import TicketType

from .model import Projection, Quote

PeriodKind = Literal["week", "month"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("week", "month")
REVIEWS = "reviews"
OTHER = "other"  # a return reason that names no cause of the vocabulary
RETURN_TYPES = frozenset({TicketType.RETURN_REFUND, TicketType.EXCHANGE, TicketType.REFUND_ONLY})

# Thresholds of a cluster that needs its owner's attention (and an `insight.suggested` event).
MIN_SIGNALS = 3  # reviews + returns of the cause in the period
SHARE = 0.2  # of the period's published reviews naming the cause
MIN_RISE = 3  # more signals than the previous period, at least
RISE_RATIO = 1.5  # ... and at least this many times the previous period's


class Owner(StrEnum):
    """Who acts on a suggestion."""

    PRODUCT = "product"  # product management and R&D
    CONTENT = "content"  # product page: description, photos, size charts
    PROCUREMENT = "procurement"
    LOGISTICS = "logistics"  # warehouse, packing and carriers
    SERVICE = "service"
    MERCHANDISING = "merchandising"  # pricing and promotions


OWNER: dict[str, Owner] = {
    "quality": Owner.PRODUCT,
    "size_fit": Owner.PRODUCT,
    "description_mismatch": Owner.CONTENT,
    "logistics": Owner.LOGISTICS,
    "packaging": Owner.LOGISTICS,
    "service": Owner.SERVICE,
    "price": Owner.MERCHANDISING,
    "authenticity": Owner.PROCUREMENT,
    "missing_or_wrong_item": Owner.LOGISTICS,
}

# Return reason codes (as customers and channels send them, lower-cased) -> the review cause they
# share. Codes not listed (no_reason_7day, dislike, changed_mind, channel codes) count as `other`.
RETURN_CAUSE: dict[str, str] = {
    "quality": "quality", "defective": "quality", "faulty": "quality", "broken": "quality",
    "not_working": "quality",
    "size": "size_fit", "wrong_size": "size_fit", "size_fit": "size_fit", "too_small": "size_fit",
    "too_large": "size_fit", "too_big": "size_fit", "does_not_fit": "size_fit",
    "not_as_described": "description_mismatch", "description_mismatch": "description_mismatch",
    "color_mismatch": "description_mismatch", "not_as_pictured": "description_mismatch",
    "damaged": "packaging", "damaged_in_transit": "packaging", "packaging": "packaging",
    "late_delivery": "logistics", "not_received": "logistics", "lost_in_transit": "logistics",
    "logistics": "logistics",
    "wrong_item": "missing_or_wrong_item", "missing_item": "missing_or_wrong_item",
    "missing_parts": "missing_or_wrong_item",
    "counterfeit": "authenticity", "fake": "authenticity", "not_genuine": "authenticity",
    "authenticity": "authenticity",
    "price": "price", "price_drop": "price", "price_protection": "price",
    "service": "service", "poor_service": "service",
}


class Tally(NamedTuple):
    period: str
    batch: str | None
    counter: str


# ------------------------------------------------------------------ periods (UTC)
def period_of(kind: PeriodKind, at: datetime) -> str:
    """`2026-W49` (ISO week) or `2026-12` (month) of `at`, in UTC."""
    utc = at.astimezone(UTC)
    if kind == "week":
        year, week, _ = utc.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{utc.year}-{utc.month:02d}"


def parse_period(kind: PeriodKind, value: str, field: str = "query.of") -> str:
    """A period id of `kind` as given (422 at `field` when it is not one)."""
    try:
        start, _ = bounds(value)
    except ValueError:
        raise InvalidRequest("reviews.bad_period", field=field, period=value) from None
    if period_of(kind, start) != value:
        raise InvalidRequest("reviews.bad_period", field=field, period=value)
    return value


def bounds(period: str) -> tuple[datetime, datetime]:
    """[start, end) of a period id in UTC."""
    if "-W" in period:
        year, week = period.split("-W")
        start = datetime.combine(date.fromisocalendar(int(year), int(week), 1), datetime.min.time(), UTC)
        return start, start + timedelta(weeks=1)
    year, month = (int(part) for part in period.split("-"))
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) if month == 12 else datetime(year, month + 1, 1, tzinfo=UTC)
    return start, end


def previous(period: str) -> str:
    start, _ = bounds(period)
    return period_of("week" if "-W" in period else "month", start - timedelta(days=1))


# ------------------------------------------------------------------ counters
def review_tallies(change: Projection) -> dict[Tally, int]:
    """What a review's save moves in the period counters: the published reviews of its period and
    the causes it names, for the sku and for its batch (when its order line had one)."""
    if change.at is None:
        return {}
    published = sum(change.ratings.values())
    moved: dict[Tally, int] = {}
    for kind in PERIOD_KINDS:
        period = period_of(kind, change.at)
        for batch in (None, change.batch) if change.batch else (None,):
            if published:
                moved[Tally(period, batch, REVIEWS)] = published
            for code, n in change.causes.items():
                moved[Tally(period, batch, f"cause:{code}")] = n
    return moved


def return_cause(reason_code: str | None) -> str:
    return RETURN_CAUSE.get((reason_code or "").strip().lower(), OTHER)


def return_tallies(reason_code: str | None, batch: str | None, at: datetime) -> dict[Tally, int]:
    """One return request line of the sku: +1 on its cause in each period, for the sku and its batch."""
    counter = f"return:{return_cause(reason_code)}"
    return {Tally(period_of(kind, at), scope, counter): 1
            for kind in PERIOD_KINDS for scope in ((None, batch) if batch else (None,))}


class ReturnLine(DomainModel):
    """A line of an opened return / exchange / refund-only request, as its `ticket.created` event carries it."""

    ticket_id: str
    line_id: str
    sku: str
    reason_code: str | None = None
    batch: str | None = None
    at: datetime


def return_lines(detail: dict) -> list[ReturnLine]:
    """The lines a `ticket.created` event counts: return, exchange and refund-only requests; a line
    without its sku (an event written before lines carried it) is skipped."""
    if detail.get("event") != "ticket.created" or detail.get("ticket_type") not in RETURN_TYPES:
        return []
    data = detail.get("data") or {}
    at = datetime.fromisoformat(str(detail["at"]).replace("Z", "+00:00"))
    return [ReturnLine(ticket_id=str(detail["ticket_id"]), line_id=str(line["line_id"]), sku=str(line["sku"]),
                       reason_code=line.get("reason_code") or detail.get("reason"), batch=line.get("batch"), at=at)
            for line in data.get("lines", []) if line.get("sku")]


# ------------------------------------------------------------------ clusters
class PeriodCounts(DomainModel):
    """The counters of one sku (or one of its batches) in one period."""

    period: str
    batch: str | None = None
    reviews: int = 0  # published reviews
    causes: dict[str, int] = Field(default_factory=dict)  # published reviews naming each cause
    returns: dict[str, int] = Field(default_factory=dict)  # return request lines per cause (and `other`)

    @classmethod
    def of(cls, period: str, batch: str | None, counts: dict[str, int]) -> PeriodCounts:
        """From counter -> n (`reviews`, `cause:<code>`, `return:<code>`)."""
        causes = {c.removeprefix("cause:"): n for c, n in counts.items() if c.startswith("cause:") and n > 0}
        returns = {c.removeprefix("return:"): n for c, n in counts.items() if c.startswith("return:") and n > 0}
        return cls(period=period, batch=batch, reviews=max(0, counts.get(REVIEWS, 0)), causes=causes,
                   returns=returns)


class Trend(DomainModel):
    direction: Literal["new", "rising", "steady", "falling"]
    delta: int  # signals (reviews + returns) now minus in the previous period


class Cluster(DomainModel):
    """One cause of one sku in one period: its reviews and returns, against the previous period."""

    cause: str
    reviews: int
    returns: int
    previous_reviews: int
    previous_returns: int
    share: float  # of the period's published reviews naming it
    trend: Trend
    quotes: list[Quote] = Field(default_factory=list)

    @property
    def signals(self) -> int:
        return self.reviews + self.returns


def trend(now: int, before: int) -> Trend:
    if now > before:
        return Trend(direction="new" if before == 0 else "rising", delta=now - before)
    return Trend(direction="steady" if now == before else "falling", delta=now - before)


def clusters(current: PeriodCounts, before: PeriodCounts) -> list[Cluster]:
    """A cluster per cause of the vocabulary with reviews or returns in the period, most signals first."""
    found = []
    for cause in CAUSES:
        reviews, returns = current.causes.get(cause, 0), current.returns.get(cause, 0)
        if not reviews and not returns:
            continue
        prev_reviews, prev_returns = before.causes.get(cause, 0), before.returns.get(cause, 0)
        found.append(Cluster(cause=cause, reviews=reviews, returns=returns, previous_reviews=prev_reviews,
                             previous_returns=prev_returns,
                             share=round(reviews / current.reviews, 4) if current.reviews else 0.0,
                             trend=trend(reviews + returns, prev_reviews + prev_returns)))
    return sorted(found, key=lambda c: (-c.signals, CAUSES.index(c.cause)))


def trigger(cluster: Cluster) -> Literal["rising", "share"] | None:
    """Why the cluster needs its owner: its signals rose sharply, or it is a large share of the
    period's reviews; None below MIN_SIGNALS or when neither holds."""
    if cluster.signals < MIN_SIGNALS:
        return None
    before = cluster.previous_reviews + cluster.previous_returns
    if cluster.trend.delta >= MIN_RISE and cluster.signals >= RISE_RATIO * before:
        return "rising"
    if cluster.share >= SHARE:
        return "share"
    return None


class Suggestion(DomainModel):
    """What to improve about a cause, for whom: a message id of the catalogs and its parameters."""

    cause: str
    owner: Owner
    message_id: str
    params: dict[str, str | int]
    trigger: Literal["rising", "share"] | None = None


def suggestions(period: str, found: list[Cluster]) -> list[Suggestion]:
    """A suggestion per cluster with at least MIN_SIGNALS, in the clusters' order; `trigger` says
    whether it crossed a threshold (and so was announced as `insight.suggested`)."""
    return [Suggestion(cause=c.cause, owner=OWNER[c.cause], message_id=f"insight.suggestion.{c.cause}",
                       params={"period": period, "reviews": c.reviews, "returns": c.returns},
                       trigger=trigger(c))
            for c in found if c.signals >= MIN_SIGNALS]


def suggested_event(tenant_id: str, sku: str, period: str, cluster: Cluster, suggestion: Suggestion,
                    period_reviews: int) -> dict:
    """The `insight.suggested` detail: counts and routing only (no review text, no customer)."""
    return {"tenant_id": tenant_id, "sku": sku, "cause": cluster.cause, "period": period,
            "owner": suggestion.owner.value, "trigger": suggestion.trigger, "message_id": suggestion.message_id,
            "reviews": cluster.reviews, "returns": cluster.returns, "previous_reviews": cluster.previous_reviews,
            "previous_returns": cluster.previous_returns, "period_reviews": period_reviews,
            "share": cluster.share, "dedup_key": suggestion_key(sku, cluster.cause, period)}


def suggestion_key(sku: str, cause: str, period: str) -> str:
    return f"{sku}#{cause}#{period}"


def watched(causes: list[str], at: datetime) -> list[Tally]:
    """The counters a suggestion check reads for `causes` signalled at `at`: the period's reviews and
    the causes' review and return counters, now and in the previous period, for each period kind."""
    keys = []
    for kind in PERIOD_KINDS:
        period = period_of(kind, at)
        for p in (period, previous(period)):
            keys.append(Tally(p, None, REVIEWS))
            for cause in causes:
                keys += [Tally(p, None, f"cause:{cause}"), Tally(p, None, f"return:{cause}")]
    return keys


def counts_of(period: str, batch: str | None, tallies: dict[Tally, int]) -> PeriodCounts:
    return PeriodCounts.of(period, batch, {t.counter: n for t, n in tallies.items()
                                           if t.period == period and t.batch == batch})
