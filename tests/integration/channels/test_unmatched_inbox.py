"""The unmatched inbox through the API: parked WeCom / e-mail / Douyin intake,
driven through the real webhook handlers, is listed for staff newest first, filed on a ticket or by
linking its sender to a customer, or dismissed; each outcome is recorded; items expire after 90 days."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from aftersales.channels.douyin import push_signature
from tests.support.channel_intake import APP_KEY, APP_SECRET, mail, svc, system, wecom_post
from tests.support.channel_intake import env as env  # the fixture
from tests.support.fixture_files import FIXTURES

START = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
PATH = "/inbox/unmatched"


@pytest.fixture
def clock(env):
    """A fixed clock for the whole container (intake, tickets, tokens), advanced between arrivals so
    "newest first" is well defined."""
    from aftersales import wiring
    from aftersales.core.clock import FixedClock

    fixed = FixedClock(START)
    wiring.override(wiring.Container(clock=fixed))
    return fixed


def _open_ticket(order_id: str = "O-1", customer: str = "cust-1") -> str:
    from aftersales.tickets.domain import OpenTicket

    ticket = svc().tickets.open("acme", OpenTicket(type="complaint", order_id=order_id, channel="web",
                                                   reason_code="late_delivery"), system())
    assert ticket.customer_id == customer
    return ticket.id


def _douyin_create(env, order_id: str, aftersale: str, msg_id: str) -> str:
    sample = json.loads((FIXTURES / "douyin" / "event_samples" / "RefundCreatedEvent.json").read_text())
    sample["data"].update(p_id=order_id, s_id="L1", aftersale_id=aftersale, aftersale_type=0)
    body = json.dumps([sample | {"tag": 200, "msgId": msg_id}]).encode()
    reply, filed = env.push_and_file_douyin("acme", body, {"event-sign": push_signature(APP_KEY, body, APP_SECRET)})
    assert reply.status == 200, reply
    return filed[0]["outcome"]


def _list(api, headers, **query):
    reply = api.request("GET", PATH, headers=headers, query={k: str(v) for k, v in query.items()} or None)
    assert reply.status == 200, reply.body
    return reply.body


def _items(api, demo, tenant: str = "acme") -> list[dict]:
    return _list(api, demo[tenant]["agent"], limit=100)["items"]


def _resolve(api, headers, item_id: str, body: dict, extra: dict | None = None):
    return api.request("POST", f"{PATH}/{item_id}/resolve", body, headers={**headers, **(extra or {})})


def _dismiss(api, headers, item_id: str, body: dict, extra: dict | None = None):
    return api.request("POST", f"{PATH}/{item_id}/dismiss", body, headers={**headers, **(extra or {})})


def _park_three(env, clock) -> None:
    """A WeCom message from a stranger, an e-mail (with a photo) about an order we do not know, and a
    Douyin create for an unknown order: one second apart, in that order."""
    assert wecom_post(env, "hello, where is my parcel?", "m-in-1", sender="wm-stranger").raw == "success"
    clock.advance(seconds=1)
    parked = env.drop_email("acme", mail("Return ON-2026-77", "I want to return order ON-2026-77", "<u1@x>",
                                         attach=True))
    assert parked.body["outcome"] == "parked"
    clock.advance(seconds=1)
    assert _douyin_create(env, "O-LATE", "AS-77", "msg-in-200") == "parked"


def test_listing_is_newest_first_paged_and_shows_no_addresses(env, clock, api, demo):
    """GIVEN a parked WeCom message, e-mail and Douyin create (one second apart) WHEN staff list the inbox
    two at a time THEN pages hold Douyin+e-mail, then WeCom, with no further cursor; items carry the
    channel-scoped author, named orders, attachment references and expires_at = parked + 90 days; neither
    the e-mail address nor the WeCom user id appears; the order pointer is not an item; other roles and
    the other tenant see nothing."""
    _park_three(env, clock)

    first = _list(api, demo["acme"]["agent"], limit=2)
    assert [i["channel"] for i in first["items"]] == ["douyin", "email"] and first["next_cursor"]
    second = _list(api, demo["acme"]["agent"], limit=2, cursor=first["next_cursor"])
    assert [i["channel"] for i in second["items"]] == ["wecom"] and second["next_cursor"] is None

    items = {i["channel"]: i for i in first["items"] + second["items"]}
    raw = json.dumps(items)
    assert "buyer@example.com" not in raw and "wm-stranger" not in raw and "INBOX" not in raw
    mail_item = items["email"]
    assert mail_item["author"].startswith("email:") and mail_item["order_numbers"] == ["ON-2026-77"]
    assert mail_item["subject"] == "Return ON-2026-77" and mail_item["attachments"][0]["filename"] == "photo.png"
    assert items["wecom"]["author"].startswith("wecom:") and items["wecom"]["body"] == "hello, where is my parcel?"
    assert items["douyin"]["order_numbers"] == ["O-LATE"] and "AS-77" in items["douyin"]["body"]
    for item in items.values():
        parked = datetime.fromisoformat(item["parked_at"].replace("Z", "+00:00"))
        assert datetime.fromisoformat(item["expires_at"].replace("Z", "+00:00")) == parked + timedelta(days=90)

    assert [i["channel"] for i in _list(api, demo["acme"]["supervisor"])["items"]] == ["douyin", "email", "wecom"]
    assert len(_list(api, demo["acme"]["admin"])["items"]) == 3
    for who in ("finance", "arbitrator", "cust-1", "key"):
        assert api.request("GET", PATH, headers=demo["acme"][who]).status == 403, who
    assert _list(api, demo["other"]["agent"]) == {"items": [], "next_cursor": None}

    bad = api.request("GET", PATH, headers=demo["acme"]["agent"], query={"cursor": "not-a-cursor"})
    assert bad.status == 422 and bad.body["error"]["fields"][0]["path"] == "query.cursor"
    assert api.request("GET", PATH, headers=demo["acme"]["agent"], query={"limit": "0"}).status == 422


def test_resolving_by_customer_files_the_message_on_the_customers_open_ticket(env, clock, api, demo):
    """GIVEN two WeCom messages from a stranger (parked) and cust-1's open ticket WHEN an agent resolves the
    first with customer_id=cust-1 THEN both messages land on that ticket's conversation (the link replays
    the sender's inbox), the ticket's audit chain records who filed it, the inbox is empty, a second try
    is 409, and the sender's next message goes straight to the ticket."""
    assert wecom_post(env, "hello, where is my parcel?", "m-c-1", sender="wm-stranger").raw == "success"
    clock.advance(seconds=1)
    assert wecom_post(env, "it was due on Monday", "m-c-2", sender="wm-stranger").raw == "success"
    ticket_id = _open_ticket()
    older, newer = sorted(i["item_id"] for i in _items(api, demo))

    reply = _resolve(api, demo["acme"]["agent"], older, {"customer_id": "cust-1"})
    assert reply.status == 200, reply.body
    assert reply.body["action"] == "filed" and reply.body["ticket_id"] == ticket_id
    assert reply.body["customer_id"] == "cust-1" and reply.body["by"] == "agent-1"
    assert reply.body["also_filed"] == [newer]

    conversation = api.request("GET", f"/tickets/{ticket_id}/conversation", headers=demo["acme"]["agent"]).body
    bodies = [(i["channel"], i["direction"], i["body"]) for i in conversation["items"]]
    assert ("wecom", "inbound", "hello, where is my parcel?") in bodies
    assert ("wecom", "inbound", "it was due on Monday") in bodies
    audit = api.request("GET", f"/tickets/{ticket_id}/audit", headers=demo["acme"]["agent"]).body["entries"]
    [note] = [e for e in audit if e["event"] == "ticket.inbox_message_filed"]
    assert note["data"] == {"item_id": older, "channel": "wecom", "by": "agent-1", "role": "agent",
                            "linked_customer_id": "cust-1"}
    assert _items(api, demo) == []

    again = _resolve(api, demo["acme"]["agent"], older, {"customer_id": "cust-1"})
    assert again.status == 409 and again.body["error"]["details"]["action"] == "filed"
    matched = _dismiss(api, demo["acme"]["agent"], newer, {"reason": "spam"})
    assert matched.status == 409 and matched.body["error"]["details"] == {
        "item_id": newer, "action": "matched", "ticket_id": ticket_id}

    assert wecom_post(env, "any news?", "m-c-3", sender="wm-stranger").raw == "success"
    assert "any news?" in [i.body for i in svc().channels.conversations.of_ticket("acme", ticket_id, system())]


