"""Routing a ticket to one agent: skills, availability, shift and capacity, least-loaded first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from fractions import Fraction
from typing import Literal

from pydantic import ConfigDict

from aftersales.core.model import DomainModel
from aftersales.dispatch.model import Agent, TicketNeeds
from aftersales.sla.calendar import BusinessCalendar, is_working_at

ReasonCode = Literal[
    "sticky_customer",
    "least_loaded",
    "escalated_to_supervisor",
    "no_skilled_agent",
    "no_available_agent",
    "all_at_capacity",
]


class Assignment(DomainModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    agent_id: str | None
    team_id: str | None
    reason_code: ReasonCode
    reason_detail: str

    @property
    def assigned(self) -> bool:
        return self.agent_id is not None


def is_available(agent: Agent, now: datetime, calendars: Mapping[str, BusinessCalendar]) -> bool:
    """Online, and within the shift when the agent works one; an unknown shift counts as off."""
    if agent.availability != "online":
        return False
    if agent.shift_calendar_id is None:
        return True
    calendar = calendars.get(agent.shift_calendar_id)
    return calendar is not None and is_working_at(calendar, now)


def _load_order(agent: Agent, loads: Mapping[str, int]) -> tuple[Fraction, int, str]:
    load = loads.get(agent.agent_id, 0)
    return Fraction(load, agent.max_open), load, agent.agent_id


def _unassigned(reason_code: ReasonCode, reason_detail: str) -> Assignment:
    return Assignment(agent_id=None, team_id=None, reason_code=reason_code, reason_detail=reason_detail)


def assign(
    ticket_needs: TicketNeeds,
    agents: Sequence[Agent],
    loads: Mapping[str, int],
    last_agent_for_customer: str | None = None,
    *,
    now: datetime,
    calendars: Mapping[str, BusinessCalendar] | None = None,
) -> Assignment:
    """Pick the agent for a ticket in one pass over `agents`.

    The customer's last agent keeps the customer when eligible; otherwise the eligible agent with
    the lowest load ratio, then lowest load, then agent id. Escalated tickets only go to
    supervisors. `loads` maps agent id to open tickets (absent means none).
    """
    calendars = calendars or {}
    pool = "supervisor" if ticket_needs.escalated else "agent"
    skilled = [
        a for a in agents if ticket_needs.met_by(a.skills) and (a.supervisor or not ticket_needs.escalated)
    ]
    if not skilled:
        return _unassigned("no_skilled_agent", f"no {pool} has the skills for {ticket_needs.model_dump()}")
    available = [a for a in skilled if is_available(a, now, calendars)]
    if not available:
        return _unassigned(
            "no_available_agent", f"{len(skilled)} skilled {pool}(s), none online and on shift"
        )
    eligible = [a for a in available if loads.get(a.agent_id, 0) < a.max_open]
    if not eligible:
        return _unassigned("all_at_capacity", f"{len(available)} available {pool}(s), all at capacity")
    sticky = next((a for a in eligible if a.agent_id == last_agent_for_customer), None)
    if sticky is not None:
        return Assignment(
            agent_id=sticky.agent_id,
            team_id=sticky.team_id,
            reason_code="sticky_customer",
            reason_detail="the customer's last agent is available",
        )
    chosen = min(eligible, key=lambda a: _load_order(a, loads))
    load = loads.get(chosen.agent_id, 0)
    return Assignment(
        agent_id=chosen.agent_id,
        team_id=chosen.team_id,
        reason_code="escalated_to_supervisor" if ticket_needs.escalated else "least_loaded",
        reason_detail=f"lowest load {load}/{chosen.max_open} among {len(eligible)} eligible",
    )
