"""Parked intake is matched later: WeCom and e-mail messages parked for an unknown customer
are replayed when an identity link or the order appears; Douyin events for an unknown after-sale or
order are replayed when the after-sale's create (or the order) arrives."""

from __future__ import annotations

import json

import boto3

from aftersales.channels.douyin import push_signature
from tests.support.channel_intake import APP_KEY, APP_SECRET, mail, svc, system, wecom_post
from tests.support.channel_intake import env as env  # the fixture
from tests.support.channels import seed_order
from tests.support.fixture_files import FIXTURES


def _inbox(key: str) -> list[dict]:
    return svc().channel_stores.intake.parked("acme", key)


def _conversation(ticket_id: str) -> list:
    return svc().channels.conversations.of_ticket("acme", ticket_id, system())


def _open_ticket(order_id: str, customer: str = "cust-1") -> str:
    from aftersales.tickets.domain import OpenTicket

    ticket = svc().tickets.open("acme", OpenTicket(type="complaint", order_id=order_id, channel="web",
                                                   reason_code="late_delivery"), system())
    assert ticket.customer_id == customer
    return ticket.id


def test_parked_wecom_message_joins_the_open_ticket_once_the_sender_is_linked(env):
    """GIVEN a WeCom message from a sender nobody knows, naming no order (parked) and the customer's open
    ticket WHEN the merchant links the WeCom user id to the customer (contact API) THEN the parked message
    lands on that ticket's conversation and leaves the inbox; a second link changes nothing."""
    assert wecom_post(env, "你好，我的快递怎么还没到？", "m-park-1", sender="wm-unknown").raw == "success"
    assert [d["channel"] for d in _inbox("platform_user:wecom:wm-unknown")] == ["wecom"]
    ticket_id = _open_ticket("O-1")

    svc().channels.contacts.put("acme", "cust-1", "wecom", "wm-unknown", "zh-Hans")

    bodies = [(i.channel, i.body) for i in _conversation(ticket_id)]
    assert ("wecom", "你好，我的快递怎么还没到？") in bodies
    assert _inbox("platform_user:wecom:wm-unknown") == []
    svc().channels.contacts.put("acme", "cust-1", "wecom", "wm-unknown", "zh-Hans")
    bodies = [i.body for i in _conversation(ticket_id)]
    assert [b for b in bodies if b.startswith("你好")] == ["你好，我的快递怎么还没到？"]


def test_parked_email_with_attachment_is_replayed_when_a_later_mail_names_the_order(env):
    """GIVEN an e-mail with a photo from an unknown address naming no order (parked; the photo already
    in S3) WHEN the same sender later writes about order SO-20261118-01 (which links the address) THEN a ticket opens
    for the later mail and the parked mail joins it with its photo; the inbox is empty."""
    first = env.drop_email("acme", mail("Broken", "The kettle is broken, see photo", "<p1@x>", attach=True))
    assert first.body["outcome"] == "parked"
    [parked] = _inbox("email::buyer@example.com")
    [photo] = parked["attachments"]
    assert boto3.client("s3").get_object(Bucket="test-attachments", Key=photo["key"])["Body"].read() == \
        b"\x89PNG fake"

    second = env.drop_email("acme", mail("Order SO-20261118-01", "About order SO-20261118-01: I want a refund",
                                         "<p2@x>"))
    assert second.body["outcome"] == "created"
    items = _conversation(second.body["ticket_id"])
    replayed = [i for i in items if i.external_id == "<p1@x>"]
    assert replayed and replayed[0].attachments == [photo]
    assert _inbox("email::buyer@example.com") == []
    # a reply to the parked mail now threads onto the same ticket
    reply = env.drop_email("acme", mail("Re: Broken", "any news?", "<p3@x>", in_reply_to="<p1@x>"))
    assert reply.body == {**reply.body, "outcome": "commented", "ticket_id": second.body["ticket_id"]}


