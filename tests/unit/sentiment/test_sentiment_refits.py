"""Tenant refits on in-memory stores: published reviews make a tenant due, the sweep refits the due
tenants, a refit is kept only when it beats the shipped model, the history keeps every refit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aftersales.core.clock import FixedClock
from aftersales.core.errors import ConcurrentModification
from aftersales.sentiment.linear import SentimentModel
from aftersales.sentiment.refit import Winner
from aftersales.sentiment.refit_schedule import REFIT_AFTER_RATED, Trigger
from aftersales.sentiment.refits import SentimentRefits
from tests.support.fakes.sentiment import InMemoryModelFiles, InMemoryRatedReviews, InMemoryRefitStore
from tests.support.tenant_reviews import FAST_TRAINING, generic_model, generic_reviews, slang_reviews

NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)


class RacingReviews:
    """Reads the tenant's reviews, and lets `meanwhile` happen while it does (another writer)."""

    def __init__(self, inner: InMemoryRatedReviews, meanwhile) -> None:
        self.inner = inner
        self.meanwhile = meanwhile

    def newest(self, tenant_id: str, limit: int):
        self.meanwhile()
        return self.inner.newest(tenant_id, limit)


def _rig(reviews=None, **kwargs):
    store, files, clock = InMemoryRefitStore(), InMemoryModelFiles(), FixedClock(NOW)
    rated = reviews if reviews is not None else InMemoryRatedReviews(
        {"acme": slang_reviews(), "plain": generic_reviews()})
    refits = SentimentRefits(store, rated, files, generic_model(), clock, training=FAST_TRAINING, **kwargs)
    return refits, store, files, clock


def test_published_reviews_make_a_tenant_due_once_enough_came_in():
    refits, store, _, _ = _rig()
    refits.reviews_published({"acme": REFIT_AFTER_RATED - 1, "plain": 3})
    assert store.due(NOW, 10) == [] and store.state("acme").rated_since_refit == REFIT_AFTER_RATED - 1
    refits.reviews_published({"acme": 1})
    assert store.due(NOW, 10) == ["acme"] and store.state("acme").due_at == NOW


def test_the_sweep_keeps_a_refit_that_beats_the_shipped_model():
    """GIVEN a due tenant whose customers use words the shipped model never saw WHEN the sweep runs
    THEN its refit is stored as a file, becomes current with both accuracies, the count restarts, the
    tenant leaves the due index and the history holds the run."""
    refits, store, files, _ = _rig()
    refits.reviews_published({"acme": REFIT_AFTER_RATED + 5})
    report = refits.sweep()
    assert (report.due, report.kept_tenant, report.kept_shipped, report.failed) == (1, 1, 0, [])
    state = store.state("acme")
    assert state.model is not None and state.model.version.startswith("shipped-1.acme.")
    assert state.model.tenant_accuracy > state.model.shipped_accuracy and state.model.held_back >= 20
    assert state.model.key in files
    stored = SentimentModel.from_bytes(files.get(state.model.key))
    assert stored.version == state.model.version and stored.probability("又踩雷", "zh") < 0.5
    assert state.rated_since_refit == 0 and state.due_at is None and store.due(NOW, 10) == []
    [run] = refits.status("acme").history
    assert run.winner is Winner.TENANT and run.trigger is Trigger.SCHEDULE and run.reviews_read == 120


def test_a_refit_that_does_not_beat_the_shipped_model_leaves_the_shipped_one_current():
    """GIVEN a tenant on a refit WHEN a later refit on reviews the shipped model reads perfectly only ties
    THEN the shipped model reads the tenant's reviews again, no file is stored, and both runs are in the history."""
    reviews = InMemoryRatedReviews({"acme": slang_reviews()})
    refits, _, files, clock = _rig(reviews)
    assert refits.refit("acme", Trigger.ADMIN).winner is Winner.TENANT
    reviews.reviews["acme"] = generic_reviews()
    clock.advance(days=2)
    run = refits.refit("acme", Trigger.ADMIN)
    assert run.winner is Winner.SHIPPED and run.key is None and run.shipped_accuracy == 1.0
    status = refits.status("acme")
    assert status.in_use is None and status.shipped_version == "shipped-1" and len(files) == 1
    assert [r.winner for r in status.history] == [Winner.SHIPPED, Winner.TENANT]


def test_reviews_published_during_a_refit_stay_counted():
    store_holder = {}
    inner = InMemoryRatedReviews({"acme": slang_reviews()})
    refits, store, _, _ = _rig(RacingReviews(inner, lambda: store_holder["store"].count_rated("acme", 7)))
    store_holder["store"] = store
    refits.reviews_published({"acme": REFIT_AFTER_RATED})
    refits.sweep()
    assert store.state("acme").rated_since_refit == 7


def test_a_refit_stored_meanwhile_wins_and_the_tenant_stays_due_for_the_sweep():
    """GIVEN an admin's refit stored while the sweep refits the same tenant THEN the sweep's refit is
    refused (revision moved), reported failed, and nothing of it is recorded."""
    holder = {}
    inner = InMemoryRatedReviews({"acme": slang_reviews()})

    def admin_refit():
        if not holder.get("raced"):
            holder["raced"] = True
            holder["refits"].refit("acme", Trigger.ADMIN)

    refits, store, _, _ = _rig(RacingReviews(inner, admin_refit))
    holder["refits"] = refits
    refits.reviews_published({"acme": REFIT_AFTER_RATED})
    with pytest.raises(ConcurrentModification):
        refits.refit("acme", Trigger.SCHEDULE)
    assert [r.trigger for r in store.history("acme", 10)] == [Trigger.ADMIN]


def test_the_sweep_takes_the_earliest_due_tenants_up_to_its_limit():
    reviews = InMemoryRatedReviews({t: slang_reviews(prefix=t) for t in ("a", "b", "c")})
    refits, store, _, clock = _rig(reviews, tenants_per_sweep=2)
    for tenant in ("c", "a", "b"):
        refits.reviews_published({tenant: REFIT_AFTER_RATED})
        clock.advance(minutes=1)
    report = refits.sweep()
    assert report.due == 2 and sorted(store.runs) == ["a", "c"] and store.due(clock.now(), 10) == ["b"]


def test_a_tenant_without_reviews_keeps_the_shipped_model():
    refits, store, files, _ = _rig(InMemoryRatedReviews())
    run = refits.refit("new", Trigger.ADMIN)
    assert run.winner is Winner.SHIPPED and run.reviews_read == 0 and len(files) == 0
    assert refits.status("new").in_use is None and store.state("new").revision == 1
