"""Ports and records of the logistics context."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import AwareDatetime, ConfigDict

from aftersales.core.model import DomainModel
from aftersales.logistics.events import TrackingEvent
from aftersales.logistics.exception_policy import CustomsDeclaration
from aftersales.logistics.progression import ParcelState


class Registration(DomainModel):
    """What the merchant told us about a parcel: whose it is and which way it travels."""

    model_config = ConfigDict(frozen=True)

    direction: Literal["outbound", "return", "repair_in", "repair_out", "part_return"]
    order_id: str
    ticket_id: str | None = None  # return and repair parcels: the ticket whose goods travel in it
    repair_job_id: str | None = None  # repair parcels: the repair job (repairs context) they belong to
    carrier: str | None = None
    declaration: CustomsDeclaration | None = None
    label_issued_at: AwareDatetime | None = None
    registered_at: AwareDatetime


class Parcel(DomainModel):
    tenant_id: str
    state: ParcelState
    registration: Registration | None = None
    version: int = 0  # optimistic lock of the state item (0 = not stored yet)
    watch_at: AwareDatetime | None = None  # next label-expiry / stall check (sparse index)
    alerted_at: AwareDatetime | None = None
    outcome: dict[str, Any] = {}  # what the parcel already caused (ticket ids, alerts)
    # The newest provider status we could not map: kept and shown, never dropped.
    unknown_status: dict[str, Any] | None = None

    @property
    def tracking_number(self) -> str:
        return self.state.tracking_number


class StoredEvent(DomainModel):
    event: TrackingEvent
    received_at: AwareDatetime
    acted: bool = False


REPAIR_DIRECTIONS = frozenset({"repair_in", "repair_out", "part_return"})


class RepairParcelFollower(Protocol):
    """The repairs context, told what the carrier said of a repair parcel (it moves the job)."""

    def parcel_progressed(self, tenant_id: str, job_id: str, *, tracking_number: str, direction: str,
                          status: str) -> list[str]:
        """What the parcel's state caused on the job (nothing when the job is past that step)."""


class ParcelStore(Protocol):
    def get(self, tenant_id: str, tracking_number: str) -> Parcel | None: ...

    def record(self, parcel: Parcel, event: TrackingEvent, received_at: datetime) -> bool:
        """Stores the event (conditional on its id being new) and the parcel state (conditional
        on `parcel.version`) in one transaction. False when the event id was already stored;
        raises ConcurrentModification when the parcel moved meanwhile."""

    def save(self, parcel: Parcel) -> None:
        """State/registration/watch update, conditional on `parcel.version`."""

    def events(self, tenant_id: str, tracking_number: str) -> list[StoredEvent]: ...

    def event(self, tenant_id: str, tracking_number: str, provider: str, event_id: str) -> StoredEvent | None: ...

    def mark_acted(self, tenant_id: str, tracking_number: str, provider: str, event_id: str) -> None: ...

    def due(self, until: datetime, since: datetime) -> list[Parcel]:
        """Parcels whose watch time is in [since, until] (index query per day bucket, no scan)."""
