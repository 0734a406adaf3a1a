"""The repair job's transition table and the pure rules that move it.

Every change returns the new job with exactly one more sealed audit entry (the tickets' hash
chain, tickets/audit.py), so a job's chain verifies like a ticket's. A move is allowed only when
the table has it from the current status and the acting party is one of its parties; a provider
acts only on a job offered to it, a technician's own key only on its provider's jobs assigned to
that technician, and only in the field steps (FIELD: on the way, check-in, parts, diagnosis, repaired
or not, the customer's code at the visit); the provider's decisions (accept, decline, book,
reschedule, who the technician is, parcels, close) stay with the provider's key. A job is confirmed
only with the one-time code the customer holds (kept as a hash; a few wrong codes lock it).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aftersales.core.clock import iso
from aftersales.core.errors import Conflict, Forbidden, IllegalTransition, InvalidRequest, NotFound
from aftersales.core.money import Money
from aftersales.repairs.model import (
    MAX_CODE_ATTEMPTS,
    MAX_ENTRIES,
    MAX_MEDIA,
    MAX_PARTS,
    MAX_RESCHEDULES,
    Appointment,
    Billable,
    ChargeState,
    CheckIn,
    Confirmation,
    Coverage,
    Diagnosis,
    Job,
    JobActor,
    JobStatus,
    Location,
    Mode,
    Part,
    PartUse,
    Party,
    Provider,
    QuoteStatus,
    Reschedule,
    Window,
)
from aftersales.sla.calendar import BusinessCalendar, business_time_between
from aftersales.tickets.audit import GENESIS_HASH, AuditEntry, seal

J = JobStatus
P = Party
PROVIDER = frozenset({P.PROVIDER})
FIELD = frozenset({P.PROVIDER, P.TECHNICIAN})  # the visit's steps: the provider, or the job's own technician
CUSTOMER = frozenset({P.CUSTOMER})
CLOSERS = frozenset({P.PROVIDER, P.MERCHANT})
SENDERS = frozenset({P.CUSTOMER, P.MERCHANT})  # the customer, or the storefront on their behalf
CARRIER = frozenset({P.SYSTEM})  # the carrier's scan, through the logistics context
MERCHANT = frozenset({P.MERCHANT})
SETTLED = (J.CONFIRMED, J.CLOSED)  # where a job has its settlement
CHARGE_MOVES = ("repair.charge_waived", "repair.charge_paid")
# where a part can have been fitted, so its removed part be sent back
PARTS_RECORDED = (J.CHECKED_IN, J.AT_DEPOT, J.DIAGNOSED, J.REPAIRED, J.NOT_REPAIRABLE, J.SHIPPED_BACK,
                  J.DELIVERED_BACK, J.CONFIRMED, J.CLOSED)
CREATED_EVENT = "repair.offered"


@dataclass(frozen=True)
class Move:
    source: JobStatus
    target: JobStatus
    event: str
    parties: frozenset[Party]


MOVES: tuple[Move, ...] = (
    Move(J.OFFERED, J.ACCEPTED, "repair.accepted", PROVIDER),
    Move(J.OFFERED, J.DECLINED, "repair.declined", PROVIDER),
    Move(J.ACCEPTED, J.BOOKED, "repair.appointment_booked", PROVIDER),
    Move(J.BOOKED, J.BOOKED, "repair.appointment_rescheduled", PROVIDER),
    Move(J.BOOKED, J.BOOKED, "repair.on_the_way", FIELD),
    Move(J.BOOKED, J.CHECKED_IN, "repair.checked_in", FIELD),
    Move(J.CHECKED_IN, J.CHECKED_IN, "repair.part_recorded", FIELD),
    Move(J.CHECKED_IN, J.DIAGNOSED, "repair.diagnosed", FIELD),
    Move(J.DIAGNOSED, J.DIAGNOSED, "repair.part_recorded", FIELD),
    Move(J.DIAGNOSED, J.DIAGNOSED, "repair.quote_decided", CUSTOMER),
    Move(J.DIAGNOSED, J.REPAIRED, "repair.repaired", FIELD),
    Move(J.DIAGNOSED, J.NOT_REPAIRABLE, "repair.not_repairable", FIELD),
    Move(J.REPAIRED, J.CONFIRMED, "repair.customer_confirmed", FIELD | CUSTOMER),
    Move(J.REPAIRED, J.REPAIRED, "repair.code_refused", FIELD | CUSTOMER),
    Move(J.NOT_REPAIRABLE, J.NOT_REPAIRABLE, "repair.code_refused", FIELD | CUSTOMER),
    Move(J.NOT_REPAIRABLE, J.CONFIRMED, "repair.customer_confirmed", FIELD | CUSTOMER),
    Move(J.CONFIRMED, J.CLOSED, "repair.closed", CLOSERS),
    # the SLA engine's re-dispatch: not answered, or not visited, within the tenant's SLA
    Move(J.OFFERED, J.DECLINED, "repair.withdrawn", frozenset({P.SYSTEM})),
    Move(J.ACCEPTED, J.DECLINED, "repair.withdrawn", frozenset({P.SYSTEM})),
    Move(J.BOOKED, J.DECLINED, "repair.withdrawn", frozenset({P.SYSTEM})),
    # depot repair: shipped in, received, repaired at the depot, shipped back, delivered, confirmed
    Move(J.ACCEPTED, J.IN_TRANSIT_TO_DEPOT, "repair.shipped_in", SENDERS),
    Move(J.IN_TRANSIT_TO_DEPOT, J.AT_DEPOT, "repair.received_at_depot", CARRIER),
    Move(J.AT_DEPOT, J.AT_DEPOT, "repair.part_recorded", PROVIDER),
    Move(J.AT_DEPOT, J.DIAGNOSED, "repair.diagnosed", PROVIDER),
    Move(J.REPAIRED, J.SHIPPED_BACK, "repair.shipped_back", PROVIDER),
    Move(J.NOT_REPAIRABLE, J.SHIPPED_BACK, "repair.shipped_back", PROVIDER),
    Move(J.SHIPPED_BACK, J.DELIVERED_BACK, "repair.delivered_back", CARRIER),
    Move(J.DELIVERED_BACK, J.DELIVERED_BACK, "repair.code_refused", PROVIDER | CUSTOMER),
    Move(J.DELIVERED_BACK, J.CONFIRMED, "repair.customer_confirmed", PROVIDER | CUSTOMER),
    # a removed defective part sent back to the merchant, and its delivery
    *(Move(s, s, "repair.part_return_shipped", PROVIDER) for s in PARTS_RECORDED),
    *(Move(s, s, "repair.part_return_delivered", CARRIER) for s in PARTS_RECORDED),
    # a settled job's charge waived or paid (repairs/charges.py: the money roles, once)
    *(Move(s, s, event, MERCHANT) for s in SETTLED for event in CHARGE_MOVES),
)


def find(source: JobStatus, target: JobStatus, event: str | None = None) -> Move | None:
    return next((m for m in MOVES if m.source == source and m.target == target
                 and (event is None or m.event == event)), None)


def allowed(job: Job, actor: JobActor) -> list[dict[str, Any]]:
    """The next moves and whether this actor may take them (the 409 payload and the buttons); the
    charge moves only while a charge is due."""
    due = job.settlement is not None and job.settlement.charge_state is ChargeState.DUE
    return [{"to": m.target.value, "event": m.event, "permitted": actor.party in m.parties}
            for m in MOVES if m.source == job.status and (due or m.event not in CHARGE_MOVES)]


def can_view(job: Job, actor: JobActor) -> bool:
    """A provider sees only jobs offered to it, a technician only its provider's jobs assigned to it,
    a customer only their own; the merchant all."""
    if actor.party == P.PROVIDER:
        return actor.provider_id == job.provider_id
    if actor.party == P.TECHNICIAN:
        return actor.provider_id == job.provider_id and actor.technician_id is not None \
            and actor.technician_id == job.technician_id
    if actor.party == P.CUSTOMER:
        return actor.customer_id == job.customer_id
    return True


def permits(actor: JobActor, event: str) -> bool:
    """Whether the table lets this actor's party take `event` from any status."""
    return any(actor.party in m.parties for m in MOVES if m.event == event)


