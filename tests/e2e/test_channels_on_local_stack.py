"""Channels on the local stack: customer notifications through SES, inbound mail through the
SES -> S3 -> function path, and the logistics sweep function (session stack, speed 1)."""

from __future__ import annotations

import time
from email.message import EmailMessage

import boto3
import pytest
import requests

from tests.support.tickets import order_payload

pytestmark = pytest.mark.e2e


def _key(stack) -> dict[str, str]:
    return {"X-Api-Key": next(v for k, v in stack.demo.items() if "API key" in k)}


def _staff(stack) -> dict[str, str]:
    return {"Authorization": "Bearer " + next(v for k, v in stack.demo.items() if k.startswith("supervisor token"))}


def _sent_emails() -> list:
    from tests.support.sent_mail import sent_mails

    return sent_mails()


def _wait(probe, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


def test_status_change_emails_the_customer_in_the_tickets_language(local_stack):
    """GIVEN an order of a customer with an e-mail contact and a complaint opened in zh-Hans WHEN staff
    resolve it through the API THEN the stream -> EventBridge -> outbox -> SES path sends the customer a
    Chinese "resolved" e-mail (as moto's SES captured it), and the conversation records it."""
    from aftersales.notifications.templates import render

    api, key = local_stack.api_url, _key(local_stack)
    assert requests.put(f"{api}/orders/E2E-NOTE-0001", json=order_payload("E2E-NOTE-0001", "cust-note"), headers=key,
                        timeout=10).status_code in (200, 201)
    contact = requests.put(f"{api}/customers/cust-note/contacts/email", headers=key, timeout=10,
                           json={"address": "note@example.com", "locale": "zh-Hans"})
    assert contact.status_code == 200, contact.text
    created = requests.post(f"{api}/tickets", timeout=10, headers={**key, "Accept-Language": "zh-Hans"}, json={
        "type": "complaint", "order_id": "E2E-NOTE-0001", "channel": "web", "reason_code": "late_delivery"})
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]
    for status in ("investigating", "resolved"):
        moved = requests.post(f"{api}/tickets/{ticket_id}/transitions", json={"to": status}, timeout=10,
                              headers=_staff(local_stack))
        assert moved.status_code == 200, moved.text
    local_stack.drain(timeout=30)

    expected = render("ticket.resolved", "zh-Hans", "email", ticket=ticket_id, status="resolved")
    mails = _wait(lambda: [m for m in _sent_emails() if m.to == ["note@example.com"]
                           and m.subject == expected.subject])
    assert len(mails) == 1, [m.subject for m in _sent_emails()]
    assert "已" in mails[0].subject and ticket_id in mails[0].body
    created_mail = render("ticket.created", "zh-Hans", "email", ticket=ticket_id, status="submitted")
    assert any(m.subject == created_mail.subject for m in _sent_emails())
    conversation = requests.get(f"{api}/tickets/{ticket_id}/conversation", headers=key, timeout=10).json()
    assert any(i["direction"] == "outbound" and i["subject"] == expected.subject for i in conversation["items"])


