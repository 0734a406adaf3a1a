"""Contacts that cannot be addresses: refused at save (422), and when one was stored before that
rule existed, the outbox (handler + SES under moto) flags the ticket instead of crash-looping."""

from __future__ import annotations

import json
import logging
from email.message import EmailMessage

import pytest

from tests.support.channels import Webhooks, seed_order, tenant_with_return
from tests.support.lambdas import FakeContext, load_handler, sqs_record
from tests.support.sent_mail import sent_mails

INJECTION = "a@b.com\r\nBcc: x@evil"


@pytest.fixture
def acme(api, demo, aws):
    return tenant_with_return(api, demo, aws)


def store():
    """The contacts table as the outbox reads it (written directly: data from before validation)."""
    from aftersales.adapters.dynamo.intake import DynamoIntakeStore
    from aftersales.wiring import services

    assert services().channels.contacts is not None  # building the channel use cases binds the channels table
    return DynamoIntakeStore()


def audit(api, acme) -> list[dict]:
    return api.request("GET", f"/tickets/{acme['ticket']}/audit", None, acme["supervisor"]).body["entries"]


def outbox_event(entry: dict, ticket_id: str) -> dict:
    return {"detail-type": entry["event"], "source": "aftersales.tickets", "detail": {
        "tenant_id": "acme", "ticket_id": ticket_id, "customer_id": "cust-1", "seq": entry["seq"],
        "event": entry["event"], "to_status": entry["to_status"], "data": entry["data"],
        "dedup_key": f"{ticket_id}#{entry['seq']}"}}


@pytest.mark.parametrize("channel,address,path", [
    ("email", "not-an-email", "address"), ("email", INJECTION, "address"),
    ("email", "Buyer <b@example.com>", "address"), ("wecom", "wm-user\r\nX: y", "address"),
    ("douyin", "two words", "address"),
])
def test_a_contact_that_cannot_be_an_address_is_refused_at_save(api, acme, channel, address, path):
    """GIVEN a storefront saving a customer's contact
    WHEN the address cannot be one on that channel (the injection string included)
    THEN 422 naming the field, in the caller's language, and nothing is stored or linked."""
    reply = api.request("PUT", f"/customers/cust-1/contacts/{channel}", {"address": address},
                        {**acme["key"], "Accept-Language": "zh-Hans"})
    assert reply.status == 422, reply
    assert reply.body["error"]["code"] == "invalid_request"
    assert [f["path"] for f in reply.body["error"]["fields"]] == [path]
    assert "有效" in reply.body["error"]["message"]
    assert address not in json.dumps(reply.body, ensure_ascii=False)
    assert store().contacts("acme", "cust-1") == {}


def test_a_valid_address_is_stored_normalised(api, acme):
    """GIVEN a mixed-case address with blanks around WHEN saved THEN 200 and the stored contact is
    the normalised address the outbox will send to."""
    reply = api.request("PUT", "/customers/cust-1/contacts/email", {"address": " Buyer@Example.COM ", "locale": "en"},
                        acme["key"])
    assert reply.status == 200, reply
    assert store().contacts("acme", "cust-1")["email"]["address"] == "Buyer@example.com"


@pytest.mark.parametrize("stored", ["not-an-email", INJECTION])
def test_a_stored_address_that_cannot_be_one_flags_the_ticket_once_without_retries(api, acme, stored, caplog):
    """GIVEN an e-mail contact stored before addresses were validated (the injection string among them)
    WHEN the ticket's "created" notification goes through the outbox handler, and is delivered twice
    THEN the batch reports no failure (nothing for SQS to retry), SES sends nothing, the ticket gets one
    staff-only `ticket.notification_undeliverable` note with the reason code, and the log has a warning
    with that code: no address, no stack trace."""
    store().put_contact("acme", "cust-1", "email", stored, "en")
    created = next(e for e in audit(api, acme) if e["event"] == "ticket.created")
    record = sqs_record(outbox_event(created, acme["ticket"]))
    handler = load_handler("notifications")
    caplog.set_level(logging.INFO)
    for _ in range(2):
        assert handler.lambda_handler({"Records": [record]}, FakeContext("n")) == {"batchItemFailures": []}
    assert sent_mails() == []
    notes = [e for e in audit(api, acme) if e["event"] == "ticket.notification_undeliverable"]
    assert len(notes) == 1
    assert notes[0]["data"] == {"event": "ticket.created", "tried": ["email"], "reasons": {"email": "invalid_address"}}
    assert notes[0]["actor_role"] == "system"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name.endswith("notifications.service")]
    assert any(getattr(r, "reason", None) == "invalid_address" for r in warnings)
    for r in caplog.records:
        assert r.exc_info is None
        assert "not-an-email" not in r.getMessage() and "a@b.com" not in json.dumps(r.__dict__, default=str)


