"""Per-tenant access tokens of a platform API (WeCom, Douyin), kept in the container's memory and
renewed a margin ahead of their expiry, or at once when the platform says a token went bad."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from aftersales.core.clock import Clock


class TokenCache:
    def __init__(self, clock: Clock, renew_before: timedelta = timedelta(minutes=5)) -> None:
        self._clock, self._renew_before = clock, renew_before
        self._tokens: dict[str, tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    def get(self, tenant_id: str, fetch: Callable[[], tuple[str, int]], *, renew: bool = False) -> str:
        """The cached token, or `fetch()` -> (token, seconds it stays valid) when none is fresh."""
        now = self._clock.now()
        with self._lock:
            cached = self._tokens.get(tenant_id)
        if cached and not renew and cached[1] - self._renew_before > now:
            return cached[0]
        token, lifetime = fetch()
        with self._lock:
            self._tokens[tenant_id] = (token, now + timedelta(seconds=lifetime))
        return token
