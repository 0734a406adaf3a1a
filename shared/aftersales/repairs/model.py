"""What a repair job is: the provider it is offered to, the appointment, the visit, the diagnosis
and quote, the parts consumed (with serial and batch), the outcome, the customer's confirmation
and its own hash-chained audit entries; the providers, technicians and parts catalogue."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict, Field, model_validator

from aftersales.core.model import DomainModel
from aftersales.core.money import Money
from aftersales.sla.calendar import BusinessCalendar
from aftersales.tickets.audit import AuditEntry

MAX_ENTRIES = 200  # audit entries on one job (one DynamoDB item)
MAX_PARTS = 50  # parts consumed on one job
MAX_MEDIA = 9  # check-in photos
MAX_RESCHEDULES = 10
MAX_CODE_ATTEMPTS = 5  # wrong confirmation codes before the code is locked
MAX_PARCELS = 20  # parcels on one job (ship-in, ship-back, part returns)
Code = str  # a short identifier: part numbers, serials, batches, fault codes


class JobStatus(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    DIAGNOSED = "diagnosed"
    REPAIRED = "repaired"
    NOT_REPAIRABLE = "not_repairable"
    CONFIRMED = "confirmed"
    CLOSED = "closed"
    # depot repair: the item travels to the provider and back (parcels on the logistics context)
    IN_TRANSIT_TO_DEPOT = "in_transit_to_depot"
    AT_DEPOT = "at_depot"
    SHIPPED_BACK = "shipped_back"
    DELIVERED_BACK = "delivered_back"


OPEN_STATUSES = frozenset(set(JobStatus) - {JobStatus.DECLINED, JobStatus.CLOSED})


class Party(StrEnum):
    """Who acts on a job."""

    PROVIDER = "provider"  # the provider's credentials (its API key), for its own jobs only
    TECHNICIAN = "technician"  # a technician's own key: the field steps of the provider's jobs assigned to them
    CUSTOMER = "customer"  # the ticket's customer
    MERCHANT = "merchant"  # the merchant's staff or systems
    SYSTEM = "system"  # dispatch automation


class Coverage(StrEnum):
    WARRANTY = "warranty"  # the merchant pays
    PAID = "paid"  # the customer pays, once they approve the quote


class QuoteStatus(StrEnum):
    NOT_REQUIRED = "not_required"  # warranty: nothing for the customer to approve
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Mode(StrEnum):
    ON_SITE = "on_site"  # the technician visits the customer
    DEPOT = "depot"  # the customer ships the item in, the provider ships it back


class ParcelDirection(StrEnum):
    """The directions a job's parcels are registered with on the logistics context."""

    REPAIR_IN = "repair_in"  # the customer's item to the provider's depot
    REPAIR_OUT = "repair_out"  # the repaired (or unrepairable) item back to the customer
    PART_RETURN = "part_return"  # a removed defective part back to the merchant


class Billable(StrEnum):
    MERCHANT = "merchant"
    CUSTOMER = "customer"


class JobActor(DomainModel):
    model_config = ConfigDict(frozen=True)

    party: Party
    id: str
    provider_id: str | None = None  # a provider's (or its technician's) credentials: the provider they belong to
    technician_id: str | None = None  # a technician's credentials: the technician they belong to
    customer_id: str | None = None
    request_id: str | None = None


# ---------------------------------------------------------------------- the provider side
class Provider(DomainModel):
    provider_id: str
    tenant_id: str
    name: str = Field(min_length=1, max_length=200)
    regions: list[str] = Field(default_factory=list, description="ISO country codes served; empty: all")
    brands: list[str] = Field(default_factory=list, description="brands (order line categories); empty: all")
    skills: list[str] = Field(default_factory=list)
    capacity: int = Field(default=10, ge=0, le=10_000, description="open jobs it takes at once")
    active: bool = True
    availability: BusinessCalendar | None = None  # when it visits customers; none: any time
    created_at: datetime


class Technician(DomainModel):
    technician_id: str
    provider_id: str
    tenant_id: str
    name: str = Field(min_length=1, max_length=200)
    skills: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    active: bool = True
    availability: BusinessCalendar | None = None  # the technician's own hours, over the provider's


class Part(DomainModel):
    """A catalogue entry: a spare part and the product SKUs it fits."""

    tenant_id: str
    part_number: Code = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    compatible_skus: list[str] = Field(default_factory=list)
    unit_cost: Money
    return_removed: bool = False  # the merchant wants the removed (defective) part sent back


# ---------------------------------------------------------------------- the job
class Window(DomainModel):
    start: datetime
    end: datetime

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end <= self.start:
            raise ValueError("the window ends after it starts")
        return self


class Appointment(DomainModel):
    window: Window
    technician_id: str | None = None
    reschedules: list[Reschedule] = Field(default_factory=list)
    on_the_way_at: datetime | None = None  # the technician set off (a reschedule starts over)
    eta: datetime | None = None  # when the technician expects to arrive, if they said


class Reschedule(DomainModel):
    previous: Window
    reason: str
    by: str
    at: datetime


class Location(DomainModel):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class CheckIn(DomainModel):
    at: datetime
    technician_id: str | None = None
    location: Location | None = None
    media_ids: list[str] = Field(default_factory=list)


class Diagnosis(DomainModel):
    fault_code: Code
    coverage: Coverage
    labour: Money
    parts_estimate: Money
    quote_status: QuoteStatus
    note: str | None = None
    quote_decided_at: datetime | None = None

    @property
    def quote_total(self) -> Money:
        return self.labour + self.parts_estimate


