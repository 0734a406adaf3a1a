"""Staff replies and customer messages through the API, and their delivery by the outbox (moto SES)."""

from __future__ import annotations

import json

import pytest

from tests.support.channels import tenant_with_return


@pytest.fixture
def acme(api, demo, aws):
    return tenant_with_return(api, demo, aws, **{"Accept-Language": "zh-Hans"})


def audit(api, acme):
    return api.request("GET", f"/tickets/{acme['ticket']}/audit", None, acme["supervisor"]).body["entries"]


def conversation(api, acme, who="agent"):
    return api.request("GET", f"/tickets/{acme['ticket']}/conversation", None, acme[who]).body["items"]


def test_a_staff_reply_and_a_customer_message_go_on_the_conversation_and_the_audit_chain(api, acme):
    """GIVEN a customer's ticket WHEN an agent replies and the customer writes back THEN both are on
    the conversation (outbound by the agent, inbound by the customer), each with an audit entry
    (agent_replied / customer_replied) naming the message; the customer sees the agent's reply."""
    reply = api.request("POST", f"/tickets/{acme['ticket']}/replies", {"body": "请寄回商品，运费我们承担。"},
                        acme["agent"])
    assert reply.status == 201, reply
    assert (reply.body["direction"], reply.body["author"]) == ("outbound", "agent-1")
    answer = api.request("POST", f"/tickets/{acme['ticket']}/replies", {"body": "好的，明天寄出。"}, acme["cust-1"])
    assert answer.status == 201 and answer.body["direction"] == "inbound"
    entries = audit(api, acme)
    assert [(e["event"], e["actor_role"], e["data"]["message_id"]) for e in entries[-2:]] == [
        ("ticket.agent_replied", "agent", reply.body["message_id"]),
        ("ticket.customer_replied", "customer", answer.body["message_id"])]
    bodies = [m["body"] for m in conversation(api, acme, "cust-1")]
    assert bodies[-2:] == ["请寄回商品，运费我们承担。", "好的，明天寄出。"]


def test_replies_refused_where_they_do_not_belong(api, acme):
    """Another customer's ticket -> 404; a customer picking the channel -> 422 on `channel`; an
    empty body -> 422 on `body`; a cancelled ticket -> 409 and nothing lands on its conversation."""
    path = f"/tickets/{acme['ticket']}/replies"
    assert api.request("POST", path, {"body": "hi"}, acme["cust-2"]).status == 404
    chosen = api.request("POST", path, {"body": "hi", "channel": "email"}, acme["cust-1"])
    assert chosen.status == 422 and "channel" in json.dumps(chosen.body)
    empty = api.request("POST", path, {"body": ""}, acme["agent"])
    assert empty.status == 422 and "body" in json.dumps(empty.body)
    before = len(conversation(api, acme))
    assert api.request("POST", f"/tickets/{acme['ticket']}/transitions", {"to": "cancelled"},
                       acme["cust-1"]).status == 200
    closed = api.request("POST", path, {"body": "还在吗？"}, acme["agent"])
    assert closed.status == 409, closed
    assert len(conversation(api, acme)) == before


def _event(entry: dict, ticket_id: str) -> dict:
    return {"detail-type": entry["event"], "source": "aftersales.tickets", "detail": {
        "tenant_id": "acme", "ticket_id": ticket_id, "seq": entry["seq"], "event": entry["event"],
        "data": entry["data"], "reason": entry["reason"], "dedup_key": f"{ticket_id}#{entry['seq']}"}}


def _ses():
    from tests.support.sent_mail import sent_mails

    return sent_mails()


def test_the_outbox_emails_the_reply_once_in_the_tickets_language(api, acme):
    """GIVEN a customer with an e-mail contact WHEN the agent_replied event reaches the outbox THEN
    SES sends the reply's text under a zh-Hans subject carrying the ticket number (replies thread
    back to the ticket), once for a redelivered event; customer messages are not sent anywhere."""
    from aftersales.wiring import services

    services().channels.contacts.put("acme", "cust-1", "email", "buyer@example.com", "zh-Hans")
    api.request("POST", f"/tickets/{acme['ticket']}/replies", {"body": "已为您安排上门取件。"}, acme["agent"])
    event = _event(audit(api, acme)[-1], acme["ticket"])
    outbox = services().notifications
    assert outbox.handle(event) == "sent"
    assert outbox.handle(event) == "duplicate"
    (mail,) = _ses()
    assert mail.body == "已为您安排上门取件。" and mail.subject == f"[{acme['ticket']}] 关于您的售后申请的回复"
    api.request("POST", f"/tickets/{acme['ticket']}/replies", {"body": "谢谢"}, acme["cust-1"])
    assert outbox.handle(_event(audit(api, acme)[-1], acme["ticket"])) == "no_template"
    assert len(_ses()) == 1


def test_a_reply_nobody_can_receive_is_flagged_on_the_ticket(api, acme):
    """GIVEN a customer without any contact WHEN the reply reaches the outbox THEN nothing is sent and
    the ticket records ticket.reply_undeliverable for the agent."""
    from aftersales.wiring import services

    api.request("POST", f"/tickets/{acme['ticket']}/replies", {"body": "请提供照片"}, acme["agent"])
    replied = audit(api, acme)[-1]
    assert services().notifications.handle(_event(replied, acme["ticket"])) == "unreachable"
    flagged = audit(api, acme)[-1]
    assert flagged["event"] == "ticket.reply_undeliverable"
    assert flagged["data"]["message_id"] == replied["data"]["message_id"] and _ses() == []
