"""The unmatched inbox: agents list parked intake, file it (on a ticket, or by linking its sender)
or dismiss it; the first record wins and every outcome is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.channels.identity import email_identity, platform_user_identity
from aftersales.channels.inbox import FILED_EVENT, DismissReason
from aftersales.channels.text_intake import TextMessage
from aftersales.core.errors import Conflict, InvalidRequest, NotFound
from aftersales.tickets.domain import OpenTicket
from tests.support.ticket_factories import AGENT, SYSTEM
from tests.support.tickets import walk

STRANGER = platform_user_identity("wecom", "wm-stranger")


def _park(rig, body: str, msg_id: str, sender=STRANGER, channel: str = "wecom") -> str:
    rig.text.file("acme", TextMessage(channel=channel, identities=(sender,), author=f"{channel}:s", body=body,
                                      external_id=msg_id, subject="Hi" if channel == "email" else None))
    rig.clock.advance(seconds=1)
    return rig.items.parked("acme", sender.key)[-1]["message_id"]


def _open_ticket(rig) -> str:
    return rig.tickets.open("acme", OpenTicket(type="complaint", order_id="O-1", channel="web",
                                               reason_code="late"), SYSTEM).id


def test_items_are_listed_newest_first_in_pages(rig):
    ids = [_park(rig, f"message {n}", f"m-{n}") for n in range(3)]
    first = rig.inbox.page("acme", limit=2)
    assert [i.item_id for i in first.items] == [ids[2], ids[1]] and first.next_cursor
    rest = rig.inbox.page("acme", limit=2, cursor=first.next_cursor)
    assert [i.item_id for i in rest.items] == [ids[0]] and rest.next_cursor is None
    assert all(i.author == "wecom:s" and "wm-stranger" not in i.model_dump_json() for i in first.items)


def test_filing_on_a_ticket_comments_notes_and_records_it(rig):
    # GIVEN a parked mail and an open ticket
    item_id = _park(rig, "photo of the damage", "<p@x>", sender=email_identity("buyer@example.com"), channel="email")
    ticket_id = _open_ticket(rig)
    # WHEN an agent files it on the ticket
    settlement = rig.inbox.resolve("acme", item_id, AGENT, ticket_id=ticket_id)
    # THEN an inbound comment, an audit note naming the agent, a record; replies to the mail thread onto it
    assert (settlement.action, settlement.ticket_id, settlement.by) == ("filed", ticket_id, AGENT.id)
    (comment,) = rig.conversation(ticket_id)
    assert (comment.body, comment.subject, comment.data["filed_by"]) == ("photo of the damage", "Hi", AGENT.id)
    note = rig.ticket_store.audit_entries("acme", ticket_id)[-1]
    assert note.event == FILED_EVENT and note.data["by"] == AGENT.id and note.data["item_id"] == item_id
    assert rig.keys.lookup("acme", "MAIL#<p@x>") == ticket_id and item_id not in rig.items
    # WHEN a second agent acts on it THEN 409 naming what happened
    with pytest.raises(Conflict) as late:
        rig.inbox.dismiss("acme", item_id, AGENT, DismissReason.SPAM)
    assert late.value.details["action"] == "filed"


def test_a_closed_ticket_is_refused_before_anything_is_recorded(rig):
    item_id = _park(rig, "hello", "m-1")
    ticket_id = _open_ticket(rig)
    walk(rig.tickets, "acme", ticket_id, "cancelled", actor=SYSTEM)
    with pytest.raises(Conflict):
        rig.inbox.resolve("acme", item_id, AGENT, ticket_id=ticket_id)
    with pytest.raises(InvalidRequest):
        rig.inbox.resolve("acme", item_id, AGENT, ticket_id="tkt_missing")
    assert item_id in rig.items and rig.items.settled("acme", item_id) is None


def test_linking_the_sender_files_all_their_parked_messages(rig):
    # GIVEN two parked messages of one sender, and cust-1's open ticket
    first, second = _park(rig, "hello", "m-1"), _park(rig, "it was due Monday", "m-2")
    ticket_id = _open_ticket(rig)
    # WHEN an agent links the sender of the first to cust-1
    settlement = rig.inbox.resolve("acme", first, AGENT, customer_id="cust-1")
    # THEN both land on the open ticket; the record names the ticket and the other item filed with it
    assert (settlement.ticket_id, settlement.customer_id, settlement.also_filed) == (ticket_id, "cust-1", [second])
    assert [i.body for i in rig.conversation(ticket_id)] == ["hello", "it was due Monday"]
    assert rig.directory.customer_of("acme", STRANGER.key) == "cust-1" and len(rig.items) == 0
    assert rig.items.settled("acme", first)["action"] == "filed" and rig.items.settled("acme", second)["action"] == (
        "matched")
    assert rig.ticket_store.audit_entries("acme", ticket_id)[-1].data["linked_customer_id"] == "cust-1"


def test_linking_to_a_customer_without_an_open_ticket_changes_nothing(rig):
    item_id = _park(rig, "hello", "m-1")
    with pytest.raises(Conflict):
        rig.inbox.resolve("acme", item_id, AGENT, customer_id="cust-1")
    assert item_id in rig.items and len(rig.directory) == 0 and rig.items.settled("acme", item_id) is None
    with pytest.raises(InvalidRequest):
        rig.inbox.resolve("acme", item_id, AGENT)  # neither a ticket nor a customer


def test_a_dismissal_is_kept_with_who_and_why_for_the_retention(rig):
    item_id = _park(rig, "cheap watches", "m-1")
    settlement = rig.inbox.dismiss("acme", item_id, AGENT, DismissReason.SPAM, note="bulk mail")
    assert (settlement.action, settlement.reason, settlement.note, settlement.role) == (
        "dismissed", "spam", "bulk mail", "agent")
    _record, expires = rig.items.settlements[("acme", item_id)]
    assert expires == int((rig.clock.now() + timedelta(days=90)).timestamp()) and item_id not in rig.items


def test_unknown_and_expired_items_are_not_found(rig):
    with pytest.raises(NotFound):
        rig.inbox.dismiss("acme", "not-an-id", AGENT, DismissReason.OTHER)
    item_id = _park(rig, "hello", "m-1")
    with pytest.raises(NotFound):
        rig.inbox.dismiss("other", item_id, AGENT, DismissReason.OTHER)  # another tenant's
    rig.clock.advance(days=91)
    assert rig.inbox.page("acme").items == []
    with pytest.raises(NotFound):
        rig.inbox.dismiss("acme", item_id, AGENT, DismissReason.OTHER)
