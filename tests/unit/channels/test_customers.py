"""One customer across channels: identity links, and the contacts a storefront gives us."""

from __future__ import annotations

import pytest

from aftersales.channels.identity import email_identity, platform_user_identity
from aftersales.channels.text_intake import TextMessage
from aftersales.core.errors import InvalidRequest
from aftersales.tickets.domain import OpenTicket
from tests.support.ticket_factories import SYSTEM

WECOM_USER = platform_user_identity("wecom", "wm-user-1")


def test_the_customer_of_the_first_linked_identity(rig):
    # GIVEN an e-mail address linked to cust-1 and a WeCom user nobody owns
    rig.links.link("acme", "cust-1", [email_identity("Buyer@Example.com")])
    seen = [WECOM_USER, email_identity("buyer@example.com")]
    # THEN the message's customer is cust-1, and the WeCom user is the one still unlinked
    assert rig.links.customer_for("acme", seen) == "cust-1"
    assert rig.links.unlinked("acme", seen) == [WECOM_USER]
    assert rig.links.customer_for("other-tenant", seen) is None


def test_a_contact_keeps_its_details(rig):
    rig.links.remember_contact("acme", "cust-1", "wecom", "wm-user-1", None, {"open_kfid": "wk-1"})
    assert rig.links.contacts("acme", "cust-1") == {"wecom": {"address": "wm-user-1", "locale": None,
                                                              "open_kfid": "wk-1"}}


@pytest.mark.parametrize(("channel", "address", "field"), [
    ("fax", "123", "channel"), ("email", "not an address", "address"), ("wecom", "wm\r\nuser", "address")])
def test_a_contact_that_cannot_be_one_is_refused_before_anything_is_written(rig, channel, address, field):
    with pytest.raises(InvalidRequest) as refused:
        rig.contacts.put("acme", "cust-1", channel, address, "en")
    assert refused.value.details.get("field") == field
    assert len(rig.directory) == 0 and rig.directory.contacts("acme", "cust-1") == {}


def test_a_new_contact_links_the_address_and_files_what_it_sent_before(rig):
    # GIVEN a WeCom message from a sender we could not match, parked; and cust-1's open ticket
    message = TextMessage(channel="wecom", identities=(WECOM_USER,), author="wecom:u1", body="where is my refund?",
                          external_id="m-1")
    assert rig.text.file("acme", message).outcome == "parked"
    (parked,) = rig.items.parked("acme", WECOM_USER.key)
    ticket = rig.tickets.open("acme", OpenTicket(type="complaint", order_id="O-1", channel="web",
                                                 reason_code="late_delivery"), SYSTEM)
    # WHEN the storefront says cust-1 is that WeCom user
    rig.contacts.put("acme", "cust-1", "wecom", "wm-user-1", "zh-Hans")
    # THEN the contact is kept, the identity linked, and the parked message filed on the open ticket
    assert rig.links.contacts("acme", "cust-1")["wecom"] == {"address": "wm-user-1", "locale": "zh-Hans"}
    assert rig.directory.customer_of("acme", WECOM_USER.key) == "cust-1"
    assert [i.body for i in rig.conversation(ticket.id)] == ["where is my refund?"]
    assert parked["message_id"] not in rig.items and len(rig.items) == 0
    assert rig.items.settled("acme", parked["message_id"])["action"] == "matched"


def test_a_contact_already_linked_replays_nothing(rig):
    # GIVEN the WeCom user already linked to cust-1, and a message of theirs parked (no open ticket then)
    rig.links.link("acme", "cust-1", [WECOM_USER])
    rig.text.file("acme", TextMessage(channel="wecom", identities=(WECOM_USER,), author="wecom:u1", body="hi",
                                      external_id="m-1"))
    assert len(rig.items) == 1
    rig.tickets.open("acme", OpenTicket(type="complaint", order_id="O-1", channel="web", reason_code="x"), SYSTEM)
    # WHEN the storefront gives the same contact THEN the contact is stored and the inbox is left alone
    rig.contacts.put("acme", "cust-1", "wecom", "wm-user-1", None)
    assert len(rig.items) == 1 and "wecom" in rig.links.contacts("acme", "cust-1")
