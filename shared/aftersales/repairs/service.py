"""Repair job use cases: offer a repair ticket to the first eligible provider (and the next one
after a decline), the provider's steps on its own jobs, the customer's quote decision and
confirmation, the merchant's view, and the serial / batch lookups.

The job drives the ticket's repair states through TicketService (the tickets' transition table
decides): check-in -> repair_in_progress, repaired -> repaired, not repairable -> unrepairable,
confirmed (repaired) -> returned_to_customer, closed (repaired) -> closed. An unrepairable
ticket stays unrepairable for the merchant's replacement or refund decision. Offers, acceptances,
declines, bookings and diagnoses are noted on the ticket's audit chain. The ticket moves first
and is skipped when already there, so a retry after a lost job write converges.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger

from aftersales.core.clock import Clock
from aftersales.core.errors import (
    ConcurrentModification,
    Conflict,
    Forbidden,
    IllegalTransition,
    NotFound,
    PreconditionFailed,
)
from aftersales.core.ids import new_id
from aftersales.core.money import Money
from aftersales.events.ports import EventPublisher
from aftersales.logistics.ports import Registration
from aftersales.repairs import domain
from aftersales.repairs import parcels as job_parcels
from aftersales.repairs.costs import JobSettlements
from aftersales.repairs.model import (
    Coverage,
    Job,
    JobActor,
    JobParcel,
    JobStatus,
    Location,
    ParcelDirection,
    Party,
    Provider,
    Window,
)
from aftersales.repairs.ports import (
    JobPage,
    JobParcels,
    PartTrace,
    RepairStore,
    RepairTickets,
    TracePage,
    VisitPhotoChecks,
)
from aftersales.repairs.registry import ProviderRegistry
from aftersales.sla.calendar import BusinessCalendar
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Role, Status, TicketType

logger = Logger(child=True)
SOURCE = "aftersales.repairs"
DISPATCHER = JobActor(party=Party.SYSTEM, id="system:repairs")
CARRIER = JobActor(party=Party.SYSTEM, id="system:carrier")  # a carrier scan through the logistics context
MAX_ATTEMPTS = 3
CODE_DIGITS = 6
WITHDRAWABLE = {  # the SLA metric a job missed -> the statuses it can be taken back in
    "repair_accept": frozenset({JobStatus.OFFERED}),
    "repair_first_visit": frozenset({JobStatus.ACCEPTED, JobStatus.BOOKED}),
}
SENT_EVENTS = {ParcelDirection.REPAIR_IN: "repair.shipped_in", ParcelDirection.REPAIR_OUT: "repair.shipped_back",
               ParcelDirection.PART_RETURN: "repair.part_return_shipped"}  # the move a parcel's post is
VISIT_FACTS = ("window", "eta")  # what the customer's messages and tracking page tell of the visit
TICKET_STATUS = {  # the ticket state a job move drives
    JobStatus.CHECKED_IN: Status.REPAIR_IN_PROGRESS,
    JobStatus.AT_DEPOT: Status.REPAIR_IN_PROGRESS,
    JobStatus.REPAIRED: Status.REPAIRED,
    JobStatus.NOT_REPAIRABLE: Status.UNREPAIRABLE,
}


def ticket_actor(actor: JobActor) -> Actor:
    """Repairs move the ticket as platform automation; who acted on the job is in the entry's data."""
    return Actor(id=f"repairs:{actor.provider_id or actor.id}", roles=frozenset({Role.SYSTEM}),
                 request_id=actor.request_id)


def _code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