def code_hash(job_id: str, code: str) -> str:
    return hashlib.sha256(f"{job_id}|{code.strip()}".encode()).hexdigest()


# ---------------------------------------------------------------------- dispatch rules
def eligible(provider: Provider, *, country: str, brands: set[str], skill: str | None, open_jobs: int) -> bool:
    """Serves the country (no regions: everywhere) and one of the brands (no brands: all), has the
    skill when one is asked for, and has room for one more open job."""
    if not provider.active or open_jobs >= provider.capacity:
        return False
    if provider.regions and country not in provider.regions:
        return False
    if provider.brands and not set(provider.brands) & brands:
        return False
    return skill is None or skill in provider.skills


def next_provider(providers: Sequence[Provider], *, country: str, brands: set[str], skill: str | None,
                  load: dict[str, int], excluded: set[str]) -> Provider | None:
    """The first eligible provider in registration order that has not been offered the ticket yet."""
    for provider in sorted(providers, key=lambda p: p.provider_id):
        if provider.provider_id in excluded:
            continue
        if eligible(provider, country=country, brands=brands, skill=skill, open_jobs=load.get(provider.provider_id, 0)):
            return provider
    return None


# ---------------------------------------------------------------------- changes
def _entry(job: Job | None, *, at: datetime, event: str, actor: JobActor, from_status: JobStatus | None,
           to_status: JobStatus, reason: str | None, data: dict[str, Any] | None) -> AuditEntry:
    return seal(AuditEntry(
        seq=job.version + 1 if job else 1, at=iso(at), event=event, actor_id=actor.id, actor_role=actor.party.value,
        from_status=from_status.value if from_status else None, to_status=to_status.value, reason=reason,
        request_id=actor.request_id, data=data or {}, prev_hash=job.head_hash if job else GENESIS_HASH))