def test_resolving_by_customer_without_an_open_ticket_changes_nothing(env, clock, api, demo):
    """GIVEN a parked WeCom message WHEN resolved with a customer who has no open ticket THEN 409 on
    customer_id; the item is still listed and the sender still linked to nobody."""
    assert wecom_post(env, "hello?", "m-n-1", sender="wm-stranger").raw == "success"
    [item] = _items(api, demo)
    reply = _resolve(api, demo["acme"]["agent"], item["item_id"], {"customer_id": "cust-2"})
    assert reply.status == 409 and reply.body["error"]["fields"][0]["path"] == "customer_id"
    assert [i["item_id"] for i in _items(api, demo)] == [item["item_id"]]
    assert svc().channel_stores.intake.customer_of("acme", "platform_user:wecom:wm-stranger") is None


def test_resolving_by_ticket_posts_an_inbound_comment_and_later_replies_thread_onto_it(env, clock, api, demo):
    """GIVEN a parked e-mail with a photo and a parked Douyin create, and an open ticket WHEN an agent
    files both on the ticket THEN each is an inbound comment there (the mail with subject and photo, the
    Douyin event as a one-line summary), each filing is in the ticket's audit chain, the inbox is empty,
    and a reply to the parked mail threads onto the ticket. Linking a Douyin event to a customer is 422."""
    _park_three(env, clock)
    ticket_id = _open_ticket()
    items = {i["channel"]: i for i in _items(api, demo)}

    not_linkable = _resolve(api, demo["acme"]["agent"], items["douyin"]["item_id"], {"customer_id": "cust-1"})
    assert not_linkable.status == 422 and not_linkable.body["error"]["fields"][0]["path"] == "customer_id"

    for channel in ("email", "douyin"):
        reply = _resolve(api, demo["acme"]["supervisor"], items[channel]["item_id"], {"ticket_id": ticket_id})
        assert reply.status == 200, reply.body
        assert reply.body == {**reply.body, "action": "filed", "ticket_id": ticket_id, "by": "supervisor-1"}

    conversation = svc().channels.conversations.of_ticket("acme", ticket_id, system())
    [filed_mail] = [i for i in conversation if i.channel == "email"]
    assert filed_mail.direction == "inbound" and filed_mail.subject == "Return ON-2026-77"
    assert filed_mail.attachments == items["email"]["attachments"]
    assert filed_mail.data == {"inbox_item": items["email"]["item_id"], "filed_by": "supervisor-1"}
    [filed_event] = [i for i in conversation if i.channel == "douyin"]
    assert filed_event.body == items["douyin"]["body"] and filed_event.direction == "inbound"
    audit = svc().tickets.audit("acme", ticket_id, system())
    assert [e.data["item_id"] for e in audit if e.event == "ticket.inbox_message_filed"] == [
        items["email"]["item_id"], items["douyin"]["item_id"]]
    assert [i["channel"] for i in _items(api, demo)] == ["wecom"]

    reply = env.drop_email("acme", mail("Re: Return", "any news?", "<u2@x>", in_reply_to="<u1@x>"))
    assert reply.body == {**reply.body, "outcome": "commented", "ticket_id": ticket_id}