class PartUse(DomainModel):
    """A part fitted on the job: the new part's serial and batch, the removed part's serial."""

    part_number: Code
    quantity: int = Field(default=1, ge=1, le=100)
    serial: Code | None = None
    batch: Code | None = None
    removed_serial: Code | None = None
    unit_cost: Money
    billable_to: Billable
    recorded_at: datetime
    recorded_by: str
    return_removed: bool = False  # the catalogue asked for the removed part back


class JobParcel(DomainModel):
    """A parcel of the job, registered on the logistics context, and what its carrier said last."""

    direction: ParcelDirection
    tracking_number: Code
    carrier: str
    removed_serial: Code | None = None  # part returns: the defective part inside
    recorded_at: datetime
    recorded_by: str
    delivered_at: datetime | None = None


class Costs(DomainModel):
    parts: Money
    labour: Money
    billable_to: Billable

    @property
    def total(self) -> Money:
        return self.parts + self.labour


class ChargeState(StrEnum):
    DUE = "due"
    WAIVED = "waived"
    PAID = "paid"


class ChargeClaim(DomainModel):
    """The ticket's repair charge where the refund's money is kept: one item per ticket that the
    refund grant step (a grant with a `repair_deduction` adds it to `deducted`) and the charge move
    (`moves`: a job's charge claimed waived or paid) both write only at the `version` they read, so
    whichever writes second sees the first and recomputes. A charge claimed moved is not deducted;
    a deduction claimed is no longer charged."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    deducted: Money | None = None  # what the ticket's refund grants took off for its repair
    moves: dict[str, ChargeState] = Field(default_factory=dict)  # job id -> waived | paid
    version: int = 0  # 0: never written

    def deducting(self, amount: Money) -> ChargeClaim:
        return self.model_copy(update={"deducted": self.deducted + amount if self.deducted else amount})

    def moving(self, job_id: str, state: ChargeState) -> ChargeClaim:
        return self.model_copy(update={"moves": {**self.moves, job_id: state}})


class Settlement(DomainModel):
    """A decided job's costs on the ticket (`repairs/settlement.py`): customer_owes = deduction
    (taken off the ticket's refund) + charge (owed besides it); the merchant's cost is the rest."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    job_id: str
    outcome: JobStatus
    billable_to: Billable
    parts: Money
    labour: Money
    customer_owes: Money
    merchant_cost: Money
    deduction: Money
    charge: Money
    charge_state: ChargeState | None = None  # None: nothing charged

    @model_validator(mode="after")
    def _balanced(self) -> Settlement:
        total = self.parts + self.labour
        if self.customer_owes + self.merchant_cost != total or self.deduction + self.charge != self.customer_owes:
            raise ValueError("a settlement splits the job's costs exactly")
        if (self.charge.amount > 0) != (self.charge_state is not None):
            raise ValueError("a charge has a state, and only a charge has one")
        return self


class Confirmation(DomainModel):
    """The one-time code the customer holds; only its hash is kept."""

    code_sha256: str
    issued_at: datetime
    attempts: int = 0
    confirmed_at: datetime | None = None
    confirmed_by: str | None = None


class Job(DomainModel):
    job_id: str
    tenant_id: str
    ticket_id: str
    customer_id: str
    order_id: str
    provider_id: str
    attempt: int = Field(default=1, ge=1, description="1 for the first provider offered, 2 after one decline...")
    skus: list[str] = Field(default_factory=list)
    currency: str
    status: JobStatus = JobStatus.OFFERED
    mode: Mode = Mode.ON_SITE  # depot once the customer's ship-in parcel is recorded
    parcels: list[JobParcel] = Field(default_factory=list)
    appointment: Appointment | None = None
    check_in: CheckIn | None = None
    diagnosis: Diagnosis | None = None
    parts: list[PartUse] = Field(default_factory=list)
    outcome: JobStatus | None = None  # repaired or not_repairable, once decided
    outcome_note: str | None = None
    confirmation: Confirmation | None = None
    decline_reason: str | None = None
    settlement: Settlement | None = None  # once confirmed: what the customer owes, what the merchant bears
    version: int = 0
    head_hash: str = ""
    entries: list[AuditEntry] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def technician_id(self) -> str | None:
        """The technician the job is assigned to: the one who checked in, else the appointment's (booked,
        rescheduled or named on the way); None before a visit is booked (and for a depot repair)."""
        if self.check_in is not None and self.check_in.technician_id:
            return self.check_in.technician_id
        return self.appointment.technician_id if self.appointment else None

    def parcel(self, tracking_number: str) -> JobParcel | None:
        return next((p for p in self.parcels if p.tracking_number == tracking_number), None)

    def part_returns_due(self) -> list[str]:
        """Removed serials the merchant asked back for which no return parcel is recorded yet."""
        sent = {p.removed_serial for p in self.parcels if p.direction == ParcelDirection.PART_RETURN}
        return [u.removed_serial for u in self.parts
                if u.return_removed and u.removed_serial and u.removed_serial not in sent]

    def costs(self) -> Costs:
        """Parts consumed and labour, in the job's currency, and who pays them (warranty: the
        merchant; paid: the customer)."""
        parts = Money.zero(self.currency)
        for use in self.parts:
            parts = parts + use.unit_cost.times(use.quantity)
        labour = self.diagnosis.labour if self.diagnosis else Money.zero(self.currency)
        payer = Billable.CUSTOMER if self.diagnosis and self.diagnosis.coverage == Coverage.PAID else Billable.MERCHANT
        return Costs(parts=parts, labour=labour, billable_to=payer)


Appointment.model_rebuild()
