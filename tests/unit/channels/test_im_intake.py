"""IM pushes as intake: verified before anything is stored, taken once; a linked conversation's
messages and session events on its ticket, a customer's text through channel intake (the customer
replied, the bot's turn); until linked, the conversation's messages wait in the unmatched inbox and
the link files them on the ticket in order."""

from __future__ import annotations

import json

import pytest

from aftersales.channels.im_intake import LINKED_EVENT
from aftersales.channels.im_signatures import meiqia_sign, qiyu_checksum
from aftersales.core.errors import Conflict, DomainError, InvalidRequest
from aftersales.logistics.verification import VerificationError
from aftersales.tickets.domain import CUSTOMER_REPLIED, OpenTicket
from tests.support.fixture_files import raw
from tests.support.ticket_factories import AGENT, SYSTEM
from tests.support.tickets import walk

SECRET = "B280D73CCF0648D1828305F73E9A3C47"
MEIQIA_KEY = "meiqia-secret-key-0123456789"


@pytest.fixture
def im(rig):
    rig.settings.put("acme", "channel:qiyu", {"app_key": "23265109a6de706423539e0f6a6fb820", "app_secret": SECRET})
    rig.settings.put("acme", "channel:meiqia", {"secret_key": MEIQIA_KEY})
    return rig


def _ticket(rig) -> str:
    return rig.tickets.open("acme", OpenTicket(type="complaint", order_id="O-1", channel="web",
                                               reason_code="late"), SYSTEM).id


def _push(rig, name: str, event: str, body: bytes | None = None, *, secret: str = SECRET):
    body = body if body is not None else raw(f"qiyu/{name}.body.json")
    time = int(rig.clock.now().timestamp())
    query = {"eventType": event, "time": str(time), "checksum": qiyu_checksum(secret, body, time)}
    return _filed(rig, rig.im.push("acme", "qiyu", query, {}, body))


def _filed(rig, pushed):
    """The push answered `queued`: the worker's outcome for it (else the push's own answer)."""
    if pushed.outcome != "queued":
        return pushed
    [(tenant, channel, body_id, event_type)] = rig.im_queue.take()
    return rig.im.file(tenant, channel, body_id, event_type)


def _customer_text(text: str = "我的退款到哪了", msg_id: str = "c-1") -> bytes:
    return json.dumps({"uid": "user1", "content": text, "timeStamp": 1463216914316, "msgId": msg_id,
                       "msgType": "TEXT"}, ensure_ascii=False).encode()


def test_a_push_with_a_bad_checksum_is_refused_before_anything_is_stored(im):
    ticket_id = _ticket(im)
    im.im.link("acme", "qiyu", "user1", ticket_id, AGENT)
    before = len(im.messages)
    with pytest.raises(VerificationError):
        _push(im, "push_MSG", "MSG", secret="0" * 32)
    with pytest.raises(VerificationError):
        im.im.push("acme", "qiyu", {}, {}, raw("qiyu/push_MSG.body.json"))
    assert len(im.messages) == before and len(im.markers) == 0 and len(im.bodies) == 0 and len(im.im_queue) == 0


def test_a_tenant_without_qiyu_settings_gets_401(rig):
    with pytest.raises(VerificationError):
        _push(rig, "push_MSG", "MSG")
    assert len(rig.markers) == 0 and len(rig.bodies) == 0


def test_a_linked_conversations_session_and_messages_land_on_the_ticket_once(im):
    ticket_id = _ticket(im)
    im.im.link("acme", "qiyu", "user1", ticket_id, AGENT)
    results = [_push(im, "push_SESSION_START", "SESSION_START"), _push(im, "push_MSG", "MSG"),
               _push(im, "push_MSG", "MSG"), _push(im, "push_EVA_INVITATION", "EVA_INVITATION"),
               _push(im, "push_SESSION_END", "SESSION_END")]
    assert [r.outcome for r in results] == ["commented", "commented", "duplicate", "commented", "commented"]
    entries = [(i.direction, i.author, i.body, i.data.get("im_event")) for i in im.conversation(ticket_id)]
    assert entries == [("system", "qiyu:staff:1234", "", "session_started"),
                       ("outbound", "qiyu:staff:143", "2222", "agent_message"),
                       ("system", "qiyu:staff:1234", "", "evaluation_invited"),
                       ("system", "qiyu:staff:1234", "", "session_ended")]
    assert CUSTOMER_REPLIED not in im.audit_events(ticket_id)  # the agent spoke, not the customer


def test_a_customer_text_on_a_linked_conversation_goes_through_channel_intake(im):
    ticket_id = _ticket(im)
    im.im.link("acme", "qiyu", "user1", ticket_id, AGENT)
    result = _push(im, None, "MSG", _customer_text())
    assert (result.outcome, result.ticket_id) == ("commented", ticket_id)
    [said] = im.conversation(ticket_id)
    assert (said.direction, said.body, said.channel) == ("inbound", "我的退款到哪了", "qiyu")
    assert im.audit_events(ticket_id)[-1] == CUSTOMER_REPLIED  # the next-response clock and the bot's turn
    assert im.links.contacts("acme", "cust-1")["qiyu"]["address"] == "user1"  # replies go back to the session