def apply_move(job: Job, target: JobStatus, event: str, actor: JobActor, *, at: datetime, reason: str | None = None,
          data: dict[str, Any] | None = None, **update: Any) -> Job:
    move = find(job.status, target, event)
    if move is None:
        raise IllegalTransition("repairs.illegal_transition", status=job.status.value, to=target.value,
                                allowed=allowed(job, actor))
    if not can_view(job, actor):
        raise NotFound("repairs.job_not_found", job_id=job.job_id)
    if actor.party not in move.parties:
        raise Forbidden("error.role_not_permitted", to=target.value, required=sorted(p.value for p in move.parties))
    if len(job.entries) >= MAX_ENTRIES:
        raise Conflict("repairs.too_many_entries", limit=MAX_ENTRIES)
    entry = _entry(job, at=at, event=event, actor=actor, from_status=job.status, to_status=target, reason=reason,
                   data=data)
    return job.model_copy(update={"status": target, "version": entry.seq, "head_hash": entry.hash,
                                  "entries": [*job.entries, entry], "updated_at": at, **update})


def offer(*, job_id: str, tenant_id: str, ticket_id: str, customer_id: str, order_id: str, provider: Provider,
          skus: Sequence[str], currency: str, attempt: int, actor: JobActor, at: datetime) -> Job:
    job = Job(job_id=job_id, tenant_id=tenant_id, ticket_id=ticket_id, customer_id=customer_id, order_id=order_id,
              provider_id=provider.provider_id, attempt=attempt, skus=list(skus), currency=currency,
              created_at=at, updated_at=at)
    entry = _entry(None, at=at, event=CREATED_EVENT, actor=actor, from_status=None, to_status=J.OFFERED,
                   reason=None, data={"provider_id": provider.provider_id, "attempt": attempt})
    return job.model_copy(update={"version": 1, "head_hash": entry.hash, "entries": [entry]})


