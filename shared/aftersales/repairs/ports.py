"""Ports the repairs service needs; adapters (and the tickets and tenants contexts) implement them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from aftersales.logistics.ports import Parcel, Registration
from aftersales.orders.domain import Order
from aftersales.repairs.model import ChargeClaim, Job, Part, Provider, Technician
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tickets.model import Status


@dataclass(frozen=True)
class JobPage:
    items: list[Job]
    cursor: str | None


@dataclass(frozen=True)
class PartTrace:
    """One consumed part as the serial and batch indexes find it: which job, ticket and customer."""

    tenant_id: str
    job_id: str
    ticket_id: str
    customer_id: str
    provider_id: str
    part_number: str
    serial: str | None
    batch: str | None
    removed_serial: str | None
    recorded_at: str


@dataclass(frozen=True)
class TracePage:
    items: list[PartTrace]
    cursor: str | None


class RepairStore(Protocol):
    def create_job(self, job: Job) -> None:
        """Conflict `repairs.already_offered` when the ticket already has a job for this attempt."""

    def save_job(self, job: Job, expected_version: int) -> None:
        """Replace, conditional on the stored version (ConcurrentModification otherwise); the parts
        the job consumed are written with it, each found by its serial and its batch."""

    def get_job(self, tenant_id: str, job_id: str) -> Job | None: ...

    def jobs_for_ticket(self, tenant_id: str, ticket_id: str) -> list[Job]: ...

    def jobs_for_provider(self, tenant_id: str, provider_id: str, *, open_only: bool, limit: int,
                          cursor: str | None) -> JobPage:
        """The provider's jobs, newest first (an index query, no scan)."""

    def jobs_for_technician(self, tenant_id: str, provider_id: str, technician_id: str, *, open_only: bool,
                            limit: int, cursor: str | None) -> JobPage:
        """The provider's jobs assigned to this technician (`Job.technician_id`), as jobs_for_provider."""

    def open_jobs(self, tenant_id: str, provider_id: str) -> int:
        """How many open jobs the provider holds (its load against its capacity)."""

    def by_serial(self, tenant_id: str, serial: str) -> list[PartTrace]:
        """Consumed parts with this serial, fitted or removed (an index query)."""

    def by_batch(self, tenant_id: str, batch: str, *, limit: int, cursor: str | None) -> TracePage: ...

    def put_provider(self, provider: Provider) -> None: ...
    def get_provider(self, tenant_id: str, provider_id: str) -> Provider | None: ...
    def providers(self, tenant_id: str) -> list[Provider]: ...
    def put_technician(self, technician: Technician) -> None: ...
    def get_technician(self, tenant_id: str, provider_id: str, technician_id: str) -> Technician | None: ...
    def technicians(self, tenant_id: str, provider_id: str) -> list[Technician]: ...
    def put_part(self, part: Part) -> None: ...
    def get_part(self, tenant_id: str, part_number: str) -> Part | None: ...
    def parts(self, tenant_id: str) -> list[Part]: ...


class RepairTickets(Protocol):
    """The tickets context as repairs use it (TicketService): read the ticket and its order, move
    it through its transition table, note a step on its audit chain."""

    def get(self, tenant_id: str, ticket_id: str, actor: Actor) -> Ticket: ...

    def get_order(self, tenant_id: str, order_id: str, actor: Actor) -> Order: ...

    def transition(self, tenant_id: str, ticket_id: str, target: Status, actor: Actor, *,
                   reason: str | None = None, data: dict[str, Any] | None = None) -> Ticket: ...

    def note(self, tenant_id: str, ticket_id: str, event: str, actor: Actor, *,
             reason: str | None = None, data: dict[str, Any] | None = None, after_close: bool = False) -> Ticket: ...

    def audit(self, tenant_id: str, ticket_id: str, actor: Actor) -> list[AuditEntry]: ...


@dataclass(frozen=True)
class IssuedProviderKey:
    api_key: str  # shown once
    key_id: str
    provider_id: str
    technician_id: str | None = None  # a technician's key


class ProviderKeys(Protocol):
    """The tenants context issuing a provider-scoped API key (or one of its technician's), and
    revoking a technician's."""

    def issue_provider_key(self, tenant_id: str, provider_id: str, name: str, *, by: str) -> IssuedProviderKey: ...

    def issue_technician_key(self, tenant_id: str, provider_id: str, technician_id: str, name: str, *,
                             by: str) -> IssuedProviderKey: ...

    def revoke_technician_key(self, tenant_id: str, provider_id: str, technician_id: str, key_id: str, *,
                              by: str) -> None:
        """NotFound `error.api_key_not_found` unless the key is this technician's; revoking twice is no change."""


class RepairRefunds(Protocol):
    """The refunds context (RefundService): the ticket's repair charge claim, what its refund took
    off for the repair and the charge moves claimed, written conditionally by both sides."""

    def repair_charge(self, tenant_id: str, ticket_id: str) -> ChargeClaim: ...

    def claim_charge(self, tenant_id: str, ticket_id: str, claim: ChargeClaim) -> bool:
        """Write the claim at the version it was read; False when a grant or a move came first."""


class JobParcels(Protocol):
    """The logistics context's parcel registry (aftersales.logistics.service.TrackingService): a
    job's parcels are registered there and matched to the carrier's events."""

    def parcel(self, tenant_id: str, tracking_number: str) -> Parcel:
        """NotFound when no event or registration exists for the number."""

    def register(self, tenant_id: str, tracking_number: str, registration: Registration
                 ) -> tuple[Parcel, list[str]]:
        """Stores the registration and acts on the parcel's parked events; returns what they caused."""



class VisitPhotoChecks(Protocol):
    """The media context (aftersales.media.service.MediaService.check_visit_photos): the photos a
    check-in names are the job's own."""

    def check_visit_photos(self, tenant_id: str, job_id: str, media_ids: list[str]) -> None:
        """InvalidRequest at `media_ids[i]` unless each id is a ready `repair_visit` media item of the
        tenant granted through this job (POST /repairs/jobs/{id}/photos)."""


@dataclass(frozen=True)
class JobClock:
    """One of the SLA engine's repair clocks on a ticket (repair_accept, repair_first_visit,
    repair_returned_by_provider), as last recomputed: when it started and when it is due."""

    metric: str
    started_at: datetime
    due_at: datetime | None  # None while paused


class RepairClocks(Protocol):
    """The SLA engine's clocks (aftersales.sla.service.SlaService.clocks), its repair metrics only."""

    def repair_clocks(self, tenant_id: str, ticket_ids: list[str]) -> dict[str, list[JobClock]]:
        """Per ticket id, in one batch read (at most 100 ids)."""
