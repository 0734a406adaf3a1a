"""Agents, teams and what a ticket needs from them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import ConfigDict, Field, PositiveInt

from aftersales.core.model import DomainModel
from aftersales.core.text import label

_Frozen = ConfigDict(frozen=True, extra="forbid")

Availability = Literal["online", "away", "offline"]
SkillName = label(64, min_length=1)


class Skills(DomainModel):
    model_config = _Frozen
    ticket_types: frozenset[SkillName] = frozenset()
    languages: frozenset[SkillName] = frozenset()
    channels: frozenset[SkillName] = frozenset()
    product_categories: frozenset[SkillName] = frozenset()

    def union(self, other: Skills) -> Skills:
        return Skills(
            ticket_types=self.ticket_types | other.ticket_types,
            languages=self.languages | other.languages,
            channels=self.channels | other.channels,
            product_categories=self.product_categories | other.product_categories,
        )


class TicketNeeds(DomainModel):
    """What the ticket asks of its handler. No product category means any will do."""

    model_config = _Frozen
    ticket_type: str
    language: str
    channel: str
    product_category: str | None = None
    escalated: bool = False

    def met_by(self, skills: Skills) -> bool:
        return (
            self.ticket_type in skills.ticket_types
            and self.language in skills.languages
            and self.channel in skills.channels
            and (self.product_category is None or self.product_category in skills.product_categories)
        )


class Agent(DomainModel):
    model_config = _Frozen
    agent_id: str = Field(min_length=1)
    team_id: str = Field(min_length=1)
    skills: Skills = Skills()
    max_open: PositiveInt
    availability: Availability = "offline"
    shift_calendar_id: str | None = None
    supervisor: bool = False


class Team(DomainModel):
    """A skill group: its skills are shared by every member."""

    model_config = _Frozen
    team_id: str = Field(min_length=1)
    skills: Skills = Skills()


def with_team_skills(agents: Iterable[Agent], teams: Iterable[Team]) -> list[Agent]:
    """Agents whose skills include their team's skill group."""
    team_skills = {t.team_id: t.skills for t in teams}
    return [
        a.model_copy(update={"skills": a.skills.union(team_skills[a.team_id])})
        if a.team_id in team_skills
        else a
        for a in agents
    ]