def accept(job: Job, actor: JobActor, *, at: datetime) -> Job:
    return apply_move(job, J.ACCEPTED, "repair.accepted", actor, at=at)


def decline(job: Job, actor: JobActor, *, at: datetime, reason: str) -> Job:
    return apply_move(job, J.DECLINED, "repair.declined", actor, at=at, reason=reason, decline_reason=reason)


def withdraw(job: Job, actor: JobActor, *, at: datetime, reason: str) -> Job:
    """The job is taken back from a provider that let its deadline pass (the next one is offered it)."""
    return apply_move(job, J.DECLINED, "repair.withdrawn", actor, at=at, reason=reason, decline_reason=reason)


def book(job: Job, actor: JobActor, *, at: datetime, window: Window, technician_id: str | None,
         availability: BusinessCalendar | None = None) -> Job:
    _future(window, at)
    _available(window, availability)
    return apply_move(job, J.BOOKED, "repair.appointment_booked", actor, at=at,
                 data={"window": window.model_dump(mode="json"), "technician_id": technician_id},
                 appointment=Appointment(window=window, technician_id=technician_id))


def reschedule(job: Job, actor: JobActor, *, at: datetime, window: Window, reason: str,
               technician_id: str | None = None, availability: BusinessCalendar | None = None) -> Job:
    if job.appointment is None or job.status != J.BOOKED:
        raise IllegalTransition("repairs.illegal_transition", status=job.status.value, to=J.BOOKED.value,
                                allowed=allowed(job, actor))
    if not reason.strip():
        raise InvalidRequest("repairs.reason_required", field="reason")
    if len(job.appointment.reschedules) >= MAX_RESCHEDULES:
        raise Conflict("repairs.too_many_reschedules", limit=MAX_RESCHEDULES)
    _future(window, at)
    _available(window, availability)
    previous = job.appointment
    appointment = Appointment(window=window, technician_id=technician_id or previous.technician_id,
                              reschedules=[*previous.reschedules,
                                           Reschedule(previous=previous.window, reason=reason, by=actor.id, at=at)])
    return apply_move(job, J.BOOKED, "repair.appointment_rescheduled", actor, at=at, reason=reason,
                 data={"window": window.model_dump(mode="json"), "previous": previous.window.model_dump(mode="json")},
                 appointment=appointment)


def on_the_way(job: Job, actor: JobActor, *, at: datetime, eta: datetime | None,
               technician_id: str | None = None) -> Job:
    """The technician set off for the booked visit (the customer is told), optionally with an ETA."""
    if job.appointment is None or job.status != J.BOOKED:
        raise IllegalTransition("repairs.illegal_transition", status=job.status.value, to=J.BOOKED.value,
                                allowed=allowed(job, actor))
    if eta is not None and eta < at:
        raise InvalidRequest("repairs.eta_in_past", field="eta")
    technician = _named(job, actor, technician_id) or job.appointment.technician_id
    appointment = job.appointment.model_copy(update={"on_the_way_at": at, "eta": eta, "technician_id": technician})
    return apply_move(job, J.BOOKED, "repair.on_the_way", actor, at=at,
                 data={"eta": iso(eta) if eta else None, "technician_id": technician,
                       "window": job.appointment.window.model_dump(mode="json")},
                 appointment=appointment)


def _named(job: Job, actor: JobActor, technician_id: str | None) -> str | None:
    """The technician a step names: whoever the provider names; a technician's own key only itself
    (naming another is the provider's decision: 403), never on a job that is not its own (404)."""
    if actor.party != P.TECHNICIAN:
        return technician_id
    if not can_view(job, actor):
        raise NotFound("repairs.job_not_found", job_id=job.job_id)
    if technician_id is not None and technician_id != actor.technician_id:
        raise Forbidden("error.role_not_permitted", field="technician_id")
    return actor.technician_id


