"""Manual and batch reassignment: supervisors only, always with a reason kept on the record.

A batch is checked as a whole before anything is returned, so an adapter writes all or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from pydantic import ConfigDict, Field

from aftersales.core.errors import Conflict, Forbidden, InvalidRequest
from aftersales.core.model import DomainModel
from aftersales.dispatch.assign import Assignment, assign, is_available
from aftersales.dispatch.model import Agent, TicketNeeds
from aftersales.sla.calendar import BusinessCalendar

_Frozen = ConfigDict(frozen=True, extra="forbid")


class Actor(DomainModel):
    model_config = _Frozen
    actor_id: str
    supervisor: bool = False


class OpenTicket(DomainModel):
    model_config = _Frozen
    ticket_id: str
    agent_id: str | None
    needs: TicketNeeds


class Reassignment(DomainModel):
    """The audit record of one move."""

    model_config = _Frozen
    ticket_id: str
    from_agent_id: str | None
    to_agent_id: str
    to_team_id: str
    reason: str = Field(min_length=1)
    actor_id: str
    at: datetime


class Redistribution(DomainModel):
    model_config = _Frozen
    moved: tuple[Reassignment, ...]
    unassigned: dict[str, Assignment]  # ticket id -> why no agent could take it


def _check_actor(actor: Actor, reason: str) -> str:
    if not actor.supervisor:
        raise Forbidden("dispatch.reassign_supervisors_only", actor_id=actor.actor_id)
    if not reason.strip():
        raise InvalidRequest("dispatch.reassign_reason_required")
    return reason.strip()


def reassign(
    tickets: Sequence[OpenTicket],
    to_agent: Agent,
    actor: Actor,
    reason: str,
    loads: Mapping[str, int],
    now: datetime,
    *,
    allow_over_capacity: bool = False,
    calendars: Mapping[str, BusinessCalendar] | None = None,
    allow_off_shift: bool = False,
) -> list[Reassignment]:
    """Move tickets to one agent. Tickets already with that agent are left alone.

    The target must not be offline and must have every ticket's skills; it must be on shift (when it
    works one) and have room for the batch, unless the supervisor explicitly allows going off shift
    (e.g. handing work over for the agent's next shift) or over capacity.
    """
    reason = _check_actor(actor, reason)
    if to_agent.availability == "offline":
        raise Conflict("dispatch.target_offline", agent_id=to_agent.agent_id)
    if not allow_off_shift and not is_available(to_agent, now, calendars or {}):
        raise Conflict("dispatch.target_off_shift", agent_id=to_agent.agent_id,
                       shift_calendar_id=to_agent.shift_calendar_id)
    unskilled = [t.ticket_id for t in tickets if not t.needs.met_by(to_agent.skills)]
    if unskilled:
        raise InvalidRequest("dispatch.target_lacks_skills", agent_id=to_agent.agent_id, ticket_ids=unskilled)
    moving = [t for t in tickets if t.agent_id != to_agent.agent_id]
    room = to_agent.max_open - loads.get(to_agent.agent_id, 0)
    if len(moving) > room and not allow_over_capacity:
        raise Conflict(
            "dispatch.target_over_capacity", agent_id=to_agent.agent_id, room=room, requested=len(moving)
        )
    return [
        Reassignment(
            ticket_id=t.ticket_id,
            from_agent_id=t.agent_id,
            to_agent_id=to_agent.agent_id,
            to_team_id=to_agent.team_id,
            reason=reason,
            actor_id=actor.actor_id,
            at=now,
        )
        for t in moving
    ]


def redistribute(
    tickets: Sequence[OpenTicket],
    agents: Sequence[Agent],
    loads: Mapping[str, int],
    actor: Actor,
    reason: str,
    now: datetime,
    calendars: Mapping[str, BusinessCalendar] | None = None,
) -> Redistribution:
    """Spread tickets (e.g. of an agent going off shift) over the other agents by the usual
    assignment rules, counting each move against the receiver's load."""
    reason = _check_actor(actor, reason)
    running_loads = dict(loads)
    moved, unassigned = [], {}
    for ticket in tickets:
        others = [a for a in agents if a.agent_id != ticket.agent_id]
        assignment = assign(ticket.needs, others, running_loads, now=now, calendars=calendars)
        if assignment.agent_id is None or assignment.team_id is None:
            unassigned[ticket.ticket_id] = assignment
            continue
        running_loads[assignment.agent_id] = running_loads.get(assignment.agent_id, 0) + 1
        moved.append(
            Reassignment(
                ticket_id=ticket.ticket_id,
                from_agent_id=ticket.agent_id,
                to_agent_id=assignment.agent_id,
                to_team_id=assignment.team_id,
                reason=reason,
                actor_id=actor.actor_id,
                at=now,
            )
        )
    return Redistribution(moved=tuple(moved), unassigned=unassigned)
