"""Auto-assignment of a ticket that moves on while the dispatcher decides (someone submits or
cancels it between the dispatcher's read and its assignment): decided again on the fresh ticket,
not failed until the queue redelivers the event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aftersales.core.clock import FixedClock
from aftersales.core.errors import PreconditionFailed
from aftersales.dispatch.model import Agent, Skills, Team
from aftersales.dispatch.service import DispatchService
from aftersales.orders.domain import Order
from aftersales.tickets.domain import Actor, LineRequest, OpenTicket
from aftersales.tickets.model import Role, Status
from aftersales.tickets.service import TicketService
from tests.support.fakes.dispatch import InMemoryDispatchStore
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.ticket_factories import CUSTOMER, STOREFRONT
from tests.support.tickets import order_payload

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SYSTEM = Actor(id="sla", roles=frozenset({Role.SYSTEM}))
RETURNS = Skills(ticket_types={"return_refund"}, languages={"en"}, channels={"app"})


class MovedUnderTheDispatcher(TicketService):
    """The ticket service, with someone else acting on the ticket just before each of the first
    `times` assignments lands."""

    def __init__(self, store, clock, act, times: int) -> None:
        super().__init__(store, clock)
        self.act, self.times = act, times

    def assign(self, tenant_id, ticket_id, assignee_id, actor, **kwargs):
        if self.times > 0:
            self.times -= 1
            self.act(self, tenant_id, ticket_id)
        return super().assign(tenant_id, ticket_id, assignee_id, actor, **kwargs)


def _rig(act, times: int = 1):
    clock = FixedClock(NOW)
    store = InMemoryTicketStore()
    tickets = MovedUnderTheDispatcher(store, clock, act, times)
    dispatch = DispatchService(InMemoryDispatchStore(), tickets, clock)
    tickets.upsert_order("acme", Order.model_validate(order_payload(quantity=10)))
    dispatch.put_team("acme", Team(team_id="returns", skills=RETURNS))
    dispatch.put_agent("acme", Agent(agent_id="a-1", team_id="returns", max_open=5, availability="online"),
                       frozenset())
    ticket_id = tickets.open("acme", OpenTicket(type="return_refund", order_id="O-1", channel="app",
                                                reason_code="damaged", lines=[LineRequest(line_id="L1", quantity=1)]),
                             STOREFRONT).id
    return store, dispatch, ticket_id


def _submit(tickets, tenant_id, ticket_id):
    tickets.transition(tenant_id, ticket_id, Status.PENDING_APPROVAL, STOREFRONT)


def _cancel(tickets, tenant_id, ticket_id):
    tickets.transition(tenant_id, ticket_id, Status.CANCELLED, CUSTOMER)


def test_a_ticket_submitted_while_the_dispatcher_decides_is_still_assigned_once():
    """GIVEN a new return and an agent who can take it WHEN the storefront submits it for approval
    between the dispatcher's read and its assignment THEN the dispatcher decides again on the fresh
    ticket: it is assigned, once, in its new status."""
    store, dispatch, ticket_id = _rig(_submit)

    decision = dispatch.auto_assign("acme", ticket_id)

    assert decision is not None and decision.agent_id == "a-1"
    ticket = store.get_ticket("acme", ticket_id)
    assert (ticket.assignee_id, ticket.status) == ("a-1", Status.PENDING_APPROVAL)
    assert [e.event for e in store.audit_entries("acme", ticket_id)] == [
        "ticket.created", "ticket.submitted_for_approval", "ticket.assigned"]


def test_a_ticket_cancelled_while_the_dispatcher_decides_is_left_alone():
    """GIVEN a new return WHEN the customer cancels it just before the assignment lands THEN the
    dispatcher, reading it again, finds it closed and assigns nobody (no error to redeliver)."""
    store, dispatch, ticket_id = _rig(_cancel)

    assert dispatch.auto_assign("acme", ticket_id) is None
    assert store.get_ticket("acme", ticket_id).assignee_id is None


def _remind(tickets, tenant_id, ticket_id):
    tickets.note(tenant_id, ticket_id, "ticket.sla_reminder", SYSTEM, reason="resolution at 50 %")


def test_a_ticket_that_keeps_moving_fails_the_event_after_the_last_attempt():
    """GIVEN a ticket that moves on (an SLA reminder) before every one of three assignments WHEN
    auto-assigned THEN the version conflict is raised after the third attempt, nothing assigned (the
    queue redelivers the event later)."""
    store, dispatch, ticket_id = _rig(_remind, times=3)

    with pytest.raises(PreconditionFailed):
        dispatch.auto_assign("acme", ticket_id, attempts=3)
    assert store.get_ticket("acme", ticket_id).assignee_id is None
    assert [e.event for e in store.audit_entries("acme", ticket_id)].count("ticket.sla_reminder") == 3
