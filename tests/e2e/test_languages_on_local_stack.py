"""A German customer gets German notifications on the local stack (session stack, speed 1): the
demo's cust-3001 has an e-mail contact stored with language "de" and a refund-only ticket for a
30,00 EUR teapot; the stream -> EventBridge -> outbox -> SES path mails them in German, the refund
with its amount formatted by Babel for de ("30,00 €")."""

from __future__ import annotations

import pytest
import requests

from tests.support.local_stack import demo_auth, eventually
from tests.support.sent_mail import sent_mails

pytestmark = pytest.mark.e2e

GERMAN_TICKET = "German customer's ticket"
ADDRESS = "cust-3001@example.com"


def _eventually(probe, timeout: float = 45.0):
    return eventually(probe, timeout=timeout, interval=0.3,
                      what=lambda: f"the mail (sent so far: {[m.subject for m in sent_mails()]})")


def _mails_to_german_customer(ticket_id: str) -> list:
    return [m for m in sent_mails() if ADDRESS in m.destinations and ticket_id in m.subject]


def test_the_german_customer_is_told_in_german_with_money_the_german_way(local_stack):
    """GIVEN the demo's German customer and their submitted ticket WHEN it is submitted for approval,
    approved (by the policy or a reviewer) and paid by the sandbox provider THEN their mails are
    German: "Wir haben Ihre Anfrage erhalten" on opening, and on the refund a German subject and
    "Erstatteter Betrag: 30,00 €" (no English, no "30.00 EUR")."""
    api = local_stack.api_url
    ticket_id = next(v for k, v in local_stack.demo.items() if k.startswith(GERMAN_TICKET))
    agent, key = demo_auth(local_stack, "agent token"), demo_auth(local_stack, "storefront API key")

    created = _eventually(lambda: [m for m in _mails_to_german_customer(ticket_id)
                                   if "Wir haben Ihre Anfrage erhalten" in m.subject])
    assert "Status: Eingereicht" in created[0].body

    moved = requests.post(f"{api}/tickets/{ticket_id}/transitions", json={"to": "pending_approval"}, headers=key,
                          timeout=10)
    assert moved.status_code == 200, moved.text

    def decided_or_paid() -> bool:
        status = requests.get(f"{api}/tickets/{ticket_id}", headers=agent, timeout=10).json()["status"]
        if status == "pending_approval":
            review = requests.get(f"{api}/tickets/{ticket_id}/approval", headers=agent, timeout=10)
            if review.status_code == 200 and review.json().get("status") == "pending":
                requests.post(f"{api}/tickets/{ticket_id}/approval/decisions", headers=agent, timeout=10,
                              json={"verdict": "approve", "comment": "Foto zeigt den Sprung"})
            return False
        return status == "refunded"

    _eventually(decided_or_paid, timeout=60)
    local_stack.drain(timeout=30)
    refunded = _eventually(lambda: [m for m in _mails_to_german_customer(ticket_id)
                                    if "Ihre Erstattung wurde veranlasst" in m.subject])
    body = refunded[0].body
    assert "Erstatteter Betrag: 30,00\xa0€." in body, body
    assert "Status: Erstattet" in body
    assert "30.00" not in body and "EUR" not in body and "refund" not in body.lower()
