"""Free-text intake: routed to the named ticket, the sender's open ticket, or the named order's
ticket; else parked until the sender or the order can be matched, then replayed."""

from __future__ import annotations

from aftersales.channels.identity import email_identity, order_identity, platform_user_identity
from aftersales.channels.parking import MENTION
from aftersales.channels.text_intake import TextMessage
from aftersales.core.ids import new_id
from aftersales.tickets.domain import CUSTOMER_REPLIED, OpenTicket
from aftersales.tickets.model import TicketType
from aftersales.tickets.service import TicketService
from tests.support.channels_fakes import ORDER
from tests.support.ticket_factories import SYSTEM
from tests.support.tickets import order_payload

SENDER = platform_user_identity("wecom", "wm-user-1")


def wecom(body: str, msg_id: str, sender=SENDER, **extra) -> TextMessage:
    return TextMessage(channel="wecom", identities=(sender,), author="wecom:u1", body=body, external_id=msg_id,
                       **extra)


def test_a_message_naming_a_known_order_opens_its_ticket_and_links_the_sender(rig):
    # GIVEN a sender we never saw WHEN they name a known order and say what is wrong
    result = rig.text.file("acme", wecom(f"订单 {ORDER} 破损了，我要退货", "m-1", contact=("wecom", "wm-user-1")))
    # THEN a return is opened for that order, and the sender (with the order) is cust-1 now
    assert (result.source, result.external_id, result.outcome) == ("wecom", "m-1", "created")
    ticket = rig.tickets.get("acme", result.ticket_id, SYSTEM)
    assert (ticket.order_id, ticket.type, ticket.reason_code) == (ORDER, TicketType.RETURN_REFUND,
                                                                  "wecom_return_refund")
    assert rig.directory.customer_of("acme", SENDER.key) == "cust-1"
    assert rig.directory.customer_of("acme", order_identity("acme", ORDER).key) == "cust-1"
    assert rig.links.contacts("acme", "cust-1") == {"wecom": {"address": "wm-user-1", "locale": None}}


def _numbered(rig) -> TicketService:
    """Tickets opened with ids in the form the reference patterns read (`TKT_<ULID>`)."""
    return TicketService(rig.ticket_store, rig.clock, id_factory=lambda: new_id("TKT", rig.clock.now()))


def test_a_known_sender_lands_on_the_ticket_they_name_or_their_open_one(rig):
    # GIVEN cust-1's WeCom identity and two open tickets of theirs
    rig.links.link("acme", "cust-1", [SENDER])
    older = _numbered(rig).open("acme", OpenTicket(type="complaint", order_id="O-1", channel="web",
                                                   reason_code="late"), SYSTEM)
    rig.clock.advance(seconds=1)
    newer = _numbered(rig).open("acme", OpenTicket(type="complaint", order_id="O-1", channel="web",
                                                   reason_code="rude"), SYSTEM)
    # WHEN they write naming the older ticket THEN it lands there, as a customer reply
    named = rig.text.file("acme", wecom(f"about {older.id}", "m-1"))
    assert (named.outcome, named.ticket_id) == ("commented", older.id)
    assert CUSTOMER_REPLIED in rig.audit_events(older.id)
    # WHEN they write naming nothing THEN it lands on their newest open ticket
    plain = rig.text.file("acme", wecom("any news?", "m-2"))
    assert (plain.outcome, plain.ticket_id) == ("commented", newer.id)


def test_a_ticket_of_someone_else_is_never_commented_on(rig):
    other = _numbered(rig).open("acme", OpenTicket(type="complaint", order_id="O-1", channel="web",
                                                   reason_code="late"), SYSTEM)
    result = rig.text.file("acme", wecom(f"about {other.id}", "m-1",
                                         sender=platform_user_identity("wecom", "wm-stranger")))
    assert result.outcome == "parked" and rig.conversation(other.id) == []


def test_an_unmatched_message_is_parked_and_filed_once_its_sender_names_an_order(rig):
    # GIVEN a first message of an unknown sender, naming nothing: parked under the sender
    first = rig.text.file("acme", wecom("hello, my mug arrived broken", "m-1", contact_details={"open_kfid": "wk"}))
    (parked,) = rig.items.parked("acme", SENDER.key)
    assert first.outcome == "parked" and parked["body"] == "hello, my mug arrived broken"
    assert parked["contact_details"] == {"open_kfid": "wk"} and parked["author"] == "wecom:u1"
    # WHEN the sender's next message names their order
    second = rig.text.file("acme", wecom(f"order {ORDER}", "m-2"))
    # THEN that one opens the ticket, and the parked one is replayed onto it and leaves the inbox
    assert second.outcome == "created"
    assert [i.body for i in rig.conversation(second.ticket_id)] == [f"order {ORDER}", "hello, my mug arrived broken"]
    assert len(rig.items) == 0 and rig.items.settled("acme", parked["message_id"])["action"] == "matched"


def test_a_message_naming_an_unknown_order_waits_for_the_order(rig):
    # GIVEN a mail naming an order we do not know yet
    sender = email_identity("buyer@example.com")
    mail = TextMessage(channel="email", identities=(sender,), author="email:b", body="order SO-LATE-0001 is damaged",
                       external_id="<a@x>", subject="Damaged")
    assert rig.text.file("acme", mail).outcome == "parked"
    assert rig.items.parked("acme", f"{MENTION}SO-LATE-0001")[0]["identity_key"] == sender.key
    # WHEN the order arrives and is announced
    from aftersales.orders.domain import Order

    rig.tickets.upsert_order("acme", Order.model_validate(order_payload("SO-LATE-0001", "cust-7")))
    (result,) = rig.arrivals.order_arrived("acme", "SO-LATE-0001")
    # THEN the mail is filed as new intake of that order, its thread points at the ticket, the inbox is empty
    assert (result.outcome, result.detail) == ("created", "replayed")
    assert rig.keys.lookup("acme", "MAIL#<a@x>") == result.ticket_id
    assert rig.items.parked("acme", sender.key) == [] and rig.items.parked("acme", f"{MENTION}SO-LATE-0001") == []
    assert rig.directory.customer_of("acme", sender.key) == "cust-7"


def test_a_replayed_message_that_still_does_not_fit_stays_parked_once(rig):
    rig.text.file("acme", wecom("hello?", "m-1"))
    assert rig.text.replay_identity("acme", SENDER.key) == []
    assert len(rig.items.parked("acme", SENDER.key)) == 1


def test_a_message_without_a_sender_is_parked_under_its_channel(rig):
    message = TextMessage(channel="email", identities=(), author="email:unknown", body="hi", external_id="<z@x>")
    assert rig.text.file("acme", message).outcome == "parked"
    assert len(rig.items.parked("acme", "email:unknown")) == 1
