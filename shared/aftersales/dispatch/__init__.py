"""Dispatch: who handles a ticket. Pure domain; callers pass agents, loads and calendars in."""

from aftersales.dispatch.assign import Assignment, assign, is_available
from aftersales.dispatch.model import Agent, Skills, Team, TicketNeeds, with_team_skills
from aftersales.dispatch.reassign import (
    Actor,
    OpenTicket,
    Reassignment,
    Redistribution,
    reassign,
    redistribute,
)

__all__ = [
    "Actor",
    "Agent",
    "Assignment",
    "OpenTicket",
    "Reassignment",
    "Redistribution",
    "Skills",
    "Team",
    "TicketNeeds",
    "assign",
    "is_available",
    "reassign",
    "redistribute",
    "with_team_skills",
]