def test_other_tenants_unknown_items_and_bad_bodies(env, clock, api, demo):
    """GIVEN a parked acme item WHEN the other tenant's staff resolve or dismiss it THEN 404, as for an
    unknown id; bodies naming both or neither target, unknown fields, a missing or unknown reason are
    422 with the field's path; another tenant's ticket is 422 on ticket_id; a closed ticket is 409."""
    assert wecom_post(env, "hello?", "m-x-1", sender="wm-stranger").raw == "success"
    [item] = _items(api, demo)
    item_id = item["item_id"]
    other_ticket = svc().tickets  # a ticket that exists, but in the other tenant
    from tests.support.channels import seed_order

    seed_order("other", "O-OTHER")
    from aftersales.tickets.domain import OpenTicket

    foreign = other_ticket.open("other", OpenTicket(type="complaint", order_id="O-OTHER", channel="web",
                                                    reason_code="late_delivery"), system())

    assert _resolve(api, demo["other"]["agent"], item_id, {"ticket_id": foreign.id}).status == 404
    assert _dismiss(api, demo["other"]["admin"], item_id, {"reason": "spam"}).status == 404
    unknown = _dismiss(api, demo["acme"]["agent"], "msg_01JDX0000000000000000000ZZ", {"reason": "spam"})
    assert unknown.status == 404 and unknown.body["error"]["code"] == "not_found"
    assert _dismiss(api, demo["acme"]["agent"], "acme%23INBOX", {"reason": "spam"}).status == 404
    assert _dismiss(api, demo["acme"]["finance"], item_id, {"reason": "spam"}).status == 403

    def field(reply) -> str:
        assert reply.status == 422, reply.body
        return reply.body["error"]["fields"][0]["path"]

    agent = demo["acme"]["agent"]
    assert field(_resolve(api, agent, item_id, {"customer_id": "cust-1", "ticket_id": "TKT_X"})) == "ticket_id"
    assert field(_resolve(api, agent, item_id, {})) == "customer_id"
    assert field(_resolve(api, agent, item_id, {"customer": "cust-1"})) == "customer"
    assert field(_resolve(api, agent, item_id, {"customer_id": "bad id!"})) == "customer_id"
    assert field(_resolve(api, agent, item_id, {"ticket_id": foreign.id})) == "ticket_id"
    assert field(_dismiss(api, agent, item_id, {})) == "reason"
    assert field(_dismiss(api, agent, item_id, {"reason": "boring"})) == "reason"
    assert field(_dismiss(api, agent, item_id, {"reason": "other", "note": "x" * 501})) == "note"

    from aftersales.tickets.model import Status

    closed = _open_ticket()
    svc().tickets.transition("acme", closed, Status.CANCELLED, system(), reason="test")
    reply = _resolve(api, agent, item_id, {"ticket_id": closed})
    assert reply.status == 409 and reply.body["error"]["fields"][0]["path"] == "ticket_id"
    assert [i["item_id"] for i in _items(api, demo)] == [item_id]  # nothing changed


