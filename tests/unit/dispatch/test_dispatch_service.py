"""DispatchService on the in-memory DispatchStore and the real TicketService on the in-memory ticket
store: auto-assignment (least loaded, sticky to the customer's last agent, skills from the team),
load counters kept once per ticket event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aftersales.core.clock import FixedClock
from aftersales.core.errors import InvalidRequest
from aftersales.dispatch.model import Agent, Skills, Team
from aftersales.dispatch.service import DispatchService
from aftersales.orders.domain import Order
from aftersales.tickets.domain import LineRequest, OpenTicket
from aftersales.tickets.model import Status
from aftersales.tickets.service import TicketService
from tests.support.fakes.dispatch import InMemoryDispatchStore
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.ticket_factories import CUSTOMER, STOREFRONT, SUPERVISOR
from tests.support.tickets import order_payload

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
RETURNS = Skills(ticket_types={"return_refund"}, languages={"en"}, channels={"app"})


class Rig:
    def __init__(self) -> None:
        clock = FixedClock(NOW)
        self.ticket_store = InMemoryTicketStore()
        self.store = InMemoryDispatchStore()
        self.tickets = TicketService(self.ticket_store, clock)
        self.dispatch = DispatchService(self.store, self.tickets, clock)
        self.tickets.upsert_order("acme", Order.model_validate(order_payload(quantity=10)))
        self.dispatch.put_team("acme", Team(team_id="returns", skills=RETURNS))
        self.dispatch.put_team("acme", Team(team_id="repairs"))

    def agent(self, agent_id: str, team_id: str = "returns", **fields) -> None:
        self.dispatch.put_agent("acme", Agent(agent_id=agent_id, team_id=team_id, max_open=5,
                                              availability="online", **fields), frozenset())

    def open(self) -> str:
        return self.tickets.open("acme", OpenTicket(type="return_refund", order_id="O-1", channel="app",
                                                    reason_code="damaged",
                                                    lines=[LineRequest(line_id="L1", quantity=1)]), STOREFRONT).id

    def deliver(self, ticket_id: str) -> None:
        """The ticket's last audit entry as the dispatcher receives it (a domain event)."""
        entry = self.ticket_store.audit_entries("acme", ticket_id)[-1]
        ticket = self.ticket_store.get_ticket("acme", ticket_id)
        self.dispatch.on_ticket_event({"tenant_id": "acme", "ticket_id": ticket_id, "seq": entry.seq,
                                       "event": entry.event, "customer_id": ticket.customer_id,
                                       "from_status": entry.from_status, "to_status": entry.to_status,
                                       "data": entry.data})


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_a_new_ticket_goes_to_the_least_loaded_skilled_agent(rig):
    """GIVEN two agents of the returns team (skills from the team), one with three open tickets, and
    an idle agent of another team WHEN a return is auto-assigned THEN the idle returns agent gets it,
    with the rule's reason in the audit chain."""
    rig.agent("a-busy")
    rig.agent("a-idle")
    rig.agent("r-idle", team_id="repairs")
    rig.store.adjust_load("acme", "tkt_old", 1, {"a-busy": 3})
    ticket_id = rig.open()

    decision = rig.dispatch.auto_assign("acme", ticket_id)

    assert (decision.agent_id, decision.reason_code) == ("a-idle", "least_loaded")
    assert rig.ticket_store.get_ticket("acme", ticket_id).assignee_id == "a-idle"
    assert rig.ticket_store.audit_entries("acme", ticket_id)[-1].reason.startswith("auto:least_loaded")


def test_the_customers_last_agent_keeps_the_customer(rig):
    """GIVEN the customer's previous ticket was assigned to a-busy (the event delivered) WHEN their
    next ticket is auto-assigned THEN a-busy gets it although a-idle has less load."""
    rig.agent("a-busy")
    rig.agent("a-idle")
    first = rig.open()
    rig.tickets.assign("acme", first, "a-busy", SUPERVISOR)
    rig.deliver(first)

    decision = rig.dispatch.auto_assign("acme", rig.open())

    assert (decision.agent_id, decision.reason_code) == ("a-busy", "sticky_customer")
    assert rig.dispatch.loads("acme") == {"a-busy": 1}


def test_a_redelivered_event_moves_the_load_once(rig):
    """GIVEN an assignment event WHEN it is delivered twice THEN the agent's load rose by one."""
    rig.agent("a-1")
    ticket_id = rig.open()
    rig.dispatch.auto_assign("acme", ticket_id)

    rig.deliver(ticket_id)
    rig.deliver(ticket_id)

    assert rig.dispatch.loads("acme") == {"a-1": 1}


def test_closing_a_ticket_frees_its_agent(rig):
    """GIVEN an assigned ticket counted in its agent's load WHEN the customer cancels it and the event
    is delivered THEN the load is back to zero."""
    rig.agent("a-1")
    ticket_id = rig.open()
    rig.dispatch.auto_assign("acme", ticket_id)
    rig.deliver(ticket_id)

    rig.tickets.transition("acme", ticket_id, Status.CANCELLED, CUSTOMER, reason="no longer needed")
    rig.deliver(ticket_id)

    assert rig.dispatch.loads("acme") == {"a-1": 0}


def test_an_assigned_or_closed_ticket_is_left_alone(rig):
    """GIVEN a ticket already assigned WHEN auto-assignment runs again (a redelivered event) THEN it
    returns None and the chain does not grow."""
    rig.agent("a-1")
    rig.agent("a-2")
    ticket_id = rig.open()
    rig.dispatch.auto_assign("acme", ticket_id)
    entries = len(rig.ticket_store.audit_entries("acme", ticket_id))

    assert rig.dispatch.auto_assign("acme", ticket_id) is None
    assert len(rig.ticket_store.audit_entries("acme", ticket_id)) == entries


def test_nobody_skilled_leaves_the_ticket_unassigned(rig):
    """GIVEN only an agent of a team without the skills WHEN auto-assigned THEN no_skilled_agent and
    no assignee."""
    rig.agent("r-1", team_id="repairs")
    ticket_id = rig.open()

    decision = rig.dispatch.auto_assign("acme", ticket_id)

    assert (decision.agent_id, decision.reason_code) == (None, "no_skilled_agent")
    assert rig.ticket_store.get_ticket("acme", ticket_id).assignee_id is None


def test_an_agent_needs_a_known_team_and_a_team_with_agents_stays(rig):
    """GIVEN the teams WHEN an agent names an unknown team THEN InvalidRequest on team_id; WHEN a team
    with an agent is deleted THEN InvalidRequest, and the team is still there."""
    rig.agent("a-1")
    with pytest.raises(InvalidRequest):
        rig.agent("a-2", team_id="nowhere")
    with pytest.raises(InvalidRequest):
        rig.dispatch.delete_team("acme", "returns")
    assert "a-1" in rig.store and "a-2" not in rig.store
    assert "returns" in {t.team_id for t in rig.dispatch.teams("acme")}
