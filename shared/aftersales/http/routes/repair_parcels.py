"""A repair job's parcels (registered on the logistics context, moved by the carrier's events): the
customer's ship-in of a depot repair (the customer, or the storefront for them), the provider's
ship-back, and the provider's return of a removed defective part the merchant asked back."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import ConfigDict, Field

from aftersales.core.model import DomainModel
from aftersales.core.text import label
from aftersales.http.context import RequestContext
from aftersales.repairs.model import JobActor
from aftersales.repairs.views import job_actor, job_view
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
JobId = Annotated[str, Path(min_length=1, max_length=128)]
TrackingNumber = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")


class ParcelRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    carrier: label(64, min_length=1)
    tracking_number: str = TrackingNumber


class PartReturnRequest(ParcelRequest):
    removed_serial: str = Field(min_length=1, max_length=64, description="The removed part's serial")


def actor() -> JobActor:
    return job_actor(request.principal(), request.event.request_context.request_id)


def _send(job_id: str, step: str, body: DomainModel) -> Response[dict]:
    who, expected = actor(), request.if_match()
    use_case = getattr(services().repairs, step)
    return request.idempotent_post(200, lambda: job_view(use_case(request.tenant(), job_id, who,
                                                                  expected_version=expected, **dict(body)), who))


@router.post("/repairs/jobs/<job_id>/ship-in", tags=["repairs"],
             summary="Depot repair: the customer's parcel to the provider (the customer, or the storefront)")
def ship_in(job_id: JobId, body: ParcelRequest) -> Response[dict]:
    return _send(job_id, "ship_in", body)


@router.post("/repairs/jobs/<job_id>/ship-back", tags=["repairs"],
             summary="Depot repair: the provider's parcel returning the item to the customer")
def ship_back(job_id: JobId, body: ParcelRequest) -> Response[dict]:
    return _send(job_id, "ship_back", body)


@router.post("/repairs/jobs/<job_id>/part-returns", tags=["repairs"],
             summary="The provider's parcel returning a removed defective part the merchant asked back")
def ship_part_return(job_id: JobId, body: PartReturnRequest) -> Response[dict]:
    return _send(job_id, "ship_part_return", body)
