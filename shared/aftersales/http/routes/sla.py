"""SLA routes: the tenant's SLA policy and business-hours calendars, a ticket's deadlines, and
the supervisor figures (daily timeouts, responsible-person ranking, compliance)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from aftersales.http.context import RequestContext
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)
STAFF_AND_STOREFRONT = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.STOREFRONT)
DateQuery = Annotated[date, Query(alias="from", description="First local day of the tenant's zone (YYYY-MM-DD)")]
ToQuery = Annotated[date, Query(alias="to", description="Last local day, inclusive")]


# ---------------------------------------------------------------------- policy and calendars
@router.put("/sla/policy", tags=["sla"], summary="Replace the tenant's SLA policy (validated; 422 lists every issue)")
def put_policy(body: Annotated[dict[str, Any], Body()]) -> dict:
    request.require(*SUPERVISORS)
    return services().sla.save_policy(request.tenant(), body).model_dump(mode="json")


@router.get("/sla/policy", tags=["sla"], summary="The tenant's SLA policy")
def get_policy() -> dict:
    request.require(*STAFF_AND_STOREFRONT)
    return services().sla.policy(request.tenant()).model_dump(mode="json")


@router.put("/sla/calendars/<calendar_id>", tags=["sla"], summary="Create or replace a business-hours calendar")
def put_calendar(calendar_id: Annotated[str, Path(max_length=64)], body: Annotated[dict[str, Any], Body()]) -> dict:
    request.require(*SUPERVISORS)
    return services().sla.save_calendar(request.tenant(), calendar_id, body).model_dump(mode="json")


@router.get("/sla/calendars", tags=["sla"], summary="The tenant's calendars")
def list_calendars() -> dict:
    request.require(*STAFF_AND_STOREFRONT)
    return {"items": [c.model_dump(mode="json") for c in services().sla.calendars(request.tenant())]}


@router.get("/tickets/<ticket_id>/deadlines", tags=["sla"], summary="A ticket's SLA deadlines and fired stages")
def ticket_deadlines(ticket_id: Annotated[str, Path(max_length=128)]) -> dict:
    request.require(*STAFF_AND_STOREFRONT)
    states = services().sla.deadlines(request.tenant(), ticket_id, request.actor())
    return {"ticket_id": ticket_id,
            "deadlines": [{**s.deadline.model_dump(mode="json"), "fired": sorted(s.fired),
                           "breached": s.is_breached} for s in states]}


@router.get("/sla/clocks", tags=["sla"],
            summary="The SLA deadlines of a page of tickets (a queue's clocks) in one read")
def ticket_clocks(ticket_ids: Annotated[str, Query(max_length=12_900, description="Comma-separated ticket ids "
                                                                                   "(at most 100)")]) -> dict:
    request.require(*STAFF_AND_STOREFRONT)
    ids = [i for i in (part.strip() for part in ticket_ids.split(",")) if i]
    clocks = services().sla.clocks(request.tenant(), ids)
    return {"clocks": {tid: [{**s.deadline.model_dump(mode="json"), "fired": sorted(s.fired),
                              "breached": s.is_breached} for s in states] for tid, states in clocks.items()}}


# ---------------------------------------------------------------------- supervisor figures
# Days are the tenant's local days (the zone of its calendar without a region, as the analytics
# buckets): the figures are kept per day in that zone, and each answer names it.
@router.get("/sla/figures/daily-timeouts", tags=["sla figures"],
            summary="Breaches per local day (the tenant's zone, named in the answer) and metric")
def figures_daily(first: DateQuery, last: ToQuery) -> dict:
    request.require(*SUPERVISORS)
    figures = services().sla.daily_timeouts(request.tenant(), first, last)
    return {"zone": figures.zone, "items": [r.model_dump(mode="json") for r in figures.items]}


@router.get("/sla/figures/ranking", tags=["sla figures"],
            summary="Responsible-person ranking: breaches and handling time per agent or team")
def figures_ranking(first: DateQuery, last: ToQuery,
                    by: Annotated[Literal["agent", "team"], Query()] = "agent") -> dict:
    request.require(*SUPERVISORS)
    figures = services().sla.ranking(request.tenant(), first, last, by)
    return {"by": by, "zone": figures.zone,
            "items": [{**r.model_dump(mode="json"), "mean_handling_seconds": r.mean_handling_time.total_seconds()
                       if r.mean_handling_time else None} for r in figures.items]}


@router.get("/sla/figures/compliance", tags=["sla figures"], summary="SLA compliance per type × tier × channel")
def figures_compliance(first: DateQuery, last: ToQuery) -> dict:
    request.require(*SUPERVISORS)
    figures = services().sla.compliance(request.tenant(), first, last)
    return {"zone": figures.zone,
            "items": [{**r.model_dump(mode="json"), "compliance_rate": r.compliance_rate} for r in figures.items]}
