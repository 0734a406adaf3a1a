"""An unhappy answer goes back to service: a `complaint` ticket (reason `survey_detractor`,
`survey_unhappy_csat`, or `survey_passive` when the tenant switched passives on) on the survey's
order, a child of the surveyed ticket, opened as SYSTEM through the tickets service (its SLA comes
from the SLA engine like any ticket's). Detractors and unhappy CSAT go to the team lead of the
closed ticket's agent (the supervisor of that agent's team), else to the tenant's follow-up owner;
passives stay unassigned for dispatch. The answer is on the ticket's audit chain
(`ticket.survey_linked`). A redelivered follow-up finds the open one it made."""

from __future__ import annotations

from aftersales.core.errors import InvalidRequest
from aftersales.tickets.domain import Actor, OpenTicket, Ticket
from aftersales.tickets.model import Channel, Role, TicketType

from .model import Survey, SurveyRules
from .ports import Orders, Staff, Tickets

REASONS = {"detractor": "survey_detractor", "unhappy": "survey_unhappy_csat", "passive": "survey_passive"}
LINKED = "ticket.survey_linked"
SYSTEM = Actor(id="survey-follow-up", roles=frozenset({Role.SYSTEM}))


class TicketFollowUps:
    def __init__(self, tickets: Tickets, orders: Orders, staff: Staff) -> None:
        self._tickets = tickets
        self._orders = orders
        self._staff = staff

    def open_follow_up(self, survey: Survey, reason: str, settings: SurveyRules) -> str:
        code = REASONS[reason]
        ticket = self._existing(survey, code) or self._open(survey, code)
        if ticket.assignee_id is None and reason != "passive":
            owner = self.owner(survey, settings)
            if owner is not None:
                ticket = self._tickets.assign(survey.tenant_id, ticket.id, owner, SYSTEM, reason=code)
        answer = survey.answer
        data = {"survey_id": survey.survey_id, "kind": survey.kind, "surveyed_ticket_id": survey.ticket_id,
                "nps": answer.nps if answer else None, "csat": answer.csat if answer else None,
                "sentiment": answer.sentiment.label if answer and answer.sentiment else None,
                "causes": answer.sentiment.causes if answer and answer.sentiment else []}
        self._tickets.note(survey.tenant_id, ticket.id, LINKED, SYSTEM, reason=code, data=data)
        return ticket.id

    def owner(self, survey: Survey, settings: SurveyRules) -> str | None:
        """The supervisor of the closed ticket's agent's team, else the tenant's follow-up owner."""
        agents = self._staff.agents(survey.tenant_id)
        team = survey.team_id or next((a.team_id for a, _ in agents if a.agent_id == survey.agent_id), None)
        leads = sorted(a.agent_id for a, _ in agents if a.supervisor and team is not None and a.team_id == team
                       and a.agent_id != survey.agent_id)
        return leads[0] if leads else settings.follow_up_owner

    def _existing(self, survey: Survey, code: str) -> Ticket | None:
        stored = self._orders.get_order(survey.tenant_id, survey.order_id)
        for ticket_id in sorted(stored.ticket_ids) if stored else ():
            ticket = self._tickets.get(survey.tenant_id, ticket_id, SYSTEM)
            if (ticket.type is TicketType.COMPLAINT and not ticket.is_terminal and ticket.reason_code == code
                    and ticket.parent_id == survey.ticket_id):
                return ticket
        return None

    def _open(self, survey: Survey, code: str) -> Ticket:
        comment = survey.answer.comment if survey.answer else None
        opening = OpenTicket(type=TicketType.COMPLAINT, order_id=survey.order_id, customer_id=survey.customer_id,
                             channel=_channel(survey.channel), reason_code=code, description=comment,
                             locale=survey.locale, parent_id=survey.ticket_id)
        try:
            return self._tickets.open(survey.tenant_id, opening, SYSTEM)
        except InvalidRequest:  # the surveyed ticket is gone or of another order: a complaint about the order
            return self._tickets.open(survey.tenant_id, opening.model_copy(update={"parent_id": None}), SYSTEM)


def _channel(value: str | None) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        return Channel.API
