"""Customer notifications over WeCom through the notifications Lambda handler, moto for AWS and a
local HTTP server answering like qyapi.weixin.qq.com with WeCom's recorded payloads."""

from __future__ import annotations

import json

import pytest

from tests.support.channels import extra_resources, seed_order
from tests.support.fake_http import FakeJsonApi
from tests.support.fixture_files import load
from tests.support.lambdas import FakeContext, load_handler, sqs_record
from tests.support.tickets import approve_as_reviewer

TOKEN = load("wecom/skit/CgibinGetTokenResponse.json")
SENT_WITH_INVALID_USERS = load("wecom/skit/CgibinMessageSendResponse.json")  # invaliduser "userid1|userid2"


@pytest.fixture
def wecom_api(aws, monkeypatch):
    """gettoken answers WeCom's recorded token reply; message/send the test's `replies`, in order."""
    api = FakeJsonApi(lambda method, path, query, body:
                      (200, TOKEN) if path == "/cgi-bin/gettoken" else api.replies.pop(0))
    api.replies = []
    monkeypatch.setenv("WECOM_API_BASE", api.url)
    from aftersales import wiring

    wiring.reset()
    extra_resources(aws)
    seed_order("acme", "O-1")
    wiring.services().integrations.set_wecom("acme", {
        "token": "tok", "encoding_aes_key": "k" * 43, "corp_id": "ww-corp", "agent_id": 1000002, "secret": "s" * 16})
    yield api
    api.close()


def sent_bodies(api: FakeJsonApi) -> list[dict]:
    return [json.loads(body) for _, path, _, body in api.received if path == "/cgi-bin/message/send"]


def approved_ticket_event(services, customer_address: str, *, email: str | None = None):
    from aftersales.tickets.domain import Actor, LineRequest, OpenTicket
    from aftersales.tickets.model import Channel, Role, Status, TicketType

    contacts = services.channels.contacts
    contacts.put("acme", "cust-1", "wecom", customer_address, None)
    if email:
        contacts.put("acme", "cust-1", "email", email, "zh-Hans")
    agent = Actor(id="a", roles=frozenset({Role.AGENT}))
    ticket = services.tickets.open("acme", OpenTicket(
        type=TicketType.RETURN_REFUND, order_id="O-1", channel=Channel.WECOM, reason_code="x",
        lines=[LineRequest(line_id="L1", quantity=1)], locale="zh-Hans"), agent)
    services.tickets.transition("acme", ticket.id, Status.PENDING_APPROVAL, agent)
    approve_as_reviewer(services.tickets, "acme", ticket.id)
    event = {"detail-type": "ticket.approved", "source": "aftersales.tickets",
             "detail": {"tenant_id": "acme", "ticket_id": ticket.id, "customer_id": "cust-1", "seq": 3,
                        "event": "ticket.approved", "to_status": "approved", "dedup_key": f"{ticket.id}#3"}}
    record = sqs_record(event)
    return ticket, {"Records": [record]}


def ses_messages():
    from tests.support.sent_mail import sent_mails

    return sent_mails()


def test_a_wecom_ticket_is_answered_on_wecom_and_the_message_lands_on_its_conversation(wecom_api):
    """GIVEN a ticket opened on WeCom and a tenant with outbound credentials WHEN its approval reaches
    the outbox THEN one zh-Hans text goes to the user through message/send (token from gettoken),
    the ticket's conversation shows it with WeCom's msgid, and the same event again sends nothing."""
    from aftersales.wiring import services

    wecom_api.replies = [(200, {"errcode": 0, "errmsg": "ok", "msgid": "wecom-msg-1"})]
    ticket, event = approved_ticket_event(services(), "wm-user-1")
    handler = load_handler("notifications")
    assert handler.lambda_handler(event, FakeContext("n")) == {"batchItemFailures": []}
    assert wecom_api.paths() == ["/cgi-bin/gettoken", "/cgi-bin/message/send"]
    _, _, query, _ = wecom_api.received[1]
    (body,) = sent_bodies(wecom_api)
    assert query == {"access_token": TOKEN["access_token"]}
    assert body["touser"] == "wm-user-1" and body["agentid"] == 1000002 and "已审核通过" in body["text"]["content"]
    outbound = [m for m in services().channel_stores.conversations.list("acme", ticket.id)
                if m.direction == "outbound"]
    assert [(m.channel, m.external_id) for m in outbound] == [("wecom", "wecom-msg-1")]
    assert handler.lambda_handler(event, FakeContext("n")) == {"batchItemFailures": []}
    assert len(wecom_api.received) == 2 and ses_messages() == []