def _raw_mail(subject: str, text: str, message_id: str, in_reply_to: str | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"] = "Mail Buyer <mail-buyer@example.com>", "service@demo.test"
    msg["Subject"], msg["Message-ID"] = subject, message_id
    if in_reply_to:
        msg["In-Reply-To"] = msg["References"] = in_reply_to
    msg.set_content(text)
    msg.add_attachment(b"%PDF-1.4 receipt", maintype="application", subtype="pdf", filename="receipt.pdf")
    return msg.as_bytes()


def test_raw_mail_dropped_in_the_inbound_bucket_becomes_a_ticket_with_its_attachment(local_stack):
    """GIVEN a known order WHEN SES (here: a PutObject) stores a raw e-mail about it under
    inbox/demo/ in the template's inbound-mail bucket THEN the S3 notification runs the e-mail function:
    a ticket opens with the mail on its conversation and the attachment in the attachments bucket; a
    reply (In-Reply-To) dropped the same way becomes a comment on that ticket."""
    api, key = local_stack.api_url, _key(local_stack)
    assert requests.put(f"{api}/orders/E2E-MAIL-0001", json=order_payload("E2E-MAIL-0001", "cust-mail"), headers=key,
                        timeout=10).status_code in (200, 201)
    s3 = boto3.client("s3")
    inbound = local_stack.model.buckets["InboundMailBucket"].name
    attachments = local_stack.model.buckets["AttachmentsBucket"].name
    s3.put_object(Bucket=inbound, Key="inbox/demo/e2e-mail-1",
                  Body=_raw_mail("Complaint about order E2E-MAIL-0001", "I complain: the box was open.", "<e2e-1@x>"))
    local_stack.drain(timeout=30)

    tickets = _wait(lambda: requests.get(f"{api}/tickets", params={"customer_id": "cust-mail"}, headers=key,
                                         timeout=10).json()["items"])
    assert [(t["type"], t["channel"]) for t in tickets] == [("complaint", "email")]
    ticket_id = tickets[0]["id"]
    items = requests.get(f"{api}/tickets/{ticket_id}/conversation", headers=key, timeout=10).json()["items"]
    stored = [a for i in items for a in i["attachments"]]
    assert [a["filename"] for a in stored] == ["receipt.pdf"]
    assert s3.get_object(Bucket=attachments, Key=stored[0]["key"])["Body"].read() == b"%PDF-1.4 receipt"

    s3.put_object(Bucket=inbound, Key="inbox/demo/e2e-mail-2",
                  Body=_raw_mail("Re: Complaint", "Any news?", "<e2e-2@x>", in_reply_to="<e2e-1@x>"))
    local_stack.drain(timeout=30)
    items = _wait(lambda: [i for i in requests.get(f"{api}/tickets/{ticket_id}/conversation", headers=key,
                                                   timeout=10).json()["items"] if i["external_id"] == "<e2e-2@x>"])
    assert items and items[0]["body"].strip() == "Any news?"


def test_logistics_sweep_function_runs_against_the_stack(local_stack):
    """GIVEN the session stack (speed 1: the hourly schedule would not tick within a test) WHEN the sweep
    function is invoked as its schedule would (scheduled event) THEN it reads the watch index and reports
    counts; the template's schedule is wired to it."""
    [schedule] = [s for s in local_stack.model.schedules if s.target.ref == "LogisticsSweepFunction"]
    assert schedule.expression == "rate(1 hour)" and schedule.enabled
    counts = local_stack.invoke("LogisticsSweepFunction", {"source": "aws.events", "detail-type": "Scheduled Event",
                                                           "detail": {}})
    assert set(counts) == {"due", "expired", "delayed"} and counts["expired"] == 0


def test_a_staff_reply_reaches_the_customer_by_email_through_the_outbox(local_stack):
    """GIVEN a customer with an e-mail contact and a complaint WHEN an agent replies through the API
    THEN the reply's audit entry flows stream -> EventBridge -> outbox -> SES: the customer gets the
    agent's own text under "[ticket] Reply to your request", and the ticket's audit shows the reply."""
    from aftersales.notifications.templates import reply_subject

    api, key, staff = local_stack.api_url, _key(local_stack), _staff(local_stack)
    assert requests.put(f"{api}/orders/E2E-REPLY-1", json=order_payload("E2E-REPLY-1", "cust-reply"), headers=key,
                        timeout=10).status_code in (200, 201)
    assert requests.put(f"{api}/customers/cust-reply/contacts/email", headers=key, timeout=10,
                        json={"address": "reply@example.com", "locale": "en"}).status_code == 200
    created = requests.post(f"{api}/tickets", timeout=10, headers=key, json={
        "type": "complaint", "order_id": "E2E-REPLY-1", "channel": "web", "reason_code": "late_delivery"})
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]
    replied = requests.post(f"{api}/tickets/{ticket_id}/replies", headers=staff, timeout=10,
                            json={"body": "Your parcel left our warehouse today."})
    assert replied.status_code == 201, replied.text
    local_stack.drain(timeout=30)
    mails = _wait(lambda: [m for m in _sent_emails() if m.to == ["reply@example.com"]
                           and m.subject == reply_subject(ticket_id, "en")])
    assert len(mails) == 1 and mails[0].body == "Your parcel left our warehouse today."
    audit = requests.get(f"{api}/tickets/{ticket_id}/audit", headers=staff, timeout=10).json()["entries"]
    assert [e["data"]["message_id"] for e in audit if e["event"] == "ticket.agent_replied"] == [
        replied.json()["message_id"]]