def _future(window: Window, at: datetime) -> None:
    if window.end <= at:
        raise InvalidRequest("repairs.window_in_past", field="window.end")


def _available(window: Window, availability: BusinessCalendar | None) -> None:
    """The whole window lies in the visiting hours (the technician's, else the provider's; none: any time)."""
    if availability is not None and \
            business_time_between(availability, window.start, window.end) != window.end - window.start:
        raise InvalidRequest("repairs.window_not_available", field="window.start",
                             timezone=availability.timezone)


def check_in(job: Job, actor: JobActor, *, at: datetime, location: Location | None, media_ids: Sequence[str],
             technician_id: str | None) -> Job:
    media = list(dict.fromkeys(media_ids))
    if len(media) > MAX_MEDIA:
        raise InvalidRequest("repairs.too_many_photos", field="media_ids", limit=MAX_MEDIA)
    named = _named(job, actor, technician_id)
    visit = CheckIn(at=at, location=location, media_ids=media,
                    technician_id=named or (job.appointment.technician_id if job.appointment else None))
    return apply_move(job, J.CHECKED_IN, "repair.checked_in", actor, at=at,
                 data={"media_ids": media, "located": location is not None, "technician_id": visit.technician_id},
                 check_in=visit)


def diagnose(job: Job, actor: JobActor, *, at: datetime, fault_code: str, coverage: Coverage, labour: Money,
             parts_estimate: Money, note: str | None = None) -> Job:
    for name, amount in (("labour", labour), ("parts_estimate", parts_estimate)):
        if amount.currency != job.currency:
            raise InvalidRequest("repairs.currency_mismatch", field=f"{name}.currency", expected=job.currency)
    quote = QuoteStatus.NOT_REQUIRED if coverage == Coverage.WARRANTY else QuoteStatus.PENDING
    diagnosis = Diagnosis(fault_code=fault_code, coverage=coverage, labour=labour, parts_estimate=parts_estimate,
                          quote_status=quote, note=note)
    return apply_move(job, J.DIAGNOSED, "repair.diagnosed", actor, at=at,
                 data={"fault_code": fault_code, "coverage": coverage.value, "quote_status": quote.value,
                       "quote_total": diagnosis.quote_total.model_dump()},
                 diagnosis=diagnosis)


def decide_quote(job: Job, actor: JobActor, *, at: datetime, approve: bool) -> Job:
    if job.diagnosis is None or job.diagnosis.quote_status != QuoteStatus.PENDING:
        raise Conflict("repairs.no_quote_pending", job_id=job.job_id)
    decided = QuoteStatus.APPROVED if approve else QuoteStatus.REJECTED
    diagnosis = job.diagnosis.model_copy(update={"quote_status": decided, "quote_decided_at": at})
    return apply_move(job, J.DIAGNOSED, "repair.quote_decided", actor, at=at, data={"quote_status": decided.value},
                 diagnosis=diagnosis)


def record_part(job: Job, actor: JobActor, *, at: datetime, part: Part, quantity: int, serial: str | None,
                batch: str | None, removed_serial: str | None) -> Job:
    if len(job.parts) >= MAX_PARTS:
        raise Conflict("repairs.too_many_parts", limit=MAX_PARTS)
    if part.compatible_skus and not set(part.compatible_skus) & set(job.skus):
        raise InvalidRequest("repairs.part_not_compatible", field="part_number", part_number=part.part_number)
    if part.unit_cost.currency != job.currency:
        raise InvalidRequest("repairs.currency_mismatch", field="part_number", expected=job.currency)
    if serial is not None and quantity != 1:
        raise InvalidRequest("repairs.serial_needs_quantity_one", field="quantity")
    if serial is not None and any(u.serial == serial for u in job.parts):
        raise Conflict("repairs.serial_already_recorded", serial=serial)
    payer = Billable.CUSTOMER if job.diagnosis and job.diagnosis.coverage == Coverage.PAID else Billable.MERCHANT
    use = PartUse(part_number=part.part_number, quantity=quantity, serial=serial, batch=batch,
                  removed_serial=removed_serial, unit_cost=part.unit_cost, billable_to=payer, recorded_at=at,
                  recorded_by=actor.id, return_removed=part.return_removed and removed_serial is not None)
    return apply_move(job, job.status, "repair.part_recorded", actor, at=at,
                 data={"part_number": part.part_number, "quantity": quantity, "serial": serial, "batch": batch,
                       "removed_serial": removed_serial},
                 parts=[*job.parts, use])


