"""The EventBridge adapter: every domain event of every context goes through `EventBridgePublisher`.

The client is created on first use, never at import.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from aftersales.core.errors import EventNotPublished

PUT_EVENTS_MAX = 10  # EventBridge entries per PutEvents call


class EventBridgePublisher:
    def __init__(self, bus_name: str, client: Any = None) -> None:
        self.bus_name = bus_name
        self._client = client

    def _events(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("events")
        return self._client

    def publish(self, source: str, detail_type: str, detail: Mapping[str, object]) -> None:
        entry = {"Source": source, "DetailType": detail_type,
                 "Detail": json.dumps(dict(detail), ensure_ascii=False, default=str)}
        if self.publish_entries([entry]) != [None]:
            raise EventNotPublished("error.event_not_published", detail_type=detail_type)

    def publish_entries(self, entries: Sequence[Mapping[str, object]]) -> list[str | None]:
        outcomes: list[str | None] = []
        for start in range(0, len(entries), PUT_EVENTS_MAX):
            chunk = [{**e, "EventBusName": self.bus_name} for e in entries[start:start + PUT_EVENTS_MAX]]
            try:
                result = self._events().put_events(Entries=chunk)
            except Exception as exc:  # botocore's errors: one domain error for every caller
                raise EventNotPublished("error.event_not_published", detail_type=str(chunk[0]["DetailType"])
                                        ) from exc
            outcomes.extend(r.get("ErrorCode") for r in result["Entries"])
        return outcomes


class RecordingPublisher:
    """In-memory publisher for tests and benches: `events` holds (detail_type, detail), `sources` the
    source of each."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict]] = []
        self.sources: list[str] = []

    def publish(self, source: str, detail_type: str, detail: Mapping[str, object]) -> None:
        self.events.append((detail_type, dict(detail)))
        self.sources.append(source)

    def publish_entries(self, entries: Sequence[Mapping[str, object]]) -> list[str | None]:
        for e in entries:
            self.publish(str(e["Source"]), str(e["DetailType"]), json.loads(str(e["Detail"])))
        return [None] * len(entries)
