"""Each provider message is taken in once: its external id is claimed (a conditional put of a
dedupe marker) before anything is filed, and the claim is forgotten again when filing fails, so
the provider's retry (or the queue's redelivery) is taken instead of answered as a duplicate."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from aftersales.channels.ports import DedupeMarkers

T = TypeVar("T")


class Dedupe:
    def __init__(self, markers: DedupeMarkers) -> None:
        self._markers = markers

    def once(self, tenant_id: str, source: str, external_id: str, work: Callable[[], T]) -> T | None:
        """`work()` the first time `external_id` of `source` is seen; None when it was seen before.
        Whatever `work` raises is raised after the claim is forgotten."""
        if not self._markers.first_seen(tenant_id, source, external_id):
            return None
        try:
            return work()
        except Exception:
            self._markers.forget(tenant_id, source, external_id)
            raise