def repaired(job: Job, actor: JobActor, *, at: datetime, code: str, note: str | None = None) -> Job:
    """Done: the customer gets `code` (the service makes it) to confirm with."""
    quote = job.diagnosis.quote_status if job.diagnosis else None
    if quote not in (QuoteStatus.NOT_REQUIRED, QuoteStatus.APPROVED):
        raise Conflict("repairs.quote_not_approved", quote_status=quote.value if quote else None)
    return apply_move(job, J.REPAIRED, "repair.repaired", actor, at=at, reason=note, data=_costs(job),
                 outcome=J.REPAIRED, outcome_note=note,
                 confirmation=Confirmation(code_sha256=code_hash(job.job_id, code), issued_at=at))


def not_repairable(job: Job, actor: JobActor, *, at: datetime, code: str, reason: str) -> Job:
    if not reason.strip():
        raise InvalidRequest("repairs.reason_required", field="reason")
    return apply_move(job, J.NOT_REPAIRABLE, "repair.not_repairable", actor, at=at, reason=reason, data=_costs(job),
                 outcome=J.NOT_REPAIRABLE, outcome_note=reason,
                 confirmation=Confirmation(code_sha256=code_hash(job.job_id, code), issued_at=at))


def _costs(job: Job) -> dict[str, Any]:
    costs = job.costs()
    return {"parts": costs.parts.model_dump(), "labour": costs.labour.model_dump(),
            "billable_to": costs.billable_to.value}


class WrongCode(Forbidden):
    """The code did not match; `job` carries the counted attempt as an audited entry (the service
    stores it before answering 403)."""

    def __init__(self, job: Job) -> None:
        super().__init__("repairs.wrong_code", attempts_left=MAX_CODE_ATTEMPTS - job.confirmation.attempts)
        self.job = job


def confirm(job: Job, actor: JobActor, *, at: datetime, code: str) -> Job:
    """The customer's one-time code, entered by the customer or read out to the technician."""
    find_move = find(job.status, J.CONFIRMED)
    if job.mode == Mode.DEPOT and job.status != J.DELIVERED_BACK:
        find_move = None  # a depot job is confirmed once the item is back with the customer
    if find_move is None or job.confirmation is None:
        raise IllegalTransition("repairs.illegal_transition", status=job.status.value, to=J.CONFIRMED.value,
                                allowed=allowed(job, actor))
    if not can_view(job, actor):
        raise NotFound("repairs.job_not_found", job_id=job.job_id)
    if actor.party not in find_move.parties:
        raise Forbidden("error.role_not_permitted", to=J.CONFIRMED.value)
    held = job.confirmation
    if held.attempts >= MAX_CODE_ATTEMPTS:
        raise Conflict("repairs.code_locked", job_id=job.job_id)
    if not hmac.compare_digest(code_hash(job.job_id, code), held.code_sha256):
        counted = held.model_copy(update={"attempts": held.attempts + 1})
        raise WrongCode(apply_move(job, job.status, "repair.code_refused", actor, at=at, confirmation=counted,
                              data={"attempts": counted.attempts}))
    done = held.model_copy(update={"confirmed_at": at, "confirmed_by": actor.id})
    return apply_move(job, J.CONFIRMED, "repair.customer_confirmed", actor, at=at, confirmation=done,
                 data={"by": actor.party.value})


def close(job: Job, actor: JobActor, *, at: datetime) -> Job:
    return apply_move(job, J.CLOSED, "repair.closed", actor, at=at, data=_costs(job))
