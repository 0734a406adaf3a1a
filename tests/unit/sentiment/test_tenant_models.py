"""Each tenant's reviews are read with its current model: the pointer is read at most once per TTL
per tenant, a model file once per version, and the result carries the deciding model's version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aftersales.core.clock import FixedClock
from aftersales.sentiment.analyzers import TenantAnalyzer
from aftersales.sentiment.refit_schedule import Trigger
from aftersales.sentiment.refits import SentimentRefits
from aftersales.sentiment.tenant_models import CachedTenantModels
from tests.support.fakes.sentiment import InMemoryModelFiles, InMemoryRatedReviews, InMemoryRefitStore
from tests.support.tenant_reviews import FAST_TRAINING, generic_model, slang_reviews

NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)


def _rig(ttl=timedelta(seconds=60)):
    store, files, clock = InMemoryRefitStore(), InMemoryModelFiles(), FixedClock(NOW)
    shipped = generic_model()
    refits = SentimentRefits(store, InMemoryRatedReviews({"acme": slang_reviews()}), files, shipped, clock,
                             training=FAST_TRAINING)
    models = CachedTenantModels(store, files, shipped, clock, ttl)
    return refits, store, files, clock, TenantAnalyzer(models)


def test_a_tenant_reads_with_its_refit_and_another_with_the_shipped_model():
    refits, store, _, _, analyzer = _rig(ttl=timedelta(0))
    refits.refit("acme", Trigger.ADMIN)
    version = store.state("acme").model.version
    [mine] = analyzer.analyse("acme", ["又踩雷"])
    [theirs] = analyzer.analyse("other", ["又踩雷"])
    assert mine.model_version == version and mine.negative
    assert theirs.model_version == "shipped-1"


def test_the_pointer_is_read_once_per_ttl_and_the_file_once_per_version():
    """GIVEN a container analysing many reviews of one tenant WHEN within the TTL THEN one pointer
    read and one file read; a refit stored meanwhile is picked up after the TTL, its file read once."""
    refits, store, files, clock, analyzer = _rig()
    analyzer.analyse("acme", ["绝绝子"])  # no refit yet: the shipped model
    refits.refit("acme", Trigger.ADMIN)
    for _ in range(5):
        [result] = analyzer.analyse("acme", ["绝绝子"])
        assert result.model_version == "shipped-1"  # the cached pointer still says shipped
    assert store.reads["current_model"] == 1 and files.gets == 0
    clock.advance(seconds=61)
    for _ in range(5):
        [result] = analyzer.analyse("acme", ["绝绝子"])
        assert result.model_version == store.state("acme").model.version
    assert store.reads["current_model"] == 2 and files.gets == 1


def test_a_refit_of_another_shipped_model_is_not_used():
    refits, store, files, clock, _ = _rig(ttl=timedelta(0))
    refits.refit("acme", Trigger.ADMIN)
    newer = CachedTenantModels(store, files, generic_model("shipped-2"), clock)
    assert newer.current("acme").version == "shipped-2" and files.gets == 0