def test_a_user_wecom_cannot_reach_gets_the_message_by_email_instead(wecom_api):
    """GIVEN WeCom's recorded reply listing userid1 as invalid WHEN the outbox notifies userid1 THEN
    the same event goes out by e-mail through SES (the customer's next channel), once."""
    wecom_api.replies = [(200, SENT_WITH_INVALID_USERS)]
    from aftersales.wiring import services

    _, event = approved_ticket_event(services(), "userid1", email="buyer@example.com")
    assert load_handler("notifications").lambda_handler(event, FakeContext("n")) == {"batchItemFailures": []}
    assert len(ses_messages()) == 1 and "已审核通过" in ses_messages()[0].body


def test_wecom_outage_fails_the_record_so_the_queue_retries_it(wecom_api):
    """GIVEN WeCom answering HTTP 503 WHEN the outbox sends THEN the record fails (SQS redelivers,
    then the DLQ), nothing goes by e-mail, and the retry sends once WeCom is back."""
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    from aftersales.wiring import services

    wecom_api.replies = [(503, {"errcode": -1}), (200, {"errcode": 0, "errmsg": "ok", "msgid": "m2"})]
    _, event = approved_ticket_event(services(), "wm-user-2", email="buyer@example.com")
    handler = load_handler("notifications")
    with pytest.raises(BatchProcessingError):
        handler.lambda_handler(event, FakeContext("n"))
    assert ses_messages() == []
    assert handler.lambda_handler(event, FakeContext("n")) == {"batchItemFailures": []}
    assert len(sent_bodies(wecom_api)) == 2 and ses_messages() == []


def test_douyin_customers_are_told_by_email_when_they_left_an_address_and_never_through_douyin(wecom_api):
    """GIVEN a ticket opened from Douyin for a customer with a Douyin identity (and, later, an e-mail)
    WHEN its approval reaches the outbox THEN without an e-mail nothing is sent (Douyin shows the
    status itself); with one, the message goes by e-mail; WeCom is never called."""
    from aftersales.tickets.domain import Actor, LineRequest, OpenTicket
    from aftersales.tickets.model import Channel, Role, Status, TicketType
    from aftersales.wiring import services

    svc = services()
    svc.channels.contacts.put("acme", "cust-1", "douyin", "dy-buyer-1", "zh-Hans")
    agent = Actor(id="a", roles=frozenset({Role.AGENT}))
    ticket = svc.tickets.open("acme", OpenTicket(
        type=TicketType.REFUND_ONLY, order_id="O-1", channel=Channel.DOUYIN, reason_code="x",
        lines=[LineRequest(line_id="L1", quantity=1)], locale="zh-Hans"), agent)
    svc.tickets.transition("acme", ticket.id, Status.PENDING_APPROVAL, agent)
    approve_as_reviewer(svc.tickets, "acme", ticket.id)

    def approved(dedup: str) -> dict:
        event = {"detail-type": "ticket.approved", "source": "aftersales.tickets",
                 "detail": {"tenant_id": "acme", "ticket_id": ticket.id, "customer_id": "cust-1",
                            "to_status": "approved", "dedup_key": dedup}}
        return event

    notifications = svc.notifications
    assert notifications.handle(approved(f"{ticket.id}#3")) == "no_contact"
    svc.channels.contacts.put("acme", "cust-1", "email", "buyer@example.com", "zh-Hans")
    assert notifications.handle(approved(f"{ticket.id}#3")) == "sent"
    assert len(ses_messages()) == 1 and wecom_api.received == []