class RepairService:
    def __init__(self, store: RepairStore, tickets: RepairTickets, registry: ProviderRegistry,
                 events: EventPublisher, clock: Clock, id_factory: Callable[[], str] | None = None,
                 code_factory: Callable[[], str] = _code, *, photos: VisitPhotoChecks,
                 parcels: JobParcels | None = None, settlements: JobSettlements | None = None) -> None:
        self._store = store
        self._photos = photos
        self._tickets = tickets
        self._registry = registry
        self._events = events
        self._clock = clock
        self._new_id = id_factory or (lambda: new_id("rjob", self._clock.now()))
        self._new_code = code_factory
        self._parcels = parcels
        self._settlements = settlements or JobSettlements(tickets)

    @property
    def registry(self) -> ProviderRegistry:
        return self._registry

    # ------------------------------------------------------------------ reads
    def job(self, tenant_id: str, job_id: str, actor: JobActor) -> Job:
        """The one read every step goes through: another provider's job, or another technician's, does
        not exist for this actor (404); a technician's key of a technician no longer active reads nothing."""
        self._active_technician(tenant_id, actor)
        job = self._store.get_job(tenant_id, job_id)
        if job is None or not domain.can_view(job, actor):
            raise NotFound("repairs.job_not_found", job_id=job_id)  # another provider's job does not exist
        return job

    def _active_technician(self, tenant_id: str, actor: JobActor) -> None:
        if actor.party == Party.TECHNICIAN:
            self._registry.technician(tenant_id, actor.provider_id or "", actor.technician_id or "")

    def for_ticket(self, tenant_id: str, ticket_id: str, actor: JobActor) -> list[Job]:
        return [j for j in self._store.jobs_for_ticket(tenant_id, ticket_id) if domain.can_view(j, actor)]

    def provider_jobs(self, tenant_id: str, actor: JobActor, *, provider_id: str | None = None, open_only: bool,
                      limit: int, cursor: str | None) -> JobPage:
        """A provider's own jobs (its credentials name the provider), a technician's the jobs assigned
        to it; the merchant names the provider."""
        if actor.party == Party.TECHNICIAN:
            self._active_technician(tenant_id, actor)
            return self._store.jobs_for_technician(tenant_id, actor.provider_id or "", actor.technician_id or "",
                                                   open_only=open_only, limit=limit, cursor=cursor)
        wanted = actor.provider_id if actor.party == Party.PROVIDER else provider_id
        if wanted is None:
            raise NotFound("repairs.provider_not_found", provider_id=None)
        return self._store.jobs_for_provider(tenant_id, wanted, open_only=open_only, limit=limit, cursor=cursor)

    def by_serial(self, tenant_id: str, serial: str) -> list[PartTrace]:
        return self._store.by_serial(tenant_id, serial)

    def by_batch(self, tenant_id: str, batch: str, *, limit: int, cursor: str | None) -> TracePage:
        return self._store.by_batch(tenant_id, batch, limit=limit, cursor=cursor)

    # ------------------------------------------------------------------ dispatch
    def dispatch(self, tenant_id: str, ticket_id: str, *, skill: str | None = None) -> Job | None:
        """Offer a dispatched repair ticket to the first eligible provider not yet offered it.
        Idempotent: an open job for the ticket is returned as it is. None: nobody is left (noted
        on the ticket for the merchant)."""
        jobs = self._store.jobs_for_ticket(tenant_id, ticket_id)
        current = next((j for j in jobs if j.is_open), None)
        if current is not None:
            return current
        system = ticket_actor(DISPATCHER)
        ticket = self._tickets.get(tenant_id, ticket_id, system)
        if ticket.type != TicketType.REPAIR or ticket.status != Status.REPAIR_DISPATCHED:
            raise IllegalTransition("repairs.ticket_not_dispatched", ticket_id=ticket_id, status=ticket.status.value)
        order = self._tickets.get_order(tenant_id, ticket.order_id, system)
        brands = {(order.line(ln.line_id).category or "") for ln in ticket.lines if order.line(ln.line_id)}
        excluded = {j.provider_id for j in jobs}
        chosen = self._first_eligible(tenant_id, country=order.shipping.country, brands=brands, skill=skill,
                                      excluded=excluded)
        if chosen is None:
            self._tickets.note(tenant_id, ticket_id, "ticket.repair_no_provider", system,
                               data={"declined_by": sorted(excluded)})
            self._events.publish(SOURCE, "repair.no_provider", {"tenant_id": tenant_id, "ticket_id": ticket_id,
                                                                "dedup_key": f"{ticket_id}#none#{len(jobs)}"})
            return None
        job = domain.offer(job_id=self._new_id(), tenant_id=tenant_id, ticket_id=ticket_id,
                           customer_id=ticket.customer_id, order_id=ticket.order_id, provider=chosen,
                           skus=[ln.sku for ln in ticket.lines], currency=ticket.requested_amount.currency,
                           attempt=len(jobs) + 1, actor=DISPATCHER, at=self._clock.now())
        self._store.create_job(job)
        self._tickets.note(tenant_id, ticket_id, "ticket.repair_offered", system,
                           data={"job_id": job.job_id, "provider_id": chosen.provider_id, "attempt": job.attempt})
        self._publish(job)
        return job

    def first_eligible_provider(self, tenant_id: str, *, country: str, brands: set[str]) -> str | None:
        """Whether anyone can take a repair shipped to `country` of these brands now (the money path
        asks before it dispatches the ticket)."""
        chosen = self._first_eligible(tenant_id, country=country, brands=brands, skill=None, excluded=set())
        return chosen.provider_id if chosen else None

    def _first_eligible(self, tenant_id: str, *, country: str, brands: set[str], skill: str | None,
                        excluded: set[str]) -> Provider | None:
        """The rules on the registry first; a provider's load is read only when it would be chosen."""
        providers = self._registry.providers(tenant_id)
        while True:
            candidate = domain.next_provider(providers, country=country, brands=brands, skill=skill, load={},
                                             excluded=excluded)
            if candidate is None:
                return None
            load = {candidate.provider_id: self._store.open_jobs(tenant_id, candidate.provider_id)}
            if domain.eligible(candidate, country=country, brands=brands, skill=skill,
                               open_jobs=load[candidate.provider_id]):
                return candidate
            excluded = excluded | {candidate.provider_id}

    def redispatch_overdue(self, tenant_id: str, ticket_id: str, *, metric: str, since: datetime) -> str:
        """The SLA engine's re-dispatch (repair_accept, repair_first_visit breached): the ticket's open
        job, if it is still the one the deadline started with and still short of the step it was
        due, is withdrawn from its provider and the next eligible provider is offered the ticket."""
        waiting = WITHDRAWABLE.get(metric, frozenset())
        current = next((j for j in self._store.jobs_for_ticket(tenant_id, ticket_id) if j.is_open), None)
        if current is None or current.status not in waiting or current.created_at > since:
            return "skipped"
        now = self._clock.now()
        try:
            self._mutate(tenant_id, current.job_id, DISPATCHER,
                         lambda j: domain.withdraw(j, DISPATCHER, at=now, reason=f"{metric}_breached"), None,
                         note="ticket.repair_withdrawn")
        except (IllegalTransition, Conflict):  # answered or visited meanwhile
            return "skipped"
        try:
            return "redispatched" if self.dispatch(tenant_id, ticket_id) else "withdrawn_no_provider"
        except IllegalTransition:  # staff moved the ticket on meanwhile
            return "withdrawn_no_provider"

    # ------------------------------------------------------------------ the provider's steps
    def accept(self, tenant_id: str, job_id: str, actor: JobActor, *, expected_version: int | None = None) -> Job:
        return self._mutate(tenant_id, job_id, actor, lambda j: domain.accept(j, actor, at=self._clock.now()),
                            expected_version, note="ticket.repair_accepted")

    def decline(self, tenant_id: str, job_id: str, actor: JobActor, *, reason: str,
                expected_version: int | None = None) -> tuple[Job, Job | None]:
        """The declined job, and the offer to the next eligible provider (None when nobody is left)."""
        job = self._mutate(tenant_id, job_id, actor,
                           lambda j: domain.decline(j, actor, at=self._clock.now(), reason=reason),
                           expected_version, note="ticket.repair_declined")
        try:
            return job, self.dispatch(tenant_id, job.ticket_id)
        except IllegalTransition:  # staff moved the ticket on meanwhile: the decline stands, nothing is offered
            return job, None

    def book(self, tenant_id: str, job_id: str, actor: JobActor, *, window: Window, technician_id: str | None,
             expected_version: int | None = None) -> Job:
        def change(job: Job) -> Job:
            return domain.book(job, actor, at=self._clock.now(), window=window, technician_id=technician_id,
                               availability=self._hours(tenant_id, job.provider_id, technician_id))

        return self._mutate(tenant_id, job_id, actor, change, expected_version, note="ticket.repair_booked")

    def reschedule(self, tenant_id: str, job_id: str, actor: JobActor, *, window: Window, reason: str,
                   technician_id: str | None = None, expected_version: int | None = None) -> Job:
        def change(job: Job) -> Job:
            named = technician_id or (job.appointment.technician_id if job.appointment else None)
            return domain.reschedule(job, actor, at=self._clock.now(), window=window, reason=reason,
                                     technician_id=technician_id,
                                     availability=self._hours(tenant_id, job.provider_id, named))

        return self._mutate(tenant_id, job_id, actor, change, expected_version, note="ticket.repair_rescheduled")

    def _hours(self, tenant_id: str, provider_id: str, technician_id: str | None) -> BusinessCalendar | None:
        """When a visit may be booked: the technician's hours, else the provider's (None: any time).
        A named technician must exist and be active (404 otherwise)."""
        if technician_id:
            technician = self._registry.technician(tenant_id, provider_id, technician_id)
            if technician.availability is not None:
                return technician.availability
        return self._registry.provider(tenant_id, provider_id).availability

    def on_the_way(self, tenant_id: str, job_id: str, actor: JobActor, *, eta: datetime | None = None,
                   technician_id: str | None = None, expected_version: int | None = None) -> Job:
        def change(job: Job) -> Job:
            if technician_id:
                self._registry.technician(tenant_id, job.provider_id, technician_id)
            return domain.on_the_way(job, actor, at=self._clock.now(), eta=eta, technician_id=technician_id)

        return self._mutate(tenant_id, job_id, actor, change, expected_version, note="ticket.repair_on_the_way")

    def check_in(self, tenant_id: str, job_id: str, actor: JobActor, *, location: Location | None = None,
                 media_ids: Sequence[str] = (), technician_id: str | None = None,
                 expected_version: int | None = None) -> Job:
        """The photos named are the job's own, checked ones (422 at `media_ids[i]` otherwise), looked
        up once the job is the actor's and the move allowed."""
        def checked_in(job: Job) -> Job:
            moved = domain.check_in(job, actor, at=self._clock.now(), location=location, media_ids=media_ids,
                                    technician_id=technician_id)
            if media_ids:
                self._photos.check_visit_photos(tenant_id, job.job_id, list(media_ids))
            return moved

        return self._mutate(tenant_id, job_id, actor, checked_in, expected_version)

    def diagnose(self, tenant_id: str, job_id: str, actor: JobActor, *, fault_code: str, coverage: Coverage,
                 labour: Money, parts_estimate: Money, note: str | None = None,
                 expected_version: int | None = None) -> Job:
        return self._mutate(tenant_id, job_id, actor,
                            lambda j: domain.diagnose(j, actor, at=self._clock.now(), fault_code=fault_code,
                                                      coverage=coverage, labour=labour,
                                                      parts_estimate=parts_estimate, note=note),
                            expected_version, note="ticket.repair_diagnosed")

    def record_part(self, tenant_id: str, job_id: str, actor: JobActor, *, part_number: str, quantity: int = 1,
                    serial: str | None = None, batch: str | None = None, removed_serial: str | None = None,
                    expected_version: int | None = None) -> Job:
        part = self._registry.part(tenant_id, part_number)
        return self._mutate(tenant_id, job_id, actor,
                            lambda j: domain.record_part(j, actor, at=self._clock.now(), part=part, quantity=quantity,
                                                         serial=serial, batch=batch, removed_serial=removed_serial),
                            expected_version)

    def repaired(self, tenant_id: str, job_id: str, actor: JobActor, *, note: str | None = None,
                 expected_version: int | None = None) -> Job:
        code = self._new_code()
        job = self._mutate(tenant_id, job_id, actor,
                           lambda j: domain.repaired(j, actor, at=self._clock.now(), code=code, note=note),
                           expected_version)
        self._issue_code(job, code)
        return job

    def not_repairable(self, tenant_id: str, job_id: str, actor: JobActor, *, reason: str,
                       expected_version: int | None = None) -> Job:
        code = self._new_code()
        job = self._mutate(tenant_id, job_id, actor,
                           lambda j: domain.not_repairable(j, actor, at=self._clock.now(), code=code, reason=reason),
                           expected_version)
        self._issue_code(job, code)
        return job

    def close(self, tenant_id: str, job_id: str, actor: JobActor, *, expected_version: int | None = None) -> Job:
        return self._mutate(tenant_id, job_id, actor, lambda j: domain.close(j, actor, at=self._clock.now()),
                            expected_version)

    # ------------------------------------------------------------------ the customer's steps
    def decide_quote(self, tenant_id: str, job_id: str, actor: JobActor, *, approve: bool,
                     expected_version: int | None = None) -> Job:
        return self._mutate(tenant_id, job_id, actor,
                            lambda j: domain.decide_quote(j, actor, at=self._clock.now(), approve=approve),
                            expected_version, note="ticket.repair_quote_decided")

    def confirm(self, tenant_id: str, job_id: str, actor: JobActor, *, code: str) -> Job:
        """The customer's one-time code (the customer, or the technician it was read out to). A wrong
        code is counted on the job (audited) and answered 403; a few lock it."""
        try:
            return self._mutate(tenant_id, job_id, actor, lambda j: self._settlements.settle(
                domain.confirm(j, actor, at=self._clock.now(), code=code), ticket_actor(actor)), None)
        except domain.WrongCode as wrong:
            self._store.save_job(wrong.job, wrong.job.version - 1)
            raise

    # ------------------------------------------------------------------ parcels (depot repair, part returns)
    def ship_in(self, tenant_id: str, job_id: str, actor: JobActor, *, carrier: str, tracking_number: str,
                expected_version: int | None = None) -> Job:
        """The customer (or the storefront for them) sends the item to the provider's depot."""
        return self._send(tenant_id, job_id, actor, ParcelDirection.REPAIR_IN, carrier, tracking_number,
                          None, expected_version, job_parcels.ship_in, "ticket.repair_shipped_in")

    def ship_back(self, tenant_id: str, job_id: str, actor: JobActor, *, carrier: str, tracking_number: str,
                  expected_version: int | None = None) -> Job:
        """The provider returns the repaired (or unrepairable) item to the customer."""
        return self._send(tenant_id, job_id, actor, ParcelDirection.REPAIR_OUT, carrier, tracking_number,
                          None, expected_version, job_parcels.ship_back, "ticket.repair_shipped_back")

    def ship_part_return(self, tenant_id: str, job_id: str, actor: JobActor, *, carrier: str,
                         tracking_number: str, removed_serial: str, expected_version: int | None = None) -> Job:
        """The provider sends a removed defective part the merchant asked back (the catalogue's flag)."""
        return self._send(tenant_id, job_id, actor, ParcelDirection.PART_RETURN, carrier, tracking_number,
                          removed_serial, expected_version, job_parcels.ship_part_return,
                          "ticket.repair_part_returned")

    def _send(self, tenant_id: str, job_id: str, actor: JobActor, direction: ParcelDirection, carrier: str,
              tracking_number: str, removed_serial: str | None, expected_version: int | None,
              step: Callable[..., Job], note: str) -> Job:
        if self._parcels is None:
            raise NotFound("repairs.parcels_unavailable", job_id=job_id)
        job = self.job(tenant_id, job_id, actor)
        if not domain.permits(actor, SENT_EVENTS[direction]):  # a repeated post registers again: not for anyone
            raise Forbidden("error.role_not_permitted", required=sorted(
                {p.value for m in domain.MOVES if m.event == SENT_EVENTS[direction] for p in m.parties}))
        known = job.parcel(tracking_number)
        if known is None or known.direction != direction:  # a repeated post only registers again
            self._registered_elsewhere(tenant_id, tracking_number, job_id, direction)
            parcel = JobParcel(direction=direction, tracking_number=tracking_number, carrier=carrier,
                               removed_serial=removed_serial, recorded_at=self._clock.now(), recorded_by=actor.id)
            job = self._mutate(tenant_id, job_id, actor, lambda j: step(j, actor, at=self._clock.now(), parcel=parcel),
                               expected_version, note=note)
        _parcel, actions = self._parcels.register(tenant_id, tracking_number, Registration(
            direction=direction.value, order_id=job.order_id, ticket_id=job.ticket_id, carrier=carrier,
            repair_job_id=job.job_id, registered_at=self._clock.now()))
        # parked carrier events may just have moved the job: answer with where it is now
        return self.job(tenant_id, job_id, actor) if actions else job

    def _registered_elsewhere(self, tenant_id: str, tracking_number: str, job_id: str,
                              direction: ParcelDirection) -> None:
        """409 when the number is another parcel's (an order's, a return's, another job's)."""
        try:
            registration = self._parcels.parcel(tenant_id, tracking_number).registration if self._parcels else None
        except NotFound:
            return
        if registration is not None and (registration.repair_job_id != job_id
                                         or registration.direction != direction.value):
            raise Conflict("repairs.parcel_registered_elsewhere", field="tracking_number",
                           tracking_number=tracking_number)

    def parcel_progressed(self, tenant_id: str, job_id: str, *, tracking_number: str, direction: str,
                          status: str) -> list[str]:
        """The logistics context's word on one of the job's parcels: a delivered ship-in puts the job
        at the depot, a delivered ship-back with the customer, a delivered part return on record.
        Anything else, or a job already past that step, changes nothing."""
        job = self._store.get_job(tenant_id, job_id)
        parcel = job.parcel(tracking_number) if job else None
        if job is None or parcel is None or parcel.direction.value != direction or status != "delivered" \
                or parcel.delivered_at is not None:
            return []
        now = self._clock.now()
        steps: dict[tuple[ParcelDirection, JobStatus | None], tuple[Callable[[Job], Job], str | None]] = {
            (ParcelDirection.REPAIR_IN, JobStatus.IN_TRANSIT_TO_DEPOT): (
                lambda j: job_parcels.received_at_depot(j, CARRIER, at=now, tracking_number=tracking_number), None),
            (ParcelDirection.REPAIR_OUT, JobStatus.SHIPPED_BACK): (
                lambda j: job_parcels.delivered_back(j, CARRIER, at=now, tracking_number=tracking_number),
                "ticket.repair_delivered_back"),
            (ParcelDirection.PART_RETURN, None): (
                lambda j: job_parcels.part_return_delivered(j, CARRIER, at=now, tracking_number=tracking_number),
                None),
        }
        key = (parcel.direction, None if parcel.direction == ParcelDirection.PART_RETURN else job.status)
        if key not in steps:
            return []
        change, note = steps[key]
        try:
            moved = self._mutate(tenant_id, job_id, CARRIER, change, None, note=note)
        except (IllegalTransition, Conflict):  # moved on meanwhile (a provider's own "received")
            return []
        return [f"repair job {job_id} -> {moved.entries[-1].event}"]

    # ------------------------------------------------------------------ the one write path
    def _mutate(self, tenant_id: str, job_id: str, actor: JobActor, make: Callable[[Job], Job],
                expected_version: int | None, *, note: str | None = None) -> Job:
        for _ in range(MAX_ATTEMPTS):
            job = self.job(tenant_id, job_id, actor)
            if expected_version is not None and job.version != expected_version:
                raise PreconditionFailed("error.version_mismatch", expected=expected_version, current=job.version)
            changed = make(job)
            self._drive_ticket(changed, actor, note)
            try:
                self._store.save_job(changed, job.version)
            except ConcurrentModification:
                continue
            self._publish(changed)
            return changed
        raise ConcurrentModification("error.concurrent_modification")

    def _drive_ticket(self, job: Job, actor: JobActor, note: str | None) -> None:
        entry = job.entries[-1]
        data: dict[str, Any] = {"job_id": job.job_id, "provider_id": job.provider_id, "job_event": entry.event,
                                "by": actor.party.value}
        data.update({k: entry.data[k] for k in VISIT_FACTS if entry.data.get(k) is not None})
        system = ticket_actor(actor)
        target = self._ticket_target(job)
        if target is not None and entry.from_status != entry.to_status:
            ticket = self._tickets.get(job.tenant_id, job.ticket_id, system)
            if ticket.status != target:
                self._tickets.transition(job.tenant_id, job.ticket_id, target, system, reason=entry.reason, data=data)
        elif note is not None:
            self._tickets.note(job.tenant_id, job.ticket_id, note, system, reason=entry.reason, data=data)

    @staticmethod
    def _ticket_target(job: Job) -> Status | None:
        if job.status in TICKET_STATUS:
            return TICKET_STATUS[job.status]
        repaired = job.outcome == JobStatus.REPAIRED
        if job.status == JobStatus.CONFIRMED and repaired:
            return Status.RETURNED_TO_CUSTOMER
        if job.status == JobStatus.CLOSED and repaired:
            return Status.CLOSED
        return None  # unrepairable: the ticket waits for the merchant's replacement or refund decision

    def _issue_code(self, job: Job, code: str) -> None:
        """The customer's code leaves only on this event, for the customer's channel (it is stored as a hash)."""
        self._events.publish(SOURCE, "repair.confirmation_code_issued", {
            "tenant_id": job.tenant_id, "job_id": job.job_id, "ticket_id": job.ticket_id,
            "customer_id": job.customer_id, "code": code, "outcome": job.status.value,
            "dedup_key": f"{job.job_id}#code#{job.version}"})

    def _publish(self, job: Job) -> None:
        entry = job.entries[-1]
        self._events.publish(SOURCE, entry.event, {
            "tenant_id": job.tenant_id, "job_id": job.job_id, "ticket_id": job.ticket_id,
            "provider_id": job.provider_id, "from_status": entry.from_status, "to_status": entry.to_status,
            "seq": entry.seq, "at": entry.at, "dedup_key": f"{job.job_id}#{entry.seq}"})
