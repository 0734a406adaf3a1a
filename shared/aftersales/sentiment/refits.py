"""Tenant refits: count the reviews published since the last refit, put a tenant in the due index
when the schedule rule says so, refit (scheduled sweep or an admin's request) and keep the refit
only if it beats the shipped model on the held-back reviews; the tenant's status and history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from aws_lambda_powertools import Logger

from aftersales.core.clock import Clock
from aftersales.core.errors import ConcurrentModification, Unavailable
from aftersales.sentiment.linear import SentimentModel, Training
from aftersales.sentiment.ports import ModelFiles, RatedReviews, RefitStore
from aftersales.sentiment.refit import REFIT_TRAINING, Winner, refit_for_tenant
from aftersales.sentiment.refit_schedule import (
    HISTORY_SHOWN,
    MAX_REFIT_REVIEWS,
    RefitRun,
    RefitState,
    TenantModel,
    Trigger,
    kept_model,
    model_in_use,
    next_refit,
    run_of,
)

logger = Logger(child=True)
TENANTS_PER_SWEEP = 25


@dataclass(frozen=True)
class ModelStatus:
    shipped_version: str
    in_use: TenantModel | None  # None: the shipped model reads the tenant's reviews
    state: RefitState
    history: list[RefitRun]


@dataclass
class SweepReport:
    due: int = 0
    kept_tenant: int = 0
    kept_shipped: int = 0
    failed: list[str] = field(default_factory=list)


class SentimentRefits:
    def __init__(self, store: RefitStore, reviews: RatedReviews, files: ModelFiles, shipped: SentimentModel,
                 clock: Clock, *, max_reviews: int = MAX_REFIT_REVIEWS, training: Training = REFIT_TRAINING,
                 tenants_per_sweep: int = TENANTS_PER_SWEEP) -> None:
        self._store = store
        self._reviews = reviews
        self._files = files
        self._shipped = shipped
        self._clock = clock
        self._max_reviews = max_reviews
        self._training = training
        self._tenants_per_sweep = tenants_per_sweep

    def reviews_published(self, counts: Mapping[str, int]) -> None:
        """`counts` reviews per tenant were published: one counter update per tenant, and the due
        index when that makes the tenant due."""
        for tenant_id, n in sorted(counts.items()):
            if n <= 0:
                continue
            state = self._store.count_rated(tenant_id, n)
            due_at = next_refit(state, self._shipped.version, self._clock.now())
            if due_at is not None and state.due_at is None:
                self._store.mark_due(tenant_id, due_at)

    def refit(self, tenant_id: str, trigger: Trigger) -> RefitRun:
        """Refits the shipped model on the tenant's newest published reviews; the refit's file is
        stored and becomes current only when it wins, else the shipped model is current."""
        state = self._store.state(tenant_id)
        reviews = self._reviews.newest(tenant_id, self._max_reviews)
        outcome = refit_for_tenant(self._shipped, tenant_id, reviews, self._training)
        key = None
        if outcome.winner is Winner.TENANT:
            key = self._files.put(tenant_id, outcome.model.version, outcome.model.to_bytes())
        run = run_of(outcome, base_version=self._shipped.version, trigger=trigger, reviews_read=len(reviews),
                     at=self._clock.now(), key=key)
        self._store.record(tenant_id, run, kept_model(outcome, run), counted=state.rated_since_refit,
                           expected_revision=state.revision)
        logger.info("sentiment refit", extra={"tenant_id": tenant_id, "trigger": trigger.value,
                                              "winner": run.winner.value, "version": run.candidate_version,
                                              "shipped_accuracy": run.shipped_accuracy,
                                              "tenant_accuracy": run.tenant_accuracy,
                                              "trained_on": run.trained_on, "held_back": run.held_back})
        return run

    def sweep(self) -> SweepReport:
        """Refits the tenants the due index holds now (at most `tenants_per_sweep`, earliest first);
        a tenant that fails stays due for the next sweep."""
        report = SweepReport()
        for tenant_id in self._store.due(self._clock.now(), self._tenants_per_sweep):
            report.due += 1
            try:
                run = self.refit(tenant_id, Trigger.SCHEDULE)
            except (ConcurrentModification, Unavailable) as exc:
                logger.warning("sentiment refit failed", extra={"tenant_id": tenant_id, "error": type(exc).__name__})
                report.failed.append(tenant_id)
                continue
            if run.winner is Winner.TENANT:
                report.kept_tenant += 1
            else:
                report.kept_shipped += 1
        return report

    def status(self, tenant_id: str, history: int = HISTORY_SHOWN) -> ModelStatus:
        state = self._store.state(tenant_id)
        return ModelStatus(self._shipped.version, model_in_use(state, self._shipped.version), state,
                           self._store.history(tenant_id, history))
