"""Parcels routes: register an outbound or return parcel (carrier events that came first are
matched now) and read a parcel's merged tracking state."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import ConfigDict

from aftersales.core.clock import Instant
from aftersales.core.errors import InvalidRequest
from aftersales.core.model import DomainModel
from aftersales.core.text import label
from aftersales.http.context import RequestContext
from aftersales.logistics.exception_policy import CustomsDeclaration
from aftersales.logistics.ports import Registration
from aftersales.orders.domain import Identifier
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
ADMINS = (Role.ADMIN, Role.STOREFRONT)


class ParcelRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    direction: Literal["outbound", "return"]
    order_id: Identifier
    ticket_id: Identifier | None = None
    carrier: label(64, min_length=1) | None = None
    declaration: CustomsDeclaration | None = None
    label_issued_at: Instant | None = None


@router.put("/parcels/<tracking_number>", tags=["logistics"],
            summary="Register an outbound or return parcel (parked carrier events are matched now)")
def register_parcel(tracking_number: Annotated[str, Path(max_length=64)], body: ParcelRequest) -> dict:
    request.require(*ADMINS, Role.AGENT, Role.SUPERVISOR)
    if body.direction == "return" and not body.ticket_id:
        raise InvalidRequest("error.field_required", field="ticket_id")
    svc = services()
    now: datetime = svc.clock.now()
    svc.tickets.get_order(request.tenant(), body.order_id, request.actor())
    registration = Registration(**body.model_dump(), registered_at=now)
    parcel, actions = svc.logistics.register(request.tenant(), tracking_number, registration)
    return {"tracking_number": tracking_number, "status": parcel.state.status.value,
            "progress": parcel.state.progress.value, "matched_actions": actions}


@router.get("/parcels/<tracking_number>", tags=["logistics"], summary="A parcel's merged tracking state")
def get_parcel(tracking_number: Annotated[str, Path(max_length=64)]) -> dict:
    request.require(*ADMINS, Role.AGENT, Role.SUPERVISOR)
    parcel = services().logistics.parcel(request.tenant(), tracking_number)
    state = parcel.state
    return {"tracking_number": tracking_number, "status": state.status.value, "sub_status": state.sub_status.value,
            "progress": state.progress.value, "raw_status": state.raw_status, "raw_sub_status": state.raw_sub_status,
            "unknown_status": parcel.unknown_status,
            "last_checkpoint_at": state.last_checkpoint_at, "registered": parcel.registration is not None,
            "events": len(state.seen_event_ids)}
