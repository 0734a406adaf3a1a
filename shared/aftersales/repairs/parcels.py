"""A job's parcels on the logistics context: the depot repair's ship-in and ship-back, and the removed
defective parts sent back to the merchant. Each is a move of the job's transition table
(`domain.MOVES`), audited like every other step."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aftersales.core.errors import Conflict, IllegalTransition, InvalidRequest
from aftersales.repairs.domain import allowed, apply_move
from aftersales.repairs.model import MAX_PARCELS, Job, JobActor, JobParcel, Mode, ParcelDirection
from aftersales.repairs.model import JobStatus as J


def _with_parcel(job: Job, parcel: JobParcel) -> list[JobParcel]:
    if len(job.parcels) >= MAX_PARCELS:
        raise Conflict("repairs.too_many_parcels", limit=MAX_PARCELS)
    if job.parcel(parcel.tracking_number) is not None:
        raise Conflict("repairs.parcel_already_recorded", field="tracking_number",
                       tracking_number=parcel.tracking_number)
    return [*job.parcels, parcel]


def _delivered(job: Job, tracking_number: str, at: datetime) -> list[JobParcel]:
    return [p.model_copy(update={"delivered_at": at}) if p.tracking_number == tracking_number else p
            for p in job.parcels]


def _parcel_data(parcel: JobParcel) -> dict[str, Any]:
    return {"tracking_number": parcel.tracking_number, "carrier": parcel.carrier,
            "direction": parcel.direction.value, "removed_serial": parcel.removed_serial}


def ship_in(job: Job, actor: JobActor, *, at: datetime, parcel: JobParcel) -> Job:
    """The customer sends the item to the provider's depot: the job becomes a depot repair."""
    assert parcel.direction == ParcelDirection.REPAIR_IN
    return apply_move(job, J.IN_TRANSIT_TO_DEPOT, "repair.shipped_in", actor, at=at, data=_parcel_data(parcel),
                 mode=Mode.DEPOT, parcels=_with_parcel(job, parcel))


def received_at_depot(job: Job, actor: JobActor, *, at: datetime, tracking_number: str | None = None) -> Job:
    """The carrier delivered the ship-in parcel (or the provider says the item arrived)."""
    inbound = next((p for p in job.parcels if p.direction == ParcelDirection.REPAIR_IN), None)
    number = tracking_number or (inbound.tracking_number if inbound else None)
    return apply_move(job, J.AT_DEPOT, "repair.received_at_depot", actor, at=at, data={"tracking_number": number},
                 parcels=_delivered(job, number, at) if number else job.parcels)


def ship_back(job: Job, actor: JobActor, *, at: datetime, parcel: JobParcel) -> Job:
    assert parcel.direction == ParcelDirection.REPAIR_OUT
    if job.mode != Mode.DEPOT:
        raise IllegalTransition("repairs.not_a_depot_job", status=job.status.value, to=J.SHIPPED_BACK.value,
                                allowed=allowed(job, actor))
    return apply_move(job, J.SHIPPED_BACK, "repair.shipped_back", actor, at=at, data=_parcel_data(parcel),
                 parcels=_with_parcel(job, parcel))


def delivered_back(job: Job, actor: JobActor, *, at: datetime, tracking_number: str | None = None) -> Job:
    """The ship-back parcel reached the customer: the customer can now confirm with the code."""
    return apply_move(job, J.DELIVERED_BACK, "repair.delivered_back", actor, at=at,
                 data={"tracking_number": tracking_number},
                 parcels=_delivered(job, tracking_number, at) if tracking_number else job.parcels)


def ship_part_return(job: Job, actor: JobActor, *, at: datetime, parcel: JobParcel) -> Job:
    """A removed part the catalogue asks back goes to the merchant in this parcel."""
    assert parcel.direction == ParcelDirection.PART_RETURN
    fitted = next((u for u in job.parts if u.removed_serial and u.removed_serial == parcel.removed_serial), None)
    if fitted is None:
        raise InvalidRequest("repairs.removed_part_unknown", field="removed_serial")
    if not fitted.return_removed:
        raise InvalidRequest("repairs.part_return_not_requested", field="removed_serial",
                             part_number=fitted.part_number)
    if parcel.removed_serial not in job.part_returns_due():
        raise Conflict("repairs.part_return_already_recorded", removed_serial=parcel.removed_serial)
    return apply_move(job, job.status, "repair.part_return_shipped", actor, at=at,
                 data={**_parcel_data(parcel), "part_number": fitted.part_number},
                 parcels=_with_parcel(job, parcel))


def part_return_delivered(job: Job, actor: JobActor, *, at: datetime, tracking_number: str) -> Job:
    return apply_move(job, job.status, "repair.part_return_delivered", actor, at=at,
                 data={"tracking_number": tracking_number}, parcels=_delivered(job, tracking_number, at))
