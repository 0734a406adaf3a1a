"""Cross-border returns routes: the tenant's return warehouses, and per ticket the return
instructions (warehouse by delivery country, authorisation number, whether customs needs a
declaration) and the customs declaration of the return parcel."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from aftersales.core.errors import NotFound
from aftersales.crossborder.model import DeclarationRequest, ReturnDestinations, ReturnInstructions
from aftersales.http.context import RequestContext
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
TicketId = Annotated[str, Path(max_length=128)]


@router.get("/return-destinations", tags=["returns"],
            summary="The tenant's return warehouses and the delivery countries each serves")
def get_destinations() -> ReturnDestinations:
    request.require(Role.ADMIN, Role.SUPERVISOR, Role.STOREFRONT)
    found = services().cross_border.destinations(request.tenant())
    if found is None:
        raise NotFound("crossborder.no_destinations")
    return found


@router.put("/return-destinations", tags=["returns"],
            summary="Set the return warehouses (a country served by one warehouse; one default at most)")
def put_destinations(body: ReturnDestinations) -> ReturnDestinations:
    request.require(Role.ADMIN, Role.STOREFRONT)
    return services().cross_border.set_destinations(request.tenant(), body)


@router.get("/tickets/<ticket_id>/return-instructions", tags=["returns"],
            summary="Where the goods go back to, the return authorisation number, and whether customs "
                    "needs a declaration (the warehouse is in another country than the delivery)")
def get_instructions(ticket_id: TicketId) -> ReturnInstructions:
    return services().cross_border.instructions(request.tenant(), ticket_id, request.actor())


@router.put("/tickets/<ticket_id>/return-declaration", tags=["returns"],
            summary="Declare a cross-border return parcel for customs: HS code, country of origin and value "
                    "per line, Incoterms, reason (before the shipment is recorded)")
def put_declaration(ticket_id: TicketId, body: DeclarationRequest) -> ReturnInstructions:
    return services().cross_border.declare(request.tenant(), ticket_id, request.actor(), body)
