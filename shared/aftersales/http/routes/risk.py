"""Risk routes: a ticket's refund-abuse risk score and the reasons behind it (staff)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from aftersales.http.context import RequestContext
from aftersales.tickets.model import STAFF_ROLES
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
STAFF = tuple(STAFF_ROLES)


@router.get("/tickets/<ticket_id>/risk", tags=["risk"], summary="The ticket's risk score and its reasons (staff)")
def ticket_risk(ticket_id: Annotated[str, Path(max_length=128)]) -> dict:
    request.require(*STAFF)
    assessment = services().approvals.assess_risk(request.tenant(), ticket_id, request.actor())
    return {"ticket_id": ticket_id, **assessment.model_dump(mode="json")}
