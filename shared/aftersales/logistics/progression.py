"""Parcel status progression: fold tracking events into one parcel state.

Webhooks arrive late, twice and out of order. The rules:
- a duplicate provider event id changes nothing;
- UNKNOWN never changes the status (it only says the provider knows nothing);
- the linear statuses are ranked and `progress` (the highest reached) never decreases;
- EXCEPTION / EXPIRED are not on the line: they show while they are the newest news, and a newer
  forward scan at or beyond the progress clears them (problem resolved);
- DELIVERED can only be followed by RETURNING / RETURNED, and RETURNED is final.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, ConfigDict

from aftersales.core.model import DomainModel
from aftersales.logistics.events import SubStatus, TrackingEvent, TrackingStatus

T = TrackingStatus

RANK: dict[TrackingStatus, int] = {
    T.UNKNOWN: 0,
    T.INFO_RECEIVED: 1,
    T.IN_TRANSIT: 2,
    T.OUT_FOR_DELIVERY: 3,
    T.AVAILABLE_FOR_PICKUP: 4,
    T.DELIVERED: 5,
    T.RETURNING: 6,
    T.RETURNED: 7,
}
OFF_LINE = frozenset({T.EXCEPTION, T.EXPIRED})
# After delivery only the return leg can still move the parcel.
SETTLED = frozenset({T.DELIVERED, T.RETURNING, T.RETURNED})


class ParcelState(DomainModel):
    model_config = ConfigDict(frozen=True)

    tracking_number: str
    status: TrackingStatus = T.UNKNOWN
    sub_status: SubStatus = SubStatus.NONE
    progress: TrackingStatus = T.UNKNOWN
    status_at: AwareDatetime | None = None
    last_checkpoint_at: AwareDatetime | None = None
    raw_status: str | None = None
    raw_sub_status: str | None = None
    seen_event_ids: frozenset[str] = frozenset()

    @classmethod
    def new(cls, tracking_number: str) -> ParcelState:
        return cls(tracking_number=tracking_number)


def _not_older(event_at: datetime | None, state_at: datetime | None) -> bool:
    """Undated events count as current: carriers do send status-only updates."""
    return event_at is None or state_at is None or event_at >= state_at


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


def _show(state: ParcelState, event: TrackingEvent, progress: TrackingStatus) -> ParcelState:
    return state.model_copy(update={
        "status": event.status, "sub_status": event.sub_status, "progress": progress,
        "status_at": event.occurred_at or state.status_at,
        "raw_status": event.raw_status, "raw_sub_status": event.raw_sub_status,
    })


def _merge_linear(state: ParcelState, event: TrackingEvent) -> ParcelState:
    rank, progress_rank = RANK[event.status], RANK[state.progress]
    newer = _not_older(event.occurred_at, state.status_at)
    if rank > progress_rank:
        if state.status in OFF_LINE and not newer:
            # A late scan from before the exception: record how far the parcel got, keep the alert.
            return state.model_copy(update={"progress": event.status})
        return _show(state, event, event.status)
    if rank == progress_rank and newer:
        return _show(state, event, state.progress)
    return state


def _merge_off_line(state: ParcelState, event: TrackingEvent) -> ParcelState:
    if state.progress in SETTLED:
        return state
    if _not_older(event.occurred_at, state.status_at):
        return _show(state, event, state.progress)
    return state


def merge(state: ParcelState, event: TrackingEvent) -> ParcelState:
    if event.provider_event_id in state.seen_event_ids:
        return state
    seen = state.model_copy(update={
        "seen_event_ids": state.seen_event_ids | {event.provider_event_id},
        "last_checkpoint_at": _latest(state.last_checkpoint_at, event.occurred_at),
    })
    if event.status is T.UNKNOWN:
        return seen
    if event.status in OFF_LINE:
        return _merge_off_line(seen, event)
    return _merge_linear(seen, event)
