"""Product insight use cases: the clusters of a sku's period (reviews and returns per cause, trend,
quotes) with their suggestions; counting the return request lines of `ticket.created` events; and
announcing a cluster that crossed a threshold as `insight.suggested` (once per sku, cause, period)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aws_lambda_powertools import Logger

from aftersales.core.clock import Clock
from aftersales.core.errors import Forbidden, Unavailable
from aftersales.events.ports import EventPublisher
from aftersales.tickets.domain import Actor

from . import domain, insights
from .insights import Cluster, PeriodKind, Suggestion
from .model import Projection
from .ports import InsightStore

logger = Logger(child=True)

SOURCE = "aftersales.reviews"
SUGGESTED = "insight.suggested"


@dataclass(frozen=True)
class ProductInsight:
    sku: str
    kind: PeriodKind
    period: str
    previous: str
    batch: str | None
    reviews: int  # published reviews of the period
    previous_reviews: int
    clusters: list[Cluster]
    suggestions: list[Suggestion]


class ProductInsightService:
    def __init__(self, store: InsightStore, events: EventPublisher, clock: Clock) -> None:
        self._store = store
        self._events = events
        self._clock = clock

    def read(self, tenant_id: str, sku: str, actor: Actor, *, kind: PeriodKind = "week", period: str | None = None,
             batch: str | None = None, quotes_per_cause: int = 3) -> ProductInsight:
        """The sku's clusters in `period` (default: the current one of `kind`) against the previous
        period, for the whole sku or one batch (staff). 2 counter reads, one quote read per cluster."""
        if not actor.roles & domain.STAFF:
            raise Forbidden("error.role_not_permitted")
        current = insights.parse_period(kind, period) if period else insights.period_of(kind, self._clock.now())
        before = insights.previous(current)
        now = insights.PeriodCounts.of(current, batch, self._store.period(tenant_id, sku, current, batch))
        then = insights.PeriodCounts.of(before, batch, self._store.period(tenant_id, sku, before, batch))
        start, end = insights.bounds(current)
        found = [c.model_copy(update={"quotes": self._store.quotes(tenant_id, sku, c.cause, batch, start, end,
                                                                   limit=quotes_per_cause)})
                 if c.reviews and quotes_per_cause else c for c in insights.clusters(now, then)]
        return ProductInsight(sku=sku, kind=kind, period=current, previous=before, batch=batch, reviews=now.reviews,
                              previous_reviews=then.reviews, clusters=found,
                              suggestions=insights.suggestions(current, found))

    def review_counted(self, tenant_id: str, sku: str, change: Projection) -> list[str]:
        """After a review's save moved the period counters: announces the clusters of the causes it
        added that now cross a threshold. Best effort: a failure is logged, and the cause's next
        signal checks again. The suggestion keys announced."""
        causes = sorted(code for code, n in change.causes.items() if n > 0)
        if not causes or change.at is None:
            return []
        try:
            return self._consider(tenant_id, sku, causes, change.at)
        except Unavailable:
            logger.warning("insight check failed", extra={"tenant_id": tenant_id, "causes": causes})
            return []

    def count_returns(self, detail: dict) -> int:
        """Counts the return, exchange and refund-only lines of a `ticket.created` event per sku,
        period and batch (once per ticket line) and announces the clusters they push over a threshold
        (checked again on redelivery, so a failed announcement is retried). Lines counted now."""
        tenant_id = str(detail["tenant_id"])
        counted = 0
        for line in insights.return_lines(detail):
            if self._store.count_return(tenant_id, line,
                                        insights.return_tallies(line.reason_code, line.batch, line.at)):
                counted += 1
            cause = insights.return_cause(line.reason_code)
            if cause != insights.OTHER:
                self._consider(tenant_id, line.sku, [cause], line.at)
        return counted

    def _consider(self, tenant_id: str, sku: str, causes: list[str], at: datetime) -> list[str]:
        tallies = self._store.tallies(tenant_id, sku, insights.watched(causes, at))
        announced = []
        for kind in insights.PERIOD_KINDS:
            period = insights.period_of(kind, at)
            now = insights.counts_of(period, None, tallies)
            then = insights.counts_of(insights.previous(period), None, tallies)
            for cluster in insights.clusters(now, then):
                if cluster.cause not in causes:
                    continue
                for suggestion in insights.suggestions(period, [cluster]):
                    if suggestion.trigger and self._announce(tenant_id, sku, period, cluster, suggestion, now.reviews):
                        announced.append(insights.suggestion_key(sku, cluster.cause, period))
        return announced

    def _announce(self, tenant_id: str, sku: str, period: str, cluster: Cluster, suggestion: Suggestion,
                  period_reviews: int) -> bool:
        if not self._store.claim_suggestion(tenant_id, sku, cluster.cause, period):
            return False
        try:
            self._events.publish(SOURCE, SUGGESTED, insights.suggested_event(tenant_id, sku, period, cluster,
                                                                             suggestion, period_reviews))
        except Exception:
            self._store.release_suggestion(tenant_id, sku, cluster.cause, period)
            raise
        logger.info("insight suggested", extra={"tenant_id": tenant_id, "cause": cluster.cause, "period": period,
                                                "owner": suggestion.owner.value, "trigger": suggestion.trigger})
        return True