def test_a_staff_reply_to_a_stored_address_that_cannot_be_one_is_flagged_for_the_agent(api, acme):
    """GIVEN a stored e-mail contact `a@b.com\\r\\nBcc: x@evil` WHEN an agent's reply reaches the outbox
    THEN nothing goes to SES and the ticket records ticket.reply_undeliverable with the reason code."""
    store().put_contact("acme", "cust-1", "email", INJECTION, "en")
    assert api.request("POST", f"/tickets/{acme['ticket']}/replies", {"body": "Please send a photo."},
                       acme["agent"]).status == 201
    replied = audit(api, acme)[-1]
    handler = load_handler("notifications")
    assert handler.lambda_handler({"Records": [sqs_record(outbox_event(replied, acme["ticket"]))]},
                                  FakeContext("n")) == {"batchItemFailures": []}
    flagged = audit(api, acme)[-1]
    assert flagged["event"] == "ticket.reply_undeliverable"
    assert flagged["data"]["reasons"] == {"email": "invalid_address"} and sent_mails() == []


def test_a_line_break_in_a_subject_value_never_adds_a_header_or_a_recipient(api, acme):
    """GIVEN a valid e-mail contact and a delay alert whose tracking number (from a carrier) carries
    `\\r\\nBcc: x@evil` WHEN the outbox sends it THEN SES gets one raw message for the customer only,
    with no Bcc header and the tracking text on the one Subject line."""
    from aftersales.wiring import services

    assert api.request("PUT", "/customers/cust-1/contacts/email", {"address": "buyer@example.com", "locale": "en"},
                       acme["key"]).status == 200
    event = {"detail-type": "parcel.delayed", "source": "aftersales.logistics", "detail": {
        "tenant_id": "acme", "customer_id": "cust-1", "tracking_number": "T1\r\nBcc: x@evil", "at": "2026-12-01"}}
    assert services().notifications.handle(event) == "sent"
    (mail,) = sent_mails()
    assert mail.message["Bcc"] is None and mail.to == ["buyer@example.com"]
    assert set(mail.destinations) == {"buyer@example.com"}
    assert mail.subject == "Your parcel T1 Bcc: x@evil is delayed"


def inbound(sender: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"] = sender, "help@shop.test"
    msg["Subject"], msg["Message-ID"] = "Return for order SO-20261118-01", "<m1@x>"
    msg.set_content("The mug arrived broken, I want to return it")
    return msg.as_bytes()


def test_inbound_mail_from_something_that_is_not_an_address_is_taken_in_but_not_kept_as_a_contact(acme):
    """GIVEN an inbound mail whose From cannot be written back to WHEN it is dropped THEN it is filed
    (nothing lost) but no e-mail contact is stored for the outbox to fail on; a proper From is kept."""
    seed_order("acme", "SO-20261118-01")  # cust-1's order, named in the subject: the sender is matched
    hooks = Webhooks()
    reply = hooks.drop_email("acme", inbound("not-an-email"))
    assert reply.status == 202 and reply.body["outcome"] == "created", reply
    assert "email" not in store().contacts("acme", "cust-1")
    assert hooks.drop_email("acme", inbound("Buyer <Buyer@Example.com>").replace(b"<m1@x>", b"<m2@x>")).status == 202
    assert store().contacts("acme", "cust-1")["email"]["address"] == "buyer@example.com"


def test_a_mobile_number_is_stored_in_e164_and_a_landline_is_refused_at_its_field(api, acme):
    """GIVEN a Chinese mobile number written nationally WHEN saved as the sms contact THEN 200 and the
    stored number is E.164; a Beijing landline (it cannot take a text) is 422 at address, nothing stored."""
    reply = api.request("PUT", "/customers/cust-1/contacts/sms", {"address": "138 0013 8000", "locale": "zh-Hans"},
                        acme["key"])
    assert reply.status == 200, reply
    assert store().contacts("acme", "cust-1")["sms"]["address"] == "+8613800138000"
    refused = api.request("PUT", "/customers/cust-2/contacts/sms", {"address": "010-12345678"}, acme["key"])
    assert refused.status == 422, refused
    assert [f["path"] for f in refused.body["error"]["fields"]] == ["address"]
    assert store().contacts("acme", "cust-2") == {}
