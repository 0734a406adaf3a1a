"""A small per-container cache in front of the per-tenant integration settings.

Every carrier webhook reads the tenant's carrier secret and, for registered parcels, the tenant's
exception rules (up to three GetItems per event). Settings change rarely, so they are cached per
(tenant, name) for `ttl` seconds, bounded to `max_entries` (least recently used evicted). A `put`
through this object updates its own entry at once; another container sees a change within `ttl`.
Absent settings (None) are cached too, so a flood for an unconfigured tenant costs no reads.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from aftersales.channels.ports import IntegrationSettings

DEFAULT_TTL_SECONDS = 60.0
DEFAULT_MAX_ENTRIES = 512


class CachedSettings:
    """IntegrationSettings with a bounded TTL cache on `get`; `put` writes through."""

    def __init__(self, inner: IntegrationSettings, *, ttl: float = DEFAULT_TTL_SECONDS,
                 max_entries: int = DEFAULT_MAX_ENTRIES, monotonic: Callable[[], float] = time.monotonic) -> None:
        if ttl < 0 or max_entries < 1:
            raise ValueError("ttl must be >= 0 and max_entries >= 1")
        self._inner, self._ttl, self._max, self._now = inner, ttl, max_entries, monotonic
        self._entries: OrderedDict[tuple[str, str], tuple[float, dict[str, Any] | None]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, tenant_id: str, name: str) -> dict[str, Any] | None:
        key = (tenant_id, name)
        now = self._now()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                self._entries.move_to_end(key)
                self.hits += 1
                return _copy(entry[1])
        value = self._inner.get(tenant_id, name)
        self._remember(key, value, now)
        with self._lock:
            self.misses += 1
        return _copy(value)

    def put(self, tenant_id: str, name: str, config: dict[str, Any]) -> None:
        self._inner.put(tenant_id, name, config)
        self._remember((tenant_id, name), config, self._now())

    def names(self, tenant_id: str) -> list[str]:
        return self._inner.names(tenant_id)

    def invalidate(self, tenant_id: str | None = None) -> None:
        with self._lock:
            for key in [k for k in self._entries if tenant_id is None or k[0] == tenant_id]:
                del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)

    def _remember(self, key: tuple[str, str], value: dict[str, Any] | None, now: float) -> None:
        if self._ttl == 0:
            return
        with self._lock:
            self._entries[key] = (now + self._ttl, _copy(value))
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)


def _copy(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Callers may mutate what they get (e.g. the Shippo token list): never hand out the cached dict."""
    import copy

    return copy.deepcopy(value) if value is not None else None
