"""EventBridge adapter: SLA notifications and outbound requests on the domain bus."""

from __future__ import annotations

import json
from collections.abc import Mapping

from aftersales.core.errors import DomainError

SLA_SOURCE = "aftersales.sla"


class EventBridgeNotifier:
    def __init__(self, bus_name: str, client=None, source: str = SLA_SOURCE) -> None:
        self._bus = bus_name
        self._client = client
        self._source = source

    def _events(self):
        if self._client is None:
            import boto3

            self._client = boto3.client("events")
        return self._client

    def publish(self, detail_type: str, detail: Mapping[str, object]) -> None:
        entry = {"Source": self._source, "DetailType": detail_type, "EventBusName": self._bus,
                 "Detail": json.dumps(dict(detail), ensure_ascii=False, default=str)}
        try:
            result = self._events().put_events(Entries=[entry])
        except Exception as exc:  # botocore errors: one domain error for the caller
            raise DomainError("error.event_publish_failed", detail_type=detail_type) from exc
        if result.get("FailedEntryCount"):
            raise DomainError("error.event_publish_failed", detail_type=detail_type)


class RecordingNotifier:
    """In-memory notifier for tests and benches."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict]] = []

    def publish(self, detail_type: str, detail: Mapping[str, object]) -> None:
        self.events.append((detail_type, dict(detail)))
