"""Inbound e-mail as intake: once per Message-ID; a reply threads onto its mail's ticket; other mail
is free-text intake; attachments are stored under the ticket, or under parked/ while the mail waits."""

from __future__ import annotations

import pytest

from aftersales.channels.email_intake import mail_contact
from aftersales.channels.identity import email_identity
from aftersales.orders.domain import Order
from tests.support.channel_intake import mail
from tests.support.channels_fakes import ORDER, ChannelRig, FakeConversationStore
from tests.support.tickets import order_payload

BUYER = email_identity("buyer@example.com")


def test_a_mail_naming_its_order_opens_the_ticket_and_keeps_its_attachment(rig):
    # GIVEN a mail naming a known order, with a photo
    result = rig.email.receive("acme", mail(f"Return order {ORDER}", "The mug is broken", "<a1@x>", attach=True))
    # THEN a return for the order; the mail thread points at it; the photo is stored under the ticket
    assert (result.source, result.external_id, result.outcome) == ("email", "<a1@x>", "created")
    assert rig.keys.lookup("acme", "MAIL#<a1@x>") == result.ticket_id
    (key,) = rig.attachments.objects
    assert key.startswith(f"acme/{result.ticket_id}/") and key.endswith("/0-photo.png")
    inbound, attachments = rig.conversation(result.ticket_id)
    assert (inbound.subject, inbound.body.strip()) == (f"Return order {ORDER}", "The mug is broken")
    assert inbound.author.startswith("email:") and "buyer" not in inbound.author
    assert attachments.attachments[0]["key"] == key and attachments.direction == "system"
    assert rig.links.contacts("acme", "cust-1")["email"] == {"address": "buyer@example.com", "locale": None}


def test_a_reply_threads_onto_the_ticket_of_the_mail_it_answers(rig):
    first = rig.email.receive("acme", mail(f"Return order {ORDER}", "broken", "<a1@x>"))
    reply = rig.email.receive("acme", mail("Re: Return", "photo attached", "<a2@x>", in_reply_to="<a1@x>",
                                           attach=True))
    assert (reply.outcome, reply.ticket_id) == ("commented", first.ticket_id)
    assert rig.conversation(first.ticket_id)[-1].attachments[0]["filename"] == "photo.png"
    assert rig.keys.lookup("acme", "MAIL#<a2@x>") == first.ticket_id


def test_the_same_message_id_again_is_a_duplicate(rig):
    raw = mail(f"Return order {ORDER}", "broken", "<a1@x>")
    assert rig.email.receive("acme", raw).outcome == "created"
    assert rig.email.receive("acme", raw).outcome == "duplicate" and len(rig.messages) == 1


def test_a_mail_we_cannot_match_is_parked_with_its_attachments(rig):
    # GIVEN a mail of an unknown sender naming nothing we know, with a photo
    result = rig.email.receive("acme", mail("Hello", "where is my parcel?", "<p1@x>", attach=True))
    # THEN it is parked under the sender, its photo stored under parked/ and pointed at by the item
    assert result.outcome == "parked" and result.ticket_id is None
    (item,) = rig.items.parked("acme", BUYER.key)
    (stored,) = item["attachments"]
    assert stored["key"].startswith("acme/parked/") and stored["key"] in rig.attachments


class _Unavailable(FakeConversationStore):
    def add(self, tenant_id, item) -> None:
        raise ConnectionError("table unavailable")


def test_a_failed_filing_forgets_the_message_id_so_the_retry_is_taken():
    rig = ChannelRig(messages=_Unavailable())
    rig.tickets.upsert_order("acme", Order.model_validate(order_payload(ORDER, "cust-1")))
    with pytest.raises(ConnectionError):
        rig.email.receive("acme", mail(f"Return order {ORDER}", "broken", "<a1@x>"))
    assert ("acme", "email", "<a1@x>") not in rig.markers


@pytest.mark.parametrize(("sender", "contact"), [("buyer@example.com", ("email", "buyer@example.com")),
                                                 ("buyer@localhost", None), ("no-at-sign", None), (None, None)])
def test_only_an_address_we_can_write_to_becomes_a_contact(sender, contact):
    """A From that cannot be written back to is still taken in, but never stored to send to."""
    assert mail_contact(sender) == contact
