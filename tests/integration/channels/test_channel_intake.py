"""Channel intake and notifications, handlers + stores under moto."""

from __future__ import annotations

import json

import pytest

from aftersales.channels.douyin import push_signature
from tests.support.channel_intake import APP_KEY, APP_SECRET, mail, svc, system, wecom_post
from tests.support.channel_intake import env as env  # the fixture
from tests.support.fixture_files import FIXTURES, load
from tests.support.lambdas import sqs_record
from tests.support.tickets import approve_as_reviewer


def test_wecom_official_url_verification_vector_through_the_handler(env):
    """GIVEN Tencent's official verification request WHEN GET THEN the echo plaintext, as text."""
    v = load("wecom/wecom_callback_crypto.json")["verify_url"]
    reply = env.wecom_call("GET", "acme", {k: v[k] for k in ("msg_signature", "timestamp", "nonce", "echostr")})
    assert reply.status == 200 and reply.raw == v["expected_reply_body"]
    bad = env.wecom_call("GET", "acme", {**{k: v[k] for k in ("timestamp", "nonce", "echostr")},
                                          "msg_signature": "0" * 40})
    assert bad.status == 401


def test_cross_channel_aggregation_and_email_threading(env):
    """GIVEN a WeCom message asking to return order O-1 WHEN the same customer e-mails about the same
    order and issue THEN one ticket holds both conversations; a reply (In-Reply-To) threads onto it,
    its attachment stored in S3; a redelivered WeCom message is ignored."""
    assert wecom_post(env, "I want to return order SO-20261118-01 please", "m-1").raw == "success"
    assert wecom_post(env, "I want to return order SO-20261118-01 please", "m-1").raw == "success"  # duplicate
    tickets = svc().tickets.list("acme", system(), customer_id="cust-1").items
    assert len(tickets) == 1 and tickets[0].type.value == "return_refund" and tickets[0].channel.value == "wecom"

    first = env.drop_email("acme", mail("Return for order SO-20261118-01", "The mug arrived, I want to return it",
                                        "<a1@x>"))
    assert first.status == 202 and first.body["outcome"] == "joined" and first.body["ticket_id"] == tickets[0].id
    reply = env.drop_email("acme", mail("Re: Return", "Photo attached", "<a2@x>", in_reply_to="<a1@x>", attach=True))
    assert reply.body["outcome"] == "commented" and reply.body["ticket_id"] == tickets[0].id

    items = svc().channels.conversations.of_ticket("acme", tickets[0].id, system())
    assert [i.channel for i in items] == ["wecom", "email", "email"]
    # the two e-mails on the existing ticket are customer messages on its audit chain (next-response
    # clock); the WeCom message that opened it is the creation itself
    wrote = [e for e in svc().tickets.audit("acme", tickets[0].id, system()) if e.event == "ticket.customer_replied"]
    assert [e.data["message_id"] for e in wrote] == [i.message_id for i in items[1:]]
    [attachment] = items[-1].attachments
    import boto3

    obj = boto3.client("s3").get_object(Bucket="test-attachments", Key=attachment["key"])
    assert obj["Body"].read() == b"\x89PNG fake"


def douyin(env, messages: list[dict]):
    """The push (answered at once: Douyin's success body, every message queued), then the intake
    worker filing what it queued: (push reply, filing outcomes)."""
    body = json.dumps(messages).encode()
    return env.push_and_file_douyin("acme", body, {"event-sign": push_signature(APP_KEY, body, APP_SECRET)})


