"""Dispatch routes: teams (skill groups) and agents with their open-ticket load and shift
calendar, manual and batch reassignment, redistribution by the assignment rules."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import ConfigDict, Field, StrictBool, StrictInt

from aftersales.core.model import DomainModel
from aftersales.core.text import free_text, label
from aftersales.dispatch.model import Agent, Skills, Team
from aftersales.http.context import RequestContext
from aftersales.orders.domain import Identifier
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)


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


# ---------------------------------------------------------------------- agents and teams
@router.put("/dispatch/teams/<team_id>", tags=["dispatch"], summary="Create or replace a team (skill group)")
def put_team(team_id: Annotated[str, Path(max_length=128)], body: TeamRequest) -> dict:
    request.require(*SUPERVISORS)
    return services().dispatch.put_team(request.tenant(), Team(team_id=team_id, skills=body.skills)).model_dump(
        mode="json")


@router.get("/dispatch/teams", tags=["dispatch"], summary="Teams")
def list_teams() -> dict:
    request.require(*SUPERVISORS)
    return {"items": [t.model_dump(mode="json") for t in services().dispatch.teams(request.tenant())]}


@router.delete("/dispatch/teams/<team_id>", tags=["dispatch"], summary="Delete a team without agents",
                responses={204: {"description": "Deleted", "content": {}}})
def delete_team(team_id: Annotated[str, Path(max_length=128)]) -> Response[None]:
    request.require(*SUPERVISORS)
    services().dispatch.delete_team(request.tenant(), team_id)
    return Response(status_code=204)


@router.put("/dispatch/agents/<agent_id>", tags=["dispatch"], summary="Create or replace an agent")
def put_agent(agent_id: Annotated[str, Path(max_length=128)], body: AgentRequest) -> dict:
    request.require(*SUPERVISORS)
    agent = Agent(agent_id=agent_id, **body.model_dump(exclude={"roles"}))
    dispatch = services().dispatch
    record = dispatch.put_agent(request.tenant(), agent, frozenset(body.roles))
    return record.view(dispatch.loads(request.tenant()).get(agent_id, 0))


@router.get("/dispatch/agents", tags=["dispatch"], summary="Agents with their open-ticket load")
def list_agents() -> dict:
    request.require(*SUPERVISORS)
    dispatch = services().dispatch
    loads = dispatch.loads(request.tenant())
    return {"items": [r.view(loads.get(r.agent.agent_id, 0)) for r in dispatch.agents(request.tenant())]}


@router.get("/dispatch/agents/<agent_id>", tags=["dispatch"], summary="One agent")
def get_agent(agent_id: Annotated[str, Path(max_length=128)]) -> dict:
    request.require(*SUPERVISORS)
    dispatch = services().dispatch
    return dispatch.agent(request.tenant(), agent_id).view(dispatch.loads(request.tenant()).get(agent_id, 0))


@router.delete("/dispatch/agents/<agent_id>", tags=["dispatch"], summary="Delete an agent",
                responses={204: {"description": "Deleted", "content": {}}})
def delete_agent(agent_id: Annotated[str, Path(max_length=128)]) -> Response[None]:
    request.require(*SUPERVISORS)
    services().dispatch.delete_agent(request.tenant(), agent_id)
    return Response(status_code=204)


# ---------------------------------------------------------------------- reassignment
@router.post("/dispatch/reassignments", tags=["dispatch"],
             summary="Move one or many tickets to an agent (supervisors; all or nothing; reason kept)")
def post_reassignment(body: ReassignRequest) -> Response[dict]:
    who = request.actor()

    def compute() -> dict:
        moves = services().dispatch.reassign(request.tenant(), who, body.ticket_ids, body.to_agent_id, body.reason,
                                                  body.allow_over_capacity, body.allow_off_shift)
        return {"moved": [m.model_dump(mode="json") for m in moves]}

    return request.idempotent_post(200, compute)


@router.post("/dispatch/redistributions", tags=["dispatch"],
             summary="Spread tickets over other agents by the assignment rules (supervisors)")
def post_redistribution(body: RedistributeRequest) -> Response[dict]:
    who = request.actor()

    def compute() -> dict:
        result = services().dispatch.redistribute(request.tenant(), who, body.ticket_ids, body.reason)
        return result.model_dump(mode="json")

    return request.idempotent_post(200, compute)
