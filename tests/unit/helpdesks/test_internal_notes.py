"""Staff's internal notes: on the conversation for staff only, staff-only on the timeline, not a
response for the SLA clocks, and a private comment in the tenant's helpdesk."""

from __future__ import annotations

from aftersales.channels.conversations import Conversations
from aftersales.helpdesks.model import Vendor
from aftersales.sla.history import history_from_audit
from aftersales.tickets.domain import INTERNAL_NOTE
from aftersales.tickets.model import Role
from aftersales.tickets.timeline import customer_visible
from tests.support.helpdesks import TENANT, HelpdeskRig
from tests.support.ticket_factories import AGENT, actor


def test_a_note_goes_out_as_a_private_comment_and_the_customer_never_sees_it():
    rig = HelpdeskRig()
    rig.configure(Vendor.ZENDESK)
    ticket_id = rig.open()
    rig.outbound.on_event(rig.event(ticket_id))
    note = rig.replies.note(TENANT, ticket_id, AGENT, "Courier confirmed the delay")
    assert rig.audit_events(ticket_id)[-1] == INTERNAL_NOTE
    assert rig.outbound.on_event(rig.event(ticket_id)).results == {"zendesk": "done"}
    kind, (_external, body, public) = rig.apis.apis[Vendor.ZENDESK].calls[-1]
    assert (kind, body, public) == ("comment", "Courier confirmed the delay", False)
    conversations = Conversations(rig.messages, rig.tickets, rig.clock)
    customer = actor(Role.CUSTOMER, id="cust-1", customer_id="cust-1")
    assert note.message_id not in [i.message_id for i in conversations.of_ticket(TENANT, ticket_id, customer)]
    assert note.message_id in [i.message_id for i in conversations.of_ticket(TENANT, ticket_id, AGENT)]


def test_a_note_is_staff_only_on_the_timeline_and_answers_nobody_for_the_sla():
    rig = HelpdeskRig()
    ticket_id = rig.open()
    rig.replies.note(TENANT, ticket_id, AGENT, "Looking into it")
    assert not customer_visible(INTERNAL_NOTE)
    events = [change.event for change in history_from_audit(rig.ticket_store.audit_entries(TENANT, ticket_id))]
    assert "internal_note" in events and "agent_replied" not in events
