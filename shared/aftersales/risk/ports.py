"""Port for the counter store a stream consumer keeps current (DynamoDB adapter later)."""

from __future__ import annotations

from typing import Protocol

from .counters import CounterState


class CounterStore(Protocol):
    def load(self, tenant_id: str, key: str) -> tuple[CounterState, int]:
        """The state (empty when new) and its version for the conditional write."""

    def save(self, tenant_id: str, state: CounterState, expected_version: int) -> None:
        """Write only if the stored version is still `expected_version`; else ConcurrentModification."""
