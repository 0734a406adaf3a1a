"""Analytics routes for the supervisor dashboard: a day or month range of the tenant's buckets
(counts by dimension, refund amounts, processing-time percentiles, first-contact resolution and
reopen rates), the ticket-type share per month, return reasons. SLA compliance, daily timeouts and
the responsible-person ranking are the SLA figures' routes (/sla/figures/...), not repeated here."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from aftersales.http.context import RequestContext
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)
Grain = Annotated[Literal["day", "month"], Query(description="day: from/to are YYYY-MM-DD; month: YYYY-MM")]
From = Annotated[str, Query(alias="from", max_length=10, description="First local day or month")]
To = Annotated[str, Query(alias="to", max_length=10, description="Last local day or month, inclusive (≤ 13 months)")]
SLA_FIGURES = {"daily_timeouts": "/sla/figures/daily-timeouts", "ranking": "/sla/figures/ranking",
               "compliance": "/sla/figures/compliance"}


@router.get("/analytics/summary", tags=["analytics"],
            summary="Counts by type, reason, channel, sku, agent and team; refund amounts; percentiles; FCR; reopens")
def summary(first: From, last: To, grain: Grain = "day") -> dict:
    request.require(*SUPERVISORS)
    body = services().analytics.summary(request.tenant(), grain, first, last).body()
    return {**body, "sla_figures": SLA_FIGURES}


@router.get("/analytics/ticket-types", tags=["analytics"],
            summary="Each ticket type's share of the month's opened tickets (complaint share among them)")
def ticket_types(first: Annotated[str, Query(alias="from", max_length=7)],
                 last: Annotated[str, Query(alias="to", max_length=7)]) -> dict:
    request.require(*SUPERVISORS)
    return {"items": services().analytics.type_share(request.tenant(), first, last)}


@router.get("/analytics/return-reasons", tags=["analytics"],
            summary="Opened returns, exchanges and refund-only requests by reason, most frequent first")
def return_reasons(first: From, last: To, grain: Grain = "month") -> dict:
    request.require(*SUPERVISORS)
    return {"items": services().analytics.reasons(request.tenant(), grain, first, last)}