def test_wecom_outbound_credentials_are_validated_and_never_read_back(api, demo):
    """GIVEN an admin WHEN the WeCom settings carry an agent id without the app secret THEN 422 and
    nothing stored; with both THEN outbound is on, and the integrations list shows the name only."""
    admin = demo["acme"]["admin"]
    base = {"token": "tok", "encoding_aes_key": "k" * 43, "corp_id": "ww-corp"}
    half = api.request("PUT", "/integrations/channels/wecom", {**base, "agent_id": 1000002}, admin)
    assert half.status == 422, half
    assert "agent_id and secret go together" in json.dumps(half.body)
    assert api.request("GET", "/integrations", None, admin).body["items"] == []
    inbound_only = api.request("PUT", "/integrations/channels/wecom", base, admin)
    assert inbound_only.status == 200 and inbound_only.body["outbound"] is False
    full = api.request("PUT", "/integrations/channels/wecom", {**base, "agent_id": 1000002, "secret": "s" * 16},
                       admin)
    assert full.status == 200 and full.body["outbound"] is True
    listed = api.request("GET", "/integrations", None, admin)
    assert listed.body["items"] == ["channel:wecom"] and "s" * 16 not in json.dumps(listed.body)


def test_an_email_contact_that_cannot_be_an_address_gives_way_to_the_customers_wecom(wecom_api):
    """GIVEN an e-mail ticket whose customer's stored e-mail is `a@b.com\\r\\nBcc: x@evil` (saved before
    addresses were validated) and who also has a WeCom contact WHEN the ticket's "created" notification
    reaches the outbox THEN e-mail is skipped without a retry, the message goes out on WeCom, nothing
    reaches SES and no undeliverable note is written."""
    from aftersales.adapters.dynamo.intake import DynamoIntakeStore
    from aftersales.tickets.domain import Actor, LineRequest, OpenTicket
    from aftersales.tickets.model import Channel, Role, TicketType
    from aftersales.wiring import services

    wecom_api.replies = [(200, {"errcode": 0, "errmsg": "ok", "msgid": "wecom-msg-9"})]
    svc = services()
    svc.channels.contacts.put("acme", "cust-1", "wecom", "wm-user-1", None)
    DynamoIntakeStore().put_contact("acme", "cust-1", "email", "a@b.com\r\nBcc: x@evil", "zh-Hans")
    agent = Actor(id="a", roles=frozenset({Role.AGENT}))
    ticket = svc.tickets.open("acme", OpenTicket(
        type=TicketType.RETURN_REFUND, order_id="O-1", channel=Channel.EMAIL, reason_code="x",
        lines=[LineRequest(line_id="L1", quantity=1)], locale="zh-Hans"), agent)
    event = {"detail-type": "ticket.created", "source": "aftersales.tickets",
             "detail": {"tenant_id": "acme", "ticket_id": ticket.id, "customer_id": "cust-1", "seq": 1,
                        "event": "ticket.created", "to_status": ticket.status.value, "dedup_key": f"{ticket.id}#1"}}
    handler = load_handler("notifications")
    assert handler.lambda_handler({"Records": [sqs_record(event)]}, FakeContext("n")) == {"batchItemFailures": []}
    (body,) = sent_bodies(wecom_api)
    assert body["touser"] == "wm-user-1" and ticket.id in body["text"]["content"]
    assert ses_messages() == []
    events = [e.event for e in svc.tickets.audit("acme", ticket.id, agent)]
    assert "ticket.notification_undeliverable" not in events
