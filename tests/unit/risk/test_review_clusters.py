"""Reviews in the risk counters: a review's author is counted under its IP and device keys (and, a
five-star one, under each key's five-star counter of the sku), once per review, with one read and at
most one write per counter; the answer is the distinct accounts behind the keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aftersales.core.clock import FixedClock
from aftersales.risk.service import RiskService, counter_key, five_star_key
from aftersales.risk.signals import Dimension
from tests.support.fakes.money import InMemoryCounterStore

NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)


class CountingCounters(InMemoryCounterStore):
    """The in-memory counter store, counting its reads and writes."""

    def __init__(self) -> None:
        super().__init__()
        self.loads = self.saves = 0

    def load(self, tenant_id, key):
        self.loads += 1
        return super().load(tenant_id, key)

    def save(self, tenant_id, state, expected_version):
        self.saves += 1
        super().save(tenant_id, state, expected_version)


def record(risk, n: int, *, rating: int = 5, keys=None, sku: str = "MUG", at: datetime = NOW):
    return risk.record_review("acme", review_id=f"rev_{n}", account_id=f"cust-{n}", sku=sku, rating=rating,
                              written_at=at, keys=keys if keys is not None else {"ip": "ip-1", "device": "dev-1"},
                              now=NOW)


def test_accounts_behind_a_key_and_five_stars_of_a_sku_are_counted_per_review():
    risk = RiskService(InMemoryCounterStore(), FixedClock(NOW))
    assert record(risk, 1).accounts == {"device": 1, "ip": 1}
    record(risk, 2, keys={"device": "dev-1"})
    record(risk, 3, rating=4)
    cluster = record(risk, 4)
    assert cluster.accounts == {"device": 4, "ip": 3}
    # cust-1, cust-2 (device only) and cust-4 gave five stars, cust-3 four
    assert cluster.five_star_accounts == {"device": 3, "ip": 2}
    assert record(risk, 5, sku="TEA").five_star_accounts == {"device": 1, "ip": 1}  # another sku: its own counter
    assert record(risk, 6, rating=1).five_star_accounts == {}  # only five-star reviews are counted there


def test_a_redelivered_review_counts_once_and_reads_one_item_per_counter():
    store = CountingCounters()
    risk = RiskService(store, FixedClock(NOW))
    first = record(risk, 1)
    assert (store.loads, store.saves) == (4, 4)  # ip, device and their five-star counters of the sku
    again = record(risk, 1)
    assert again == first and (store.loads, store.saves) == (8, 4)  # read again, nothing written
    state = risk.counters("acme", Dimension.DEVICE, "dev-1")
    assert [sorted(b.event_ids) for b in state.buckets] == [["review#rev_1"]]
    assert ("acme", five_star_key(Dimension.IP, "ip-1", "MUG")) in store
    assert ("acme", counter_key(Dimension.ACCOUNT, "cust-1")) not in store  # the author's own counter is not moved


def test_five_stars_count_for_two_days_and_accounts_for_thirty():
    risk = RiskService(InMemoryCounterStore(), FixedClock(NOW))
    record(risk, 1, at=NOW - timedelta(days=2))
    record(risk, 2, at=NOW - timedelta(days=29))
    record(risk, 3, at=NOW - timedelta(days=31))
    cluster = record(risk, 4)
    assert cluster.five_star_accounts == {"device": 1, "ip": 1} and cluster.accounts == {"device": 3, "ip": 3}


def test_a_review_without_keys_touches_nothing():
    store = CountingCounters()
    cluster = RiskService(store, FixedClock(NOW)).record_review(
        "acme", review_id="rev_1", account_id="cust-1", sku="MUG", rating=5, written_at=NOW, keys={})
    assert (cluster.accounts, cluster.five_star_accounts, store.loads) == ({}, {}, 0)
