"""The per-tenant integration settings cache in the webhook path: TTL, bound, write-through."""

from __future__ import annotations

import pytest

from aftersales.channels.settings_cache import CachedSettings


class Store:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict] = {}
        self.gets = 0

    def get(self, tenant_id, name):
        self.gets += 1
        return self.items.get((tenant_id, name))

    def put(self, tenant_id, name, config):
        self.items[(tenant_id, name)] = config

    def names(self, tenant_id):
        return [n for t, n in self.items if t == tenant_id]


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_repeated_reads_within_the_ttl_cost_one_store_read():
    """GIVEN a tenant's carrier secret WHEN read 50 times within the TTL THEN the store is read once;
    after the TTL it is read again (another container's change is seen within the TTL)."""
    store, clock = Store(), Clock()
    store.put("acme", "carrier:aftership", {"secret": "s1"})
    cache = CachedSettings(store, ttl=60, monotonic=clock)
    assert all(cache.get("acme", "carrier:aftership") == {"secret": "s1"} for _ in range(50))
    assert store.gets == 1 and cache.hits == 49
    store.put("acme", "carrier:aftership", {"secret": "s2"})  # changed elsewhere
    clock.t += 61
    assert cache.get("acme", "carrier:aftership") == {"secret": "s2"} and store.gets == 2


def test_put_through_the_cache_is_seen_at_once_and_absence_is_cached():
    """GIVEN an unconfigured tenant WHEN read twice THEN one store read (None is cached) WHEN the secret is
    then set through the cache THEN the next read returns it without a store read."""
    store, clock = Store(), Clock()
    cache = CachedSettings(store, ttl=60, monotonic=clock)
    assert cache.get("acme", "channel:wecom") is None and cache.get("acme", "channel:wecom") is None
    assert store.gets == 1
    cache.put("acme", "channel:wecom", {"token": "t"})
    assert cache.get("acme", "channel:wecom") == {"token": "t"} and store.gets == 1


def test_the_cache_is_bounded_least_recently_used_first_and_hands_out_copies():
    """GIVEN a cache of 3 entries WHEN 4 tenants are read THEN the least recently used is evicted; a caller
    mutating what it got does not change the cached value."""
    store, clock = Store(), Clock()
    for t in "abcd":
        store.put(t, "logistics:rules", {"tokens": [t]})
    cache = CachedSettings(store, ttl=60, max_entries=3, monotonic=clock)
    for t in "abc":
        cache.get(t, "logistics:rules")
    cache.get("a", "logistics:rules")  # a is now the most recent
    cache.get("d", "logistics:rules")  # evicts b
    assert len(cache) == 3
    reads = store.gets
    cache.get("a", "logistics:rules")
    assert store.gets == reads
    cache.get("b", "logistics:rules")
    assert store.gets == reads + 1
    got = cache.get("a", "logistics:rules")
    got["tokens"].append("mutated")
    assert cache.get("a", "logistics:rules") == {"tokens": ["a"]}


def test_ttl_zero_disables_caching_and_bad_bounds_are_refused():
    store = Store()
    cache = CachedSettings(store, ttl=0)
    cache.get("acme", "x")
    cache.get("acme", "x")
    assert store.gets == 2
    with pytest.raises(ValueError):
        CachedSettings(store, max_entries=0)
