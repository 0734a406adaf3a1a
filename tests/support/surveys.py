"""A survey service on in-memory fakes: tickets (real TicketService), contacts, an e-mail sender,
agents with their teams, a word sentiment, a fixed clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aftersales.core.clock import FixedClock
from aftersales.dispatch.model import Agent
from aftersales.surveys.follow_ups import TicketFollowUps
from aftersales.surveys.service import SurveyLinks, SurveyService
from aftersales.tickets.domain import OpenTicket, Ticket
from aftersales.tickets.model import Channel, Role, Status, TicketType
from aftersales.tickets.service import TicketService
from tests.support.fakes.dispatch import InMemoryDispatchStore
from tests.support.fakes.surveys import InMemoryContacts, InMemorySurveyStore, RecordingSender, WordSentiment
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.ticket_factories import actor, order

SECRET = "survey-link-secret-for-tests-0123456789"
STAFF = actor(Role.AGENT, id="agent-1")
CLOSER = actor(Role.SUPERVISOR, id="sup-1")


@dataclass
class SurveyRig:
    clock: FixedClock
    store: InMemorySurveyStore
    tickets: TicketService
    ticket_store: InMemoryTicketStore
    contacts: InMemoryContacts
    email: RecordingSender
    staff: InMemoryDispatchStore
    sentiment: WordSentiment
    service: SurveyService

    def closed_complaint(self, *, customer_id: str = "cust-1", order_id: str = "O-1") -> tuple[Ticket, dict[str, Any]]:
        """A complaint handled by agent-1 and closed; returns it and the ticket.closed event detail."""
        ticket = self.tickets.open("acme", OpenTicket(type=TicketType.COMPLAINT, order_id=order_id,
                                                      customer_id=customer_id, channel=Channel.APP,
                                                      reason_code="late", locale="zh-Hans"), CLOSER)
        self.tickets.assign("acme", ticket.id, "agent-1", CLOSER)
        for target in (Status.INVESTIGATING, Status.RESOLVED, Status.CLOSED):
            ticket = self.tickets.transition("acme", ticket.id, target, CLOSER, reason="done")
        return ticket, self.event(ticket, "ticket.closed")

    def event(self, ticket: Ticket, name: str) -> dict[str, Any]:
        return {"tenant_id": "acme", "ticket_id": ticket.id, "ticket_type": ticket.type.value,
                "customer_id": ticket.customer_id, "seq": ticket.version, "event": name,
                "to_status": ticket.status.value, "at": self.clock.now().isoformat()}


def survey_rig(now: datetime, *, email: RecordingSender | None = None, with_follow_ups: bool = False) -> SurveyRig:
    """`with_follow_ups`: unhappy answers open tickets (surveys.follow_ups on the same tickets service)."""
    clock = FixedClock(now)
    ticket_store = InMemoryTicketStore()
    tickets = TicketService(ticket_store, clock)
    for customer in ("cust-1", "cust-2"):
        tickets.upsert_order("acme", order(order_id=f"O-{customer}", customer={"id": customer}))
    tickets.upsert_order("acme", order())
    store, contacts, staff = InMemorySurveyStore(), InMemoryContacts(), InMemoryDispatchStore()
    sentiment = WordSentiment()
    staff.save_agent("acme", Agent(agent_id="agent-1", team_id="team-a", max_open=10), frozenset({"agent"}))
    staff.save_agent("acme", Agent(agent_id="lead-a", team_id="team-a", max_open=10, supervisor=True),
                     frozenset({"supervisor"}))
    email = RecordingSender() if email is None else email
    contacts.put("acme", "cust-1", "email", {"address": "c1@example.com", "locale": "zh-Hans",
                                             "time_zone": "Asia/Shanghai"})
    contacts.put("acme", "cust-2", "email", {"address": "c2@example.com", "locale": "en",
                                             "time_zone": "Europe/London"})
    service = SurveyService(store, tickets, ticket_store, contacts, {"email": email}, staff, sentiment, clock,
                            SurveyLinks(SECRET, "https://api.example.com/v1"),
                            follow_ups=TicketFollowUps(tickets, ticket_store, staff) if with_follow_ups else None)
    return SurveyRig(clock, store, tickets, ticket_store, contacts, email, staff, sentiment, service)
