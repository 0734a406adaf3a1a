"""The one port every context publishes domain events through (EventBridge on AWS)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol


class EventPublisher(Protocol):
    def publish(self, source: str, detail_type: str, detail: Mapping[str, object]) -> None:
        """Put one event on the domain bus; `EventNotPublished` when the bus did not take it."""
        ...

    def publish_entries(self, entries: Sequence[Mapping[str, object]]) -> list[str | None]:
        """Put prepared entries (Source, DetailType, Detail) in as few calls as the bus allows;
        per entry None when taken, else the bus's error code."""
        ...
