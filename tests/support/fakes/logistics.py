"""The logistics context's ParcelStore over dicts, as the DynamoDB adapter keeps it: an event is
stored once per (provider, event id) together with the parcel state, which is conditional on the
parcel's version; the watch index finds parcels by their watch time. (The integration settings
the tracking service reads are the channels fakes' FakeIntegrationSettings.)"""

from __future__ import annotations

from datetime import datetime

from aftersales.core.errors import ConcurrentModification
from aftersales.logistics.events import TrackingEvent
from aftersales.logistics.ports import Parcel, StoredEvent


class InMemoryParcelStore:
    def __init__(self) -> None:
        self.parcels: dict[tuple[str, str], Parcel] = {}
        self.stored_events: dict[tuple[str, str, str, str], StoredEvent] = {}

    def __len__(self) -> int:
        return len(self.parcels)

    def __contains__(self, key: object) -> bool:  # (tenant, tracking number)
        return key in self.parcels

    def get(self, tenant_id: str, tracking_number: str) -> Parcel | None:
        return self.parcels.get((tenant_id, tracking_number))

    def _check_version(self, parcel: Parcel) -> None:
        current = self.parcels.get((parcel.tenant_id, parcel.tracking_number))
        if (current is None and parcel.version != 0) or (current is not None and current.version != parcel.version):
            raise ConcurrentModification("error.concurrent_modification")

    def record(self, parcel: Parcel, event: TrackingEvent, received_at: datetime) -> bool:
        key = (parcel.tenant_id, parcel.tracking_number, event.provider.value, event.provider_event_id)
        if key in self.stored_events:
            return False  # the adapter checks the event's condition first: a redelivery, not a conflict
        self._check_version(parcel)
        self.stored_events[key] = StoredEvent(event=event, received_at=received_at)
        self.parcels[(parcel.tenant_id, parcel.tracking_number)] = parcel.model_copy(
            update={"version": parcel.version + 1})
        return True

    def save(self, parcel: Parcel) -> None:
        self._check_version(parcel)
        self.parcels[(parcel.tenant_id, parcel.tracking_number)] = parcel.model_copy(
            update={"version": parcel.version + 1})

    def events(self, tenant_id: str, tracking_number: str) -> list[StoredEvent]:
        return [e for (t, number, _, _), e in sorted(self.stored_events.items(), key=lambda kv: kv[0])
                if (t, number) == (tenant_id, tracking_number)]

    def event(self, tenant_id: str, tracking_number: str, provider: str, event_id: str) -> StoredEvent | None:
        return self.stored_events.get((tenant_id, tracking_number, provider, event_id))

    def mark_acted(self, tenant_id: str, tracking_number: str, provider: str, event_id: str) -> None:
        key = (tenant_id, tracking_number, provider, event_id)
        self.stored_events[key] = self.stored_events[key].model_copy(update={"acted": True})

    def due(self, until: datetime, since: datetime) -> list[Parcel]:
        """Watched parcels of the days since..until whose watch time is at most `until` (the adapter
        queries one day bucket per day, up to `until`)."""
        return sorted((p for p in self.parcels.values() if p.watch_at is not None
                       and since.date() <= p.watch_at.date() <= until.date() and p.watch_at <= until),
                      key=lambda p: p.watch_at)