def test_parked_email_naming_an_unknown_order_is_matched_when_the_order_is_pushed(env, api, demo):
    """GIVEN an e-mail about order ON-20261201 that we do not know yet (parked, with a pointer for the order)
    WHEN the storefront pushes the order through the API THEN the mail opens a ticket on it; inbox and
    pointer are empty."""
    first = env.drop_email("acme", mail("Return ON-20261201", "I want to return order ON-20261201", "<n1@x>"))
    assert first.body["outcome"] == "parked"
    assert len(_inbox("mention:order:ON-20261201")) == 1

    from tests.support.tickets import order_payload

    pushed = api.request("PUT", "/orders/ON-20261201", order_payload("ON-20261201", "cust-2"),
                         headers=demo["acme"]["key"])
    assert pushed.status == 201, pushed

    [ticket] = svc().tickets.list("acme", system(), customer_id="cust-2").items
    assert ticket.order_id == "ON-20261201" and ticket.type.value == "return_refund" and ticket.channel.value == "email"
    assert [i.external_id for i in _conversation(ticket.id)] == ["<n1@x>"]
    assert _inbox("email::buyer@example.com") == [] and _inbox("mention:order:ON-20261201") == []


def _douyin_messages(order_id: str, aftersale: str, tags: tuple[tuple[str, int], ...]) -> list[dict]:
    samples = FIXTURES / "douyin" / "event_samples"
    out = []
    for name, tag in tags:
        sample = json.loads((samples / f"{name}.json").read_text())
        sample["data"].update(p_id=order_id, s_id="L1", aftersale_id=aftersale, aftersale_type=0)
        out.append(sample | {"tag": tag, "msgId": f"msg-{aftersale}-{tag}"})
    return out


def _push(env, messages: list[dict]):
    body = json.dumps(messages).encode()
    reply, filed = env.push_and_file_douyin("acme", body, {"event-sign": push_signature(APP_KEY, body, APP_SECRET)})
    assert reply.status == 200, reply
    return [r["outcome"] for r in filed]


def test_douyin_stage_changes_that_overtake_the_create_are_applied_when_it_arrives(env):
    """GIVEN "return agreed" and "buyer returned goods" pushes for after-sale AS-9 before its "created"
    push (both parked: unknown after-sale) WHEN the create arrives THEN the ticket opens and walks to
    return_in_transit, the inbox is empty, and the parked msg ids stay deduplicated."""
    later = _douyin_messages("O-1", "AS-9", (("RefundReturnAgreedEvent", 202), ("RefundBuyerReturnGoodsEvent", 203)))
    assert _push(env, later) == ["parked", "parked"]
    assert len(_inbox("douyin:order:O-1")) == 2

    assert _push(env, _douyin_messages("O-1", "AS-9", (("RefundCreatedEvent", 200),))) == ["created"]
    ticket_id = svc().channel_stores.intake.lookup("acme", "DYAS#AS-9")
    assert svc().tickets.get("acme", ticket_id, system()).status.value == "return_in_transit"
    assert _inbox("douyin:order:O-1") == []
    body = json.dumps(later).encode()  # Douyin pushes the same bytes again: nothing is queued or filed
    again, filed = env.push_and_file_douyin("acme", body, {"event-sign": push_signature(APP_KEY, body, APP_SECRET)})
    assert [r["outcome"] for r in again.body["results"]] == ["duplicate", "duplicate"] and filed == []
    assert _push(env, later[::-1]) == ["duplicate", "duplicate"]  # the same msg ids in another push


def test_douyin_create_for_an_unknown_order_is_applied_when_the_order_is_pushed(env):
    """GIVEN a Douyin "created" push for order O-LATE nobody pushed yet (parked) WHEN the order arrives
    THEN the ticket opens for it and the after-sale maps to it."""
    assert _push(env, _douyin_messages("O-LATE", "AS-10", (("RefundCreatedEvent", 200),))) == ["parked"]
    seed_order("acme", "O-LATE", customer="cust-2")
    results = svc().channels.arrivals.order_arrived("acme", "O-LATE")
    assert [(r.outcome, r.detail) for r in results] == [("created", "replayed")]
    assert svc().channel_stores.intake.lookup("acme", "DYAS#AS-10") == results[0].ticket_id
    assert _inbox("douyin:order:O-LATE") == []

