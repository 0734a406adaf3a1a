"""Refunds routes: a ticket's refund grants, provider attempts and status; the tenant's refunds
across tickets by state (pending, failed, succeeded); the tenant's refund settings; the refund
destination a ticket asks for; the refund of an item a repair could not fix."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import ConfigDict

from aftersales.core.model import DomainModel
from aftersales.core.text import Reason
from aftersales.http.context import CURSOR_MAX_LENGTH, RequestContext, ticket_view
from aftersales.refunds.listing import RefundState, RefundSummary
from aftersales.refunds.refundable import RefundDestination, TenantRefundSettings
from aftersales.tickets.model import STAFF_ROLES, Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
STAFF = tuple(STAFF_ROLES)
SETTINGS_READERS = (*STAFF, Role.STOREFRONT)
SETTINGS_EDITORS = (Role.ADMIN, Role.STOREFRONT)
MONEY_READERS = (Role.FINANCE, Role.SUPERVISOR, Role.ADMIN)


class DestinationRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    destination: RefundDestination


class RefundPageView(DomainModel):
    items: list[RefundSummary]
    next_cursor: str | None


class UnrepairableRefundRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


@router.get("/tickets/<ticket_id>/refund", tags=["refunds"], summary="Refund grants, provider attempts and status")
def refund_status(ticket_id: Annotated[str, Path(max_length=128)]) -> dict:
    return services().refunds.status(request.tenant(), ticket_id, request.actor())


@router.get("/refunds", tags=["refunds"],
            summary="The tenant's refunds in a state across tickets, newest grant first, with the "
                    "provider's reason when failed (finance, supervisor, admin)")
def refunds_by_state(state: Annotated[RefundState, Query()] = RefundState.PENDING,
                     limit: Annotated[int, Query(ge=1, le=100)] = 50,
                     cursor: Annotated[str | None, Query(max_length=CURSOR_MAX_LENGTH)] = None) -> RefundPageView:
    request.require(*MONEY_READERS)
    listing = request.listing("refunds", state.value)
    page = services().refunds.listing(request.tenant(), state, limit=limit, cursor=listing.position(cursor))
    return RefundPageView(items=page.items, next_cursor=listing.cursor(page.cursor))


@router.get("/refund-settings", tags=["refunds"],
            summary="The tenant's refund settings (restocking fee, alternative destinations, shipping campaign)")
def get_refund_settings() -> dict:
    request.require(*SETTINGS_READERS)
    return services().refunds.settings(request.tenant()).model_dump(mode="json")


@router.put("/refund-settings", tags=["refunds"], summary="Replace the tenant's refund settings (admin, storefront)")
def put_refund_settings(body: TenantRefundSettings) -> dict:
    request.require(*SETTINGS_EDITORS)
    return services().refunds.put_settings(request.tenant(), body).model_dump(mode="json")


@router.put("/tickets/<ticket_id>/refund-destination", tags=["refunds"],
            summary="Ask for the refund as store credit / coupon (where offered) or to the original payment")
def put_refund_destination(ticket_id: Annotated[str, Path(max_length=128)], body: DestinationRequest) -> dict:
    return services().refunds.request_destination(request.tenant(), ticket_id, request.actor(), body.destination)


@router.post("/tickets/<ticket_id>/unrepairable-refund", tags=["refunds"],
             summary="Refund an item the repair provider could not fix (finance, supervisor or admin; "
                     "never the requester or an approver of the repair)")
def post_unrepairable_refund(ticket_id: Annotated[str, Path(max_length=128)], body: UnrepairableRefundRequest
                             ) -> Response[dict]:
    request.require(Role.FINANCE, Role.SUPERVISOR, Role.ADMIN)
    who, loc = request.actor(), request.locale()
    return request.idempotent_post(200, lambda: ticket_view(services().refunds.refund_unrepairable(
        request.tenant(), ticket_id, who, body.reason), who, loc))