def test_douyin_tags_create_and_move_the_ticket_idempotently(env):
    """GIVEN the real Douyin samples (refund created, return agreed, buyer returned goods) re-keyed to
    our order WHEN pushed as a JSON array THEN the push answers Douyin's success body with every
    message queued, and the intake worker opens a ticket and walks it to return_in_transit with
    audited SYSTEM steps; the same push again queues nothing, the same msg_ids in another push file
    nothing; a bad event-sign is 401 and a body that is not JSON 400, neither queues anything."""
    samples = FIXTURES / "douyin" / "event_samples"
    messages = []
    for name, tag in (("RefundCreatedEvent", 200), ("RefundReturnAgreedEvent", 202),
                      ("RefundBuyerReturnGoodsEvent", 203)):
        sample = json.loads((samples / f"{name}.json").read_text())
        sample["data"].update(p_id="O-1", s_id="L1", aftersale_id="AS-1", aftersale_type=0)
        messages.append(sample | {"tag": tag, "msgId": f"msg-{tag}"})
    reply, filed = douyin(env, messages)
    assert reply.status == 200, reply
    assert (reply.body["code"], reply.body["msg"]) == (0, "success")
    assert [r["outcome"] for r in reply.body["results"]] == ["queued"] * 3
    assert [r["outcome"] for r in filed] == ["created", "transitioned", "transitioned"]
    ticket_id = filed[0]["ticket_id"]
    assert svc().tickets.get("acme", ticket_id, system()).status.value == "return_in_transit"
    again, filed_again = douyin(env, messages)
    assert [r["outcome"] for r in again.body["results"]] == ["duplicate"] * 3 and filed_again == []
    repushed, filed_repush = douyin(env, [*messages[1:], messages[0]])  # other bytes, same msg_ids
    assert [r["outcome"] for r in repushed.body["results"]] == ["queued"] * 3
    assert [r["outcome"] for r in filed_repush] == ["duplicate"] * 3
    body = json.dumps(messages[:1] + [{**messages[0], "msgId": "msg-new"}]).encode()
    assert env.post_douyin("acme", body, {"event-sign": "0" * 32}).status == 401
    junk = b"not json"
    assert env.post_douyin("acme", junk, {"event-sign": push_signature(APP_KEY, junk, APP_SECRET)}).status == 400
    assert env.file_douyin() == []


def test_notification_rendered_in_zh_hans_and_sent_through_ses(env):
    """GIVEN a customer with an e-mail contact in zh-Hans and a ticket in zh-Hans WHEN the approved
    event reaches the outbox THEN one Chinese e-mail goes out through SES (moto), once."""
    from aftersales.tickets.domain import Actor, LineRequest, OpenTicket
    from aftersales.tickets.model import Channel, Role, Status, TicketType

    s = svc()
    s.channels.contacts.put("acme", "cust-1", "email", "buyer@example.com", "zh-Hans")
    agent = Actor(id="a", roles=frozenset({Role.AGENT}))
    ticket = s.tickets.open("acme", OpenTicket(type=TicketType.RETURN_REFUND, order_id="O-1", channel=Channel.EMAIL,
                                               reason_code="x", lines=[LineRequest(line_id="L1", quantity=1)],
                                               locale="zh-Hans"), agent)
    s.tickets.transition("acme", ticket.id, Status.PENDING_APPROVAL, agent)
    approve_as_reviewer(s.tickets, "acme", ticket.id)
    event = {"detail-type": "ticket.approved", "source": "aftersales.tickets",
             "detail": {"tenant_id": "acme", "ticket_id": ticket.id, "customer_id": "cust-1", "seq": 3,
                        "event": "ticket.approved", "to_status": "approved", "dedup_key": f"{ticket.id}#3"}}
    record = sqs_record(event)
    from tests.support.lambdas import FakeContext

    result = env.notifications.lambda_handler({"Records": [record, {**record, "messageId": "2"}]}, FakeContext("n"))
    assert result == {"batchItemFailures": []}
    from tests.support.sent_mail import sent_mails

    sent = sent_mails()
    assert len(sent) == 1
    assert "已审核通过" in sent[0].body and ticket.id in sent[0].subject


def test_failing_sends_are_reported_so_the_queue_retries_then_dead_letters(env):
    """GIVEN SES refusing (unverified sender) WHEN the outbox handles the event THEN the record is a
    batch item failure (SQS retries it and, after maxReceiveCount, moves it to the DLQ)."""
    import os

    from aftersales import wiring

    os.environ["NOTIFICATIONS_SENDER"] = "not-verified@example.com"
    wiring.reset()
    s = svc()
    s.channels.contacts.put("acme", "cust-1", "email", "buyer@example.com", "en")
    event = {"detail-type": "parcel.delayed", "source": "aftersales.logistics",
             "detail": {"tenant_id": "acme", "customer_id": "cust-1", "tracking_number": "T1", "at": "2026"}}
    record = sqs_record(event, "9")
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    from tests.support.lambdas import FakeContext

    with pytest.raises(BatchProcessingError):  # every record failed: Lambda fails, SQS redelivers
        env.notifications.lambda_handler({"Records": [record]}, FakeContext("n"))
    # the dedupe marker was released, so the retry really sends
    assert s.channel_stores.intake.first_seen("acme", "notification", "parcel.delayed:T1:2026:email")
