"""When a tenant is due for a refit, and which of its models reads its reviews (pure rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aftersales.sentiment.refit import Winner
from aftersales.sentiment.refit_schedule import (
    MIN_REFIT_INTERVAL,
    REFIT_AFTER_RATED,
    RefitRun,
    RefitState,
    TenantModel,
    Trigger,
    model_in_use,
    next_refit,
)

NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)


def _model(base: str = "shipped-1") -> TenantModel:
    return TenantModel(version=f"{base}.acme.abcd1234", base_version=base, key="k", shipped_accuracy=0.5,
                       tenant_accuracy=0.9, trained_on=80, held_back=20, at=NOW - timedelta(days=3))


def _run(at: datetime) -> RefitRun:
    return RefitRun(at=at, trigger=Trigger.SCHEDULE, winner=Winner.SHIPPED, candidate_version="v",
                    base_version="shipped-1",
                    shipped_accuracy=0.8, tenant_accuracy=0.8, trained_on=80, held_back=20, reviews_read=100)


def test_a_tenant_is_not_due_before_enough_reviews_were_published():
    assert next_refit(RefitState(rated_since_refit=REFIT_AFTER_RATED - 1), "shipped-1", NOW) is None


def test_enough_reviews_make_a_tenant_never_refitted_due_now():
    assert next_refit(RefitState(rated_since_refit=REFIT_AFTER_RATED), "shipped-1", NOW) == NOW


def test_a_recent_refit_defers_the_next_one_by_the_interval():
    """GIVEN a refit three hours ago and enough new reviews THEN the next refit is due one interval after it."""
    last = NOW - timedelta(hours=3)
    state = RefitState(rated_since_refit=REFIT_AFTER_RATED + 50, last_run=_run(last))
    assert next_refit(state, "shipped-1", NOW) == last + MIN_REFIT_INTERVAL
    old = RefitState(rated_since_refit=REFIT_AFTER_RATED, last_run=_run(NOW - timedelta(days=5)))
    assert next_refit(old, "shipped-1", NOW) == NOW


def test_a_refit_of_another_shipped_model_is_unused_and_due_at_once():
    """GIVEN the tenant's refit was made from the previous shipped model WHEN a new one runs THEN the
    refit reads nothing (its weights may not fit the new features) and the tenant is due now, with no
    new reviews needed."""
    state = RefitState(model=_model("shipped-0"), rated_since_refit=1, last_run=_run(NOW - timedelta(hours=1)))
    assert model_in_use(state, "shipped-1") is None
    assert next_refit(state, "shipped-1", NOW) == NOW
    current = RefitState(model=_model("shipped-1"))
    assert model_in_use(current, "shipped-1") == current.model
    assert next_refit(current, "shipped-1", NOW) is None