def test_until_linked_messages_wait_in_the_inbox_and_the_link_files_them_in_order(im):
    agent = _push(im, "push_MSG", "MSG")
    customer = _push(im, None, "MSG", _customer_text("杯子碎了", "c-2"))
    session = _push(im, "push_SESSION_START", "SESSION_START")
    assert (agent.outcome, customer.outcome, session.outcome) == ("parked", "parked", "ignored")
    assert len(im.items) == 2
    ticket_id = _ticket(im)
    link = im.im.link("acme", "qiyu", "user1", ticket_id, AGENT)
    assert len(link.filed) == 2 and len(im.items) == 0
    filed = [(i.direction, i.body) for i in im.conversation(ticket_id)]
    assert filed == [("outbound", "2222"), ("inbound", "杯子碎了")]
    assert LINKED_EVENT in im.audit_events(ticket_id)
    assert _push(im, None, "MSG", _customer_text("还在吗", "c-3")).ticket_id == ticket_id  # later ones go straight on


def test_relinking_moves_the_conversation_and_a_closed_or_unknown_ticket_is_refused(im):
    first, second = _ticket(im), _ticket(im)
    im.im.link("acme", "qiyu", "user1", first, AGENT)
    moved = im.im.link("acme", "qiyu", "user1", second, AGENT)
    assert moved.previous_ticket_id == first
    assert _push(im, "push_MSG", "MSG").ticket_id == second
    with pytest.raises(InvalidRequest):
        im.im.link("acme", "qiyu", "user1", "T-missing", AGENT)
    with pytest.raises(InvalidRequest):
        im.im.link("acme", "wechat", "user1", second, AGENT)
    closed = _ticket(im)
    walk(im.tickets, "acme", closed, "cancelled", actor=SYSTEM)
    with pytest.raises(Conflict):
        im.im.link("acme", "qiyu", "user1", closed, AGENT)
    assert _push(im, None, "MSG", _customer_text("在吗", "c-9")).ticket_id == second  # a refused link changed nothing


def test_a_meiqia_push_is_verified_and_recorded_on_the_linked_ticket(im):
    ticket_id = _ticket(im)
    im.im.link("acme", "meiqia", "client-9", ticket_id, AGENT)
    body = json.dumps({"clientId": "client-9", "content": "您好，已为您登记", "contentType": "text",
                       "messageId": "m-1", "messageTime": "2016-01-01T00:00:00.622580", "fromName": "美洽",
                       "deviceToken": "tok"}, ensure_ascii=False).encode()
    with pytest.raises(VerificationError):
        im.im.push("acme", "meiqia", {}, {"Authorization": f"meiqia_sign:{meiqia_sign('wrong-key-0000000', body)}"},
                   body)
    signed = {"Authorization": f"meiqia_sign:{meiqia_sign(MEIQIA_KEY, body)}"}
    result = _filed(im, im.im.push("acme", "meiqia", {}, signed, body))
    assert result.outcome == "commented"
    [said] = im.conversation(ticket_id)
    assert (said.direction, said.author, said.body) == ("outbound", "meiqia:staff:agent", "您好，已为您登记")


def test_the_push_only_keeps_and_queues_and_a_push_that_cannot_be_queued_keeps_nothing(im):
    body = raw("qiyu/push_MSG.body.json")
    time = int(im.clock.now().timestamp())
    query = {"eventType": "MSG", "time": str(time), "checksum": qiyu_checksum(SECRET, body, time)}
    im.im_queue.refusing = True
    with pytest.raises(DomainError):
        im.im.push("acme", "qiyu", query, {}, body)
    assert len(im.bodies) == 0 and len(im.items) == 0  # the vendor's re-push is taken again
    im.im_queue.refusing = False
    assert im.im.push("acme", "qiyu", query, {}, body).outcome == "queued"
    assert len(im.items) == 0 and len(im.bodies) == 1  # nothing filed until the worker's turn
    with pytest.raises(InvalidRequest):  # a malformed body is refused before it is kept
        bad = b"[1]"
        im.im.push("acme", "qiyu", {**query, "checksum": qiyu_checksum(SECRET, bad, time)}, {}, bad)
    assert len(im.bodies) == 1


def test_staff_open_a_ticket_from_a_conversation_and_it_is_linked_in_the_same_action(im):
    parked = _push(im, "push_MSG", "MSG")
    assert parked.outcome == "parked"
    link = im.im.open_ticket("acme", "qiyu", "user1", OpenTicket(type="complaint", order_id="O-1", channel="web",
                                                                 reason_code="late"), AGENT)
    ticket = im.tickets.get("acme", link.ticket_id, SYSTEM)
    assert (ticket.customer_id, link.customer_id, len(link.filed)) == ("cust-1", "cust-1", 1)
    assert [i.body for i in im.conversation(ticket.id)] == ["2222"]
    assert _push(im, None, "MSG", _customer_text()).ticket_id == ticket.id


def test_opening_a_ticket_for_a_bad_channel_or_order_opens_nothing(im):
    request = OpenTicket(type="complaint", order_id="O-1", channel="web", reason_code="late")
    with pytest.raises(InvalidRequest):
        im.im.open_ticket("acme", "wechat", "user1", request, AGENT)
    with pytest.raises(InvalidRequest):
        im.im.open_ticket("acme", "qiyu", "user1", request.model_copy(update={"order_id": "O-404"}), AGENT)
    assert len(im.ticket_store) == 0