def test_dismissal_is_recorded_with_who_when_why_and_a_ttl(env, clock, api, demo):
    """GIVEN a parked e-mail WHEN a supervisor dismisses it as spam (Idempotency-Key) THEN 200 with the
    record (who, when, reason), the item leaves the inbox and the sender's parked messages, the record is
    kept with a 90-day TTL; the same key replays the answer; another dismissal or a resolve is 409."""
    from aftersales.adapters.dynamo.intake import ChannelsItem

    assert env.drop_email("acme", mail("WIN A PRIZE", "click here", "<spam@x>")).body["outcome"] == "parked"
    [item] = _items(api, demo)
    clock.advance(minutes=5)
    key = {"Idempotency-Key": "dismiss-1"}
    reply = _dismiss(api, demo["acme"]["supervisor"], item["item_id"], {"reason": "spam", "note": "lottery"}, key)
    assert reply.status == 200, reply.body
    assert reply.body == {"item_id": item["item_id"], "action": "dismissed", "at": "2026-11-26T08:05:00.000Z",
                          "by": "supervisor-1", "role": "supervisor", "channel": "email", "reason": "spam",
                          "note": "lottery", "also_filed": [], "ticket_id": None, "customer_id": None}
    assert _items(api, demo) == []
    assert svc().channel_stores.intake.parked("acme", "email::buyer@example.com") == []

    record = ChannelsItem.get(f"acme#UNMATCHED#{item['item_id']}", "SETTLED", consistent_read=True)
    assert record.doc == {k: v for k, v in reply.body.items() if v is not None}
    assert record.expires_at == int((START + timedelta(minutes=5, days=90)).timestamp())

    replay = _dismiss(api, demo["acme"]["supervisor"], item["item_id"], {"reason": "spam", "note": "lottery"}, key)
    assert replay.status == 200 and replay.body == reply.body
    twice = _dismiss(api, demo["acme"]["agent"], item["item_id"], {"reason": "duplicate"})
    assert twice.status == 409 and twice.body["error"]["details"]["action"] == "dismissed"
    assert _resolve(api, demo["acme"]["agent"], item["item_id"], {"ticket_id": _open_ticket()}).status == 409


def test_parked_items_and_their_order_pointer_expire_after_90_days(env, clock, api, demo):
    """GIVEN an e-mail about an unknown order, parked now WHEN stored THEN the item and its order pointer
    carry expires_at = now + 90 days; 91 days later (before DynamoDB's TTL sweep) it is neither listed nor
    resolvable."""
    from aftersales.adapters.dynamo.intake import ChannelsItem

    env.drop_email("acme", mail("Return ON-2026-88", "I want to return order ON-2026-88", "<e1@x>"))
    expected = int((START + timedelta(days=90)).timestamp())
    stored = list(ChannelsItem.query("acme#INBOX#email::buyer@example.com")) + list(
        ChannelsItem.query("acme#INBOX#mention:order:ON-2026-88"))
    assert len(stored) == 2 and {i.expires_at for i in stored} == {expected}
    assert [i.gsi1pk for i in stored] == ["acme#UNMATCHED", None]  # only the message is listed
    [item] = _items(api, demo)

    clock.advance(days=91)
    token = svc().tenants.mint_staff_token("acme", "agent-1", timedelta(hours=1))  # the agent signs in again
    later = {"acme": {"agent": {"Authorization": f"Bearer {token}"}}}
    assert _items(api, later) == []
    assert _dismiss(api, later["acme"]["agent"], item["item_id"], {"reason": "spam"}).status == 404
