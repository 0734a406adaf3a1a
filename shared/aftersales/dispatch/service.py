"""Dispatch use cases: agents/teams, auto-assignment, escalation, manual and batch reassignment.

Every assignment goes through TicketService.assign, so the reason is kept in the audit chain.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aftersales.core.clock import Clock
from aftersales.core.errors import InvalidRequest, NotFound, PreconditionFailed
from aftersales.dispatch.assign import Assignment
from aftersales.dispatch.assign import assign as assign_rule
from aftersales.dispatch.model import Agent, Team, TicketNeeds, with_team_skills
from aftersales.dispatch.ports import DispatchStore
from aftersales.dispatch.reassign import Actor as DispatchActor
from aftersales.dispatch.reassign import OpenTicket, Reassignment, reassign, redistribute
from aftersales.sla.calendar import BusinessCalendar
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tickets.model import TERMINAL_STATUSES, Role
from aftersales.tickets.service import TicketService

DISPATCHER = Actor(id="dispatcher", roles=frozenset({Role.SYSTEM}))
SUPERVISING = frozenset({Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True)
class AgentRecord:
    agent: Agent
    roles: frozenset[str]

    def view(self, load: int) -> dict[str, Any]:
        return {**self.agent.model_dump(mode="json"), "roles": sorted(self.roles), "open_tickets": load}


class DispatchService:
    def __init__(self, store: DispatchStore, tickets: TicketService, clock: Clock,
                 calendars: Callable[[str], Mapping[str, BusinessCalendar]] | None = None) -> None:
        self._store = store
        self._tickets = tickets
        self._clock = clock
        self._calendars = calendars or (lambda _tenant_id: {})

    def calendars(self, tenant_id: str) -> Mapping[str, BusinessCalendar]:
        """The tenant's calendars (agents' shifts are calendars; an unknown shift counts as off)."""
        return self._calendars(tenant_id)

    # ---------------------------------------------------------------- agents and teams
    def put_agent(self, tenant_id: str, agent: Agent, roles: frozenset[str]) -> AgentRecord:
        if agent.team_id not in {t.team_id for t in self._store.teams(tenant_id)}:
            raise InvalidRequest("dispatch.unknown_team", field="team_id", team_id=agent.team_id)
        self._store.save_agent(tenant_id, agent, roles)
        return AgentRecord(agent, roles)

    def agents(self, tenant_id: str) -> list[AgentRecord]:
        return [AgentRecord(a, r) for a, r in self._store.agents(tenant_id)]

    def agent(self, tenant_id: str, agent_id: str) -> AgentRecord:
        found = self._store.agent(tenant_id, agent_id)
        if found is None:
            raise NotFound("dispatch.agent_not_found", agent_id=agent_id)
        return AgentRecord(*found)

    def delete_agent(self, tenant_id: str, agent_id: str) -> None:
        self.agent(tenant_id, agent_id)
        self._store.delete_agent(tenant_id, agent_id)

    def put_team(self, tenant_id: str, team: Team) -> Team:
        self._store.save_team(tenant_id, team)
        return team

    def teams(self, tenant_id: str) -> list[Team]:
        return self._store.teams(tenant_id)

    def delete_team(self, tenant_id: str, team_id: str) -> None:
        if any(r.agent.team_id == team_id for r in self.agents(tenant_id)):
            raise InvalidRequest("dispatch.team_has_agents", field="team_id", team_id=team_id)
        self._store.delete_team(tenant_id, team_id)

    def loads(self, tenant_id: str) -> dict[str, int]:
        return self._store.loads(tenant_id)

    def team_of(self, tenant_id: str, agent_id: str | None) -> str | None:
        found = self._store.agent(tenant_id, agent_id) if agent_id else None
        return found[0].team_id if found else None

    # ---------------------------------------------------------------- routing
    def needs(self, tenant_id: str, ticket: Ticket, *, escalated: bool = False) -> TicketNeeds:
        category = None
        stored = self._tickets.get_order(tenant_id, ticket.order_id, DISPATCHER) if ticket.lines else None
        if stored is not None:
            wanted = {ln.line_id for ln in ticket.lines}
            category = next((ln.category for ln in stored.lines if ln.line_id in wanted and ln.category), None)
        return TicketNeeds(ticket_type=ticket.type.value, language=ticket.locale, channel=ticket.channel.value,
                           product_category=category, escalated=escalated)

    def _pool(self, tenant_id: str, role: str | None = None) -> list[Agent]:
        records = self._store.agents(tenant_id)
        if role is not None:
            # A supervisor without explicit escalation roles takes level "supervisor" escalations.
            records = [(a, r) for a, r in records if a.supervisor and role in (r or {"supervisor"})]
        return with_team_skills([a for a, _ in records], self._store.teams(tenant_id))

    def decide(self, tenant_id: str, ticket: Ticket, *, to_role: str | None = None) -> Assignment:
        """The assignment decision only (pure rules over the stored agents and loads)."""
        needs = self.needs(tenant_id, ticket, escalated=to_role is not None)
        last = None if to_role else self._store.last_agent(tenant_id, ticket.customer_id)
        return assign_rule(needs, self._pool(tenant_id, to_role), self._store.loads(tenant_id), last,
                           now=self._clock.now(), calendars=self.calendars(tenant_id))

    def auto_assign(self, tenant_id: str, ticket_id: str, attempts: int = 5) -> Assignment | None:
        """New tickets: least-loaded skilled available agent, sticky to the customer's last agent.
        None when the ticket already has an assignee or is closed (redelivered event). A ticket that
        moved on between the read and the assignment (the customer, an agent or the platform's own
        steps on a new ticket — triage, approval routing — acted on it) is read and decided again, up
        to `attempts` times, instead of failing the event until redelivery."""
        for attempt in range(1, attempts + 1):
            ticket = self._tickets.get(tenant_id, ticket_id, DISPATCHER)
            if ticket.assignee_id is not None or ticket.status in TERMINAL_STATUSES:
                return None
            decision = self.decide(tenant_id, ticket)
            if decision.agent_id is None:
                return decision
            try:
                self._tickets.assign(tenant_id, ticket_id, decision.agent_id, DISPATCHER,
                                     reason=f"auto:{decision.reason_code}: {decision.reason_detail}",
                                     expected_version=ticket.version)
            except PreconditionFailed:
                if attempt == attempts:
                    raise
                continue
            return decision
        return None

    def escalate(self, tenant_id: str, ticket: Ticket, to_role: str, reason: str) -> Assignment:
        decision = self.decide(tenant_id, ticket, to_role=to_role)
        if decision.agent_id is not None and decision.agent_id != ticket.assignee_id:
            self._tickets.assign(tenant_id, ticket.id, decision.agent_id, DISPATCHER,
                                 reason=f"{reason}; {decision.reason_code}: {decision.reason_detail}")
        return decision

    # ---------------------------------------------------------------- load counters (events)
    def on_ticket_event(self, detail: dict[str, Any]) -> None:
        """Keep open-ticket loads and the customer's last agent in step with ticket events."""
        tenant_id, ticket_id, seq = detail["tenant_id"], detail["ticket_id"], int(detail["seq"])
        deltas: dict[str, int] = {}
        if detail["event"] == "ticket.assigned":
            data = detail.get("data") or {}
            if data.get("from_assignee"):
                deltas[data["from_assignee"]] = -1
            if data.get("to_assignee"):
                deltas[data["to_assignee"]] = deltas.get(data["to_assignee"], 0) + 1
                self._store.set_last_agent(tenant_id, detail["customer_id"], data["to_assignee"])
        elif detail.get("to_status") in TERMINAL_STATUSES and detail.get("from_status") not in TERMINAL_STATUSES:
            ticket = self._tickets.get(tenant_id, ticket_id, DISPATCHER)
            if ticket.assignee_id:
                deltas[ticket.assignee_id] = -1
        deltas = {k: v for k, v in deltas.items() if v}
        if deltas:
            self._store.adjust_load(tenant_id, ticket_id, seq, deltas)

    # ---------------------------------------------------------------- supervisors
    def reassign(self, tenant_id: str, actor: Actor, ticket_ids: list[str], to_agent_id: str, reason: str,
                 allow_over_capacity: bool = False, allow_off_shift: bool = False) -> list[Reassignment]:
        """All-or-nothing check of the batch (pure rules), then one audited assignment per ticket."""
        target = self.agent(tenant_id, to_agent_id).agent
        target = with_team_skills([target], self._store.teams(tenant_id))[0]
        open_tickets = [self._open_ticket(tenant_id, tid, actor) for tid in dict.fromkeys(ticket_ids)]
        moves = reassign(open_tickets, target, self._dispatch_actor(actor), reason, self._store.loads(tenant_id),
                         self._clock.now(), allow_over_capacity=allow_over_capacity,
                         calendars=self.calendars(tenant_id), allow_off_shift=allow_off_shift)
        for move in moves:
            self._tickets.assign(tenant_id, move.ticket_id, move.to_agent_id, actor, reason=f"manual: {move.reason}")
        return moves

    def redistribute(self, tenant_id: str, actor: Actor, ticket_ids: list[str], reason: str):
        open_tickets = [self._open_ticket(tenant_id, tid, actor) for tid in dict.fromkeys(ticket_ids)]
        result = redistribute(open_tickets, self._pool(tenant_id), self._store.loads(tenant_id),
                              self._dispatch_actor(actor), reason, self._clock.now(),
                              calendars=self.calendars(tenant_id))
        for move in result.moved:
            self._tickets.assign(tenant_id, move.ticket_id, move.to_agent_id, actor,
                                 reason=f"redistributed: {move.reason}")
        return result

    def _open_ticket(self, tenant_id: str, ticket_id: str, actor: Actor) -> OpenTicket:
        ticket = self._tickets.get(tenant_id, ticket_id, actor)
        return OpenTicket(ticket_id=ticket.id, agent_id=ticket.assignee_id, needs=self.needs(tenant_id, ticket))

    @staticmethod
    def _dispatch_actor(actor: Actor) -> DispatchActor:
        return DispatchActor(actor_id=actor.id, supervisor=bool(actor.roles & SUPERVISING))
