"""Returns routes: the customer's return shipment (registers the return parcel) and the
warehouse inspection of what came back."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import ConfigDict, Field

from aftersales.core.model import DomainModel
from aftersales.core.money import Money
from aftersales.core.text import Reason, label
from aftersales.http.context import RequestContext, ticket_view
from aftersales.orders.domain import Identifier
from aftersales.refunds.inspection import InspectedLine
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)


class ReturnShipmentRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    carrier: label(64, min_length=1)
    tracking_number: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")
    return_shipping_paid: Money | None = Field(default=None, description="What the customer paid to send it back "
                                               "(refunded when the merchant bears return shipping)")


class InspectionRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    lines: list[InspectedLine] = Field(min_length=1, max_length=500)
    reason: Reason | None = None
    media_ids: list[Identifier] = Field(default_factory=list, max_length=20,
                                        description="The warehouse's photos: ready inspection media (POST /media)")


@router.post("/tickets/<ticket_id>/return-shipment", tags=["refunds"],
             summary="The customer sent the goods back: carrier, tracking number, return shipping paid "
                     "(registers the return parcel; carrier events that came first are matched now)")
def post_return_shipment(ticket_id: Annotated[str, Path(max_length=128)], body: ReturnShipmentRequest
                         ) -> Response[dict]:
    who, loc, svc = request.actor(), request.locale(), services()
    return request.idempotent_post(200, lambda: ticket_view(svc.returns.record_shipment(
        request.tenant(), ticket_id, who, carrier=body.carrier, tracking_number=body.tracking_number,
        return_shipping_paid=body.return_shipping_paid, parcels=svc.logistics, now=svc.clock.now()),
        who, loc))


@router.post("/tickets/<ticket_id>/inspection", tags=["refunds"],
             summary="Record the inspection (received, accepted, damaged, written off per line) and move on")
def post_inspection(ticket_id: Annotated[str, Path(max_length=128)], body: InspectionRequest) -> Response[dict]:
    request.require(Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
    who, loc, svc = request.actor(), request.locale(), services()
    return request.idempotent_post(200, lambda: ticket_view(svc.returns.inspect(
        request.tenant(), ticket_id, who, body.lines, body.reason, media_ids=body.media_ids,
        media=svc.media if body.media_ids else None), who, loc))
