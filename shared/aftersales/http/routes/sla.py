"""SLA and dispatch routes: policy and calendars, a ticket's deadlines, agents and teams,
manual and batch reassignment, supervisor figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import ConfigDict, Field, StrictBool, StrictInt

from aftersales.core.model import DomainModel
from aftersales.core.text import free_text, label
from aftersales.dispatch.model import Agent, Skills, Team
from aftersales.http.app import actor, idempotent_post, require, tenant
from aftersales.orders.domain import Identifier
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)
STAFF_AND_STOREFRONT = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.STOREFRONT)
DateQuery = Annotated[date, Query(alias="from", description="First local day (YYYY-MM-DD)")]
ToQuery = Annotated[date, Query(alias="to", description="Last local day, inclusive")]
ZoneQuery = Annotated[str, Query(max_length=64, description="IANA zone of the days")]


class AgentRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    team_id: label(128, min_length=1)
    skills: Skills = Skills()
    max_open: StrictInt = Field(ge=1, le=10_000)
    availability: Literal["online", "away", "offline"] = "offline"
    shift_calendar_id: label(64, min_length=1) | None = None
    supervisor: StrictBool = False
    roles: list[label(64, min_length=1)] = Field(
        default_factory=list, description='Escalation roles beyond "supervisor", e.g. "regional_lead"')


class TeamRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    skills: Skills = Skills()


class ReassignRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    ticket_ids: list[Identifier] = Field(min_length=1, max_length=100)
    to_agent_id: label(128, min_length=1)
    reason: free_text(500, min_length=1)
    allow_over_capacity: StrictBool = False
    allow_off_shift: StrictBool = Field(False, description="Assign even though the agent's shift calendar says off now")


class RedistributeRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    ticket_ids: list[Identifier] = Field(min_length=1, max_length=100)
    reason: free_text(500, min_length=1)


# ---------------------------------------------------------------------- policy and calendars
@router.put("/sla/policy", tags=["sla"], summary="Replace the tenant's SLA policy (validated; 422 lists every issue)")
def put_policy(body: Annotated[dict[str, Any], Body()]) -> dict:
    require(*SUPERVISORS)
    return services().sla.engine.save_policy(tenant(), body).model_dump(mode="json")


@router.get("/sla/policy", tags=["sla"], summary="The tenant's SLA policy")
def get_policy() -> dict:
    require(*STAFF_AND_STOREFRONT)
    return services().sla.engine.policy(tenant()).model_dump(mode="json")


@router.put("/sla/calendars/<calendar_id>", tags=["sla"], summary="Create or replace a business-hours calendar")
def put_calendar(calendar_id: Annotated[str, Path(max_length=64)], body: Annotated[dict[str, Any], Body()]) -> dict:
    require(*SUPERVISORS)
    return services().sla.engine.save_calendar(tenant(), calendar_id, body).model_dump(mode="json")


@router.get("/sla/calendars", tags=["sla"], summary="The tenant's calendars")
def list_calendars() -> dict:
    require(*STAFF_AND_STOREFRONT)
    return {"items": [c.model_dump(mode="json") for c in services().sla.engine.calendars(tenant())]}


@router.get("/tickets/<ticket_id>/deadlines", tags=["sla"], summary="A ticket's SLA deadlines and fired stages")
def ticket_deadlines(ticket_id: Annotated[str, Path(max_length=128)]) -> dict:
    require(*STAFF_AND_STOREFRONT)
    states = services().sla.engine.deadlines(tenant(), ticket_id, actor())
    return {"ticket_id": ticket_id,
            "deadlines": [{**s.deadline.model_dump(mode="json"), "fired": sorted(s.fired),
                           "breached": s.is_breached} for s in states]}


# ---------------------------------------------------------------------- agents and teams
@router.put("/dispatch/teams/<team_id>", tags=["dispatch"], summary="Create or replace a team (skill group)")
def put_team(team_id: Annotated[str, Path(max_length=128)], body: TeamRequest) -> dict:
    require(*SUPERVISORS)
    return services().sla.dispatch.put_team(tenant(), Team(team_id=team_id, skills=body.skills)).model_dump(
        mode="json")


@router.get("/dispatch/teams", tags=["dispatch"], summary="Teams")
def list_teams() -> dict:
    require(*SUPERVISORS)
    return {"items": [t.model_dump(mode="json") for t in services().sla.dispatch.teams(tenant())]}


@router.delete("/dispatch/teams/<team_id>", tags=["dispatch"], summary="Delete a team without agents",
                responses={204: {"description": "Deleted", "content": {}}})
def delete_team(team_id: Annotated[str, Path(max_length=128)]) -> Response[dict]:
    require(*SUPERVISORS)
    services().sla.dispatch.delete_team(tenant(), team_id)
    return Response(status_code=204)


@router.put("/dispatch/agents/<agent_id>", tags=["dispatch"], summary="Create or replace an agent")
def put_agent(agent_id: Annotated[str, Path(max_length=128)], body: AgentRequest) -> dict:
    require(*SUPERVISORS)
    agent = Agent(agent_id=agent_id, **body.model_dump(exclude={"roles"}))
    dispatch = services().sla.dispatch
    record = dispatch.put_agent(tenant(), agent, frozenset(body.roles))
    return record.view(dispatch.loads(tenant()).get(agent_id, 0))


@router.get("/dispatch/agents", tags=["dispatch"], summary="Agents with their open-ticket load")
def list_agents() -> dict:
    require(*SUPERVISORS)
    dispatch = services().sla.dispatch
    loads = dispatch.loads(tenant())
    return {"items": [r.view(loads.get(r.agent.agent_id, 0)) for r in dispatch.agents(tenant())]}


@router.get("/dispatch/agents/<agent_id>", tags=["dispatch"], summary="One agent")
def get_agent(agent_id: Annotated[str, Path(max_length=128)]) -> dict:
    require(*SUPERVISORS)
    dispatch = services().sla.dispatch
    return dispatch.agent(tenant(), agent_id).view(dispatch.loads(tenant()).get(agent_id, 0))


@router.delete("/dispatch/agents/<agent_id>", tags=["dispatch"], summary="Delete an agent",
                responses={204: {"description": "Deleted", "content": {}}})
def delete_agent(agent_id: Annotated[str, Path(max_length=128)]) -> Response[dict]:
    require(*SUPERVISORS)
    services().sla.dispatch.delete_agent(tenant(), agent_id)
    return Response(status_code=204)


# ---------------------------------------------------------------------- reassignment
@router.post("/dispatch/reassignments", tags=["dispatch"],
             summary="Move one or many tickets to an agent (supervisors; all or nothing; reason kept)")
def post_reassignment(body: ReassignRequest) -> Response[dict]:
    who = actor()

    def compute() -> dict:
        moves = services().sla.dispatch.reassign(tenant(), who, body.ticket_ids, body.to_agent_id, body.reason,
                                                  body.allow_over_capacity, body.allow_off_shift)
        return {"moved": [m.model_dump(mode="json") for m in moves]}

    return idempotent_post(200, compute)


@router.post("/dispatch/redistributions", tags=["dispatch"],
             summary="Spread tickets over other agents by the assignment rules (supervisors)")
def post_redistribution(body: RedistributeRequest) -> Response[dict]:
    who = actor()

    def compute() -> dict:
        result = services().sla.dispatch.redistribute(tenant(), who, body.ticket_ids, body.reason)
        return result.model_dump(mode="json")

    return idempotent_post(200, compute)


# ---------------------------------------------------------------------- supervisor figures
@router.get("/sla/figures/daily-timeouts", tags=["sla figures"], summary="Breaches per local day and metric")
def figures_daily(first: DateQuery, last: ToQuery, timezone: ZoneQuery = "UTC") -> dict:
    require(*SUPERVISORS)
    rows = services().sla.engine.daily_timeouts(tenant(), first, last, _zone(timezone))
    return {"items": [r.model_dump(mode="json") for r in rows]}


@router.get("/sla/figures/ranking", tags=["sla figures"],
            summary="Responsible-person ranking: breaches and handling time per agent or team")
def figures_ranking(first: DateQuery, last: ToQuery, by: Annotated[Literal["agent", "team"], Query()] = "agent",
                    timezone: ZoneQuery = "UTC") -> dict:
    require(*SUPERVISORS)
    rows = services().sla.engine.ranking(tenant(), first, last, _zone(timezone), by)
    return {"by": by, "items": [{**r.model_dump(mode="json"),
                                 "mean_handling_seconds": r.mean_handling_time.total_seconds()
                                 if r.mean_handling_time else None} for r in rows]}


@router.get("/sla/figures/compliance", tags=["sla figures"], summary="SLA compliance per type × tier × channel")
def figures_compliance(first: DateQuery, last: ToQuery, timezone: ZoneQuery = "UTC") -> dict:
    require(*SUPERVISORS)
    rows = services().sla.engine.compliance(tenant(), first, last, _zone(timezone))
    return {"items": [{**r.model_dump(mode="json"), "compliance_rate": r.compliance_rate} for r in rows]}


def _zone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from aftersales.core.errors import InvalidRequest

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidRequest("sla.unknown_timezone", field="query.timezone", timezone=name) from None
    return name


__all__ = ["router"]
