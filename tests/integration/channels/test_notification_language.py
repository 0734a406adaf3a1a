"""The language of a customer notification (handler + SES under moto): the preference stored with
the customer's contact first, then the language the ticket was opened in, then the tenant's
default; amounts in that locale's currency format (Babel)."""

from __future__ import annotations

import pytest

from tests.support.channels import tenant_with_return
from tests.support.lambdas import FakeContext, load_handler, sqs_record
from tests.support.sent_mail import sent_mails


def audit(api, acme) -> list[dict]:
    return api.request("GET", f"/tickets/{acme['ticket']}/audit", None, acme["supervisor"]).body["entries"]


def outbox_event(entry: dict, ticket_id: str, **data) -> dict:
    return {"detail-type": entry["event"], "source": "aftersales.tickets", "detail": {
        "tenant_id": "acme", "ticket_id": ticket_id, "customer_id": "cust-1", "seq": entry["seq"],
        "event": entry["event"], "to_status": entry["to_status"], "data": {**entry["data"], **data},
        "dedup_key": f"{ticket_id}#{entry['seq']}"}}


def send_created(api, acme) -> None:
    created = next(e for e in audit(api, acme) if e["event"] == "ticket.created")
    handler = load_handler("notifications")
    record = sqs_record(outbox_event(created, acme["ticket"]))
    assert handler.lambda_handler({"Records": [record]}, FakeContext("n")) == {"batchItemFailures": []}


@pytest.mark.parametrize("stored,subject", [
    ("de-AT", "Wir haben Ihre Anfrage erhalten"), ("zh-TW", "我們已收到您的申請"), ("de-CH", "Wir haben Ihre Anfrage erhalten"),
    ("zh-CN", "我们已收到您的申请"),
])
def test_the_contacts_stored_language_wins_over_the_language_the_ticket_was_opened_in(api, demo, aws, stored,
                                                                                       subject):
    """GIVEN a ticket opened in English and the customer's e-mail contact saved with a regional tag
    WHEN its "created" notification goes out THEN the mail is in the contact's language."""
    acme = tenant_with_return(api, demo, aws, **{"Accept-Language": "en"})
    assert api.request("PUT", "/customers/cust-1/contacts/email", {"address": "kunde@example.de", "locale": stored},
                       acme["key"]).status == 200
    send_created(api, acme)
    (mail,) = sent_mails()
    assert subject in mail.subject and acme["ticket"] in mail.subject
    assert "We received" not in mail.subject


def test_without_a_stored_preference_the_tickets_language_is_used(api, demo, aws):
    """GIVEN a ticket opened with Accept-Language zh-HK and a contact saved without a language
    THEN the notification is in Traditional Chinese."""
    acme = tenant_with_return(api, demo, aws, **{"Accept-Language": "zh-HK, en;q=0.5"})
    assert api.request("PUT", "/customers/cust-1/contacts/email", {"address": "buyer@example.com"},
                       acme["key"]).status == 200
    send_created(api, acme)
    (mail,) = sent_mails()
    assert "我們已收到您的申請" in mail.subject and "售後單" in mail.body


def test_a_refund_notification_names_the_amount_in_the_customers_currency_format(api, demo, aws):
    """GIVEN a German-speaking customer WHEN a `ticket.refunded` carrying 3000 minor units of EUR
    reaches the outbox THEN the German mail says "30,00 €" (Babel, de)."""
    from aftersales.wiring import services

    acme = tenant_with_return(api, demo, aws)
    assert api.request("PUT", "/customers/cust-1/contacts/email", {"address": "kunde@example.de", "locale": "de"},
                       acme["key"]).status == 200
    created = next(e for e in audit(api, acme) if e["event"] == "ticket.created")
    refunded = {**created, "event": "ticket.refunded", "to_status": "refunded", "seq": created["seq"]}
    event = outbox_event(refunded, acme["ticket"], amount={"amount": 3000, "currency": "EUR"})
    event["detail-type"] = "ticket.refunded"
    assert services().notifications.handle(event) == "sent"
    (mail,) = sent_mails()
    assert "Erstattung" in mail.subject
    assert "30,00\xa0€" in mail.body and "Status: Erstattet" in mail.body


def test_a_customer_with_no_language_anywhere_gets_the_tenants_default(api, demo, aws):
    """GIVEN a tenant whose default language is German, a customer contact without a language and a
    parcel alert without a ticket THEN the alert is German."""
    from aftersales.wiring import services

    tenant_with_return(api, demo, aws)
    svc = services()
    svc.tenants.create_tenant("berlin", "Berlin", default_locale="de")
    svc.channels.contacts.put("berlin", "cust-9", "email", "kunde@example.de", None)
    event = {"detail-type": "parcel.delayed", "source": "aftersales.logistics", "detail": {
        "tenant_id": "berlin", "customer_id": "cust-9", "tracking_number": "1Z999", "at": "2026-12-01"}}
    assert svc.notifications.handle(event) == "sent"
    (mail,) = sent_mails()
    assert mail.subject == "Ihre Sendung 1Z999 verzögert sich"
