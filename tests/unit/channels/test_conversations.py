"""Conversations: the messages on a ticket; a customer's message starts the next-response clock."""

from __future__ import annotations

import pytest

from aftersales.core.errors import NotFound
from aftersales.tickets.domain import CUSTOMER_REPLIED, OpenTicket
from aftersales.tickets.model import Status
from tests.support.ticket_factories import CUSTOMER, SYSTEM, actor
from tests.support.tickets import walk


def _ticket(rig) -> str:
    return rig.tickets.open("acme", OpenTicket(type="complaint", order_id="O-1", channel="web",
                                               reason_code="late_delivery"), SYSTEM).id


def test_a_customer_message_is_on_the_conversation_and_the_audit_chain(rig):
    # GIVEN an open ticket
    ticket_id = _ticket(rig)
    # WHEN the customer writes
    item = rig.conversations.customer_wrote("acme", ticket_id, channel="wecom", author="wecom:abc", body="any news?",
                                            external_id="m-1")
    # THEN an inbound item, and a customer_replied entry naming it
    assert item.message_id in rig.messages and item.direction == "inbound" and item.at == "2026-12-01T09:00:00.000Z"
    (entry,) = [e for e in rig.ticket_store.audit_entries("acme", ticket_id) if e.event == CUSTOMER_REPLIED]
    assert entry.data == {"message_id": item.message_id, "channel": "wecom"}


def test_a_message_on_a_closed_ticket_is_kept_without_starting_a_clock(rig):
    ticket_id = _ticket(rig)
    walk(rig.tickets, "acme", ticket_id, "cancelled", actor=SYSTEM)
    assert rig.tickets.get("acme", ticket_id, SYSTEM).status is Status.CANCELLED
    before = rig.audit_events(ticket_id)
    item = rig.conversations.customer_wrote("acme", ticket_id, channel="email", author="email:x", body="thanks")
    assert item.message_id in rig.messages and rig.audit_events(ticket_id) == before


def test_what_the_outbox_delivered_is_an_outbound_system_item(rig):
    ticket_id = _ticket(rig)
    item = rig.conversations.record_outbound("acme", ticket_id, channel="email", body="Approved", subject="Re",
                                             external_id="ses-1")
    assert (item.direction, item.author, item.external_id) == ("outbound", "system", "ses-1")
    assert rig.conversation(ticket_id) == [item]


def test_the_conversation_follows_the_tickets_visibility(rig):
    # GIVEN a ticket of cust-1 with one message
    ticket_id = _ticket(rig)
    rig.conversations.add("acme", ticket_id, channel="web", direction="inbound", author="cust-1", body="hello")
    # THEN its customer and staff read it; another customer gets NotFound, as for the ticket itself
    assert [i.body for i in rig.conversations.of_ticket("acme", ticket_id, CUSTOMER)] == ["hello"]
    stranger = actor(CUSTOMER.primary_role, id="cust-9", customer_id="cust-9")
    with pytest.raises(NotFound):
        rig.conversations.of_ticket("acme", ticket_id, stranger)
