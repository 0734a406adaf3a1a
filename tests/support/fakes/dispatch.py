"""The dispatch context's DispatchStore over dicts, as the DynamoDB adapter keeps it: agents with
their escalation roles, teams, open-ticket loads applied once per ticket event, the last agent of
each customer."""

from __future__ import annotations

from collections.abc import Mapping

from aftersales.dispatch.model import Agent, Team


class InMemoryDispatchStore:
    def __init__(self) -> None:
        self.agent_records: dict[tuple[str, str], tuple[Agent, frozenset[str]]] = {}
        self.team_records: dict[tuple[str, str], Team] = {}
        self.load_counts: dict[tuple[str, str], int] = {}
        self.applied_events: set[tuple[str, str, int]] = set()
        self.last_agents: dict[tuple[str, str], str] = {}

    def __len__(self) -> int:
        return len(self.agent_records)

    def __contains__(self, agent_id: object) -> bool:
        return any(key[1] == agent_id for key in self.agent_records)

    def agents(self, tenant_id: str) -> list[tuple[Agent, frozenset[str]]]:
        return [record for (t, _), record in sorted(self.agent_records.items()) if t == tenant_id]

    def agent(self, tenant_id: str, agent_id: str) -> tuple[Agent, frozenset[str]] | None:
        return self.agent_records.get((tenant_id, agent_id))

    def save_agent(self, tenant_id: str, agent: Agent, roles: frozenset[str]) -> None:
        self.agent_records[(tenant_id, agent.agent_id)] = (agent, frozenset(roles))

    def delete_agent(self, tenant_id: str, agent_id: str) -> None:
        self.agent_records.pop((tenant_id, agent_id), None)

    def teams(self, tenant_id: str) -> list[Team]:
        return [team for (t, _), team in sorted(self.team_records.items()) if t == tenant_id]

    def save_team(self, tenant_id: str, team: Team) -> None:
        self.team_records[(tenant_id, team.team_id)] = team

    def delete_team(self, tenant_id: str, team_id: str) -> None:
        self.team_records.pop((tenant_id, team_id), None)

    def loads(self, tenant_id: str) -> dict[str, int]:
        return {agent_id: n for (t, agent_id), n in self.load_counts.items() if t == tenant_id}

    def adjust_load(self, tenant_id: str, ticket_id: str, seq: int, deltas: Mapping[str, int]) -> bool:
        if (tenant_id, ticket_id, seq) in self.applied_events:
            return False
        self.applied_events.add((tenant_id, ticket_id, seq))
        for agent_id, delta in deltas.items():
            self.load_counts[(tenant_id, agent_id)] = self.load_counts.get((tenant_id, agent_id), 0) + delta
        return True

    def last_agent(self, tenant_id: str, customer_id: str) -> str | None:
        return self.last_agents.get((tenant_id, customer_id))

    def set_last_agent(self, tenant_id: str, customer_id: str, agent_id: str) -> None:
        self.last_agents[(tenant_id, customer_id)] = agent_id
