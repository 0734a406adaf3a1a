"""The satisfaction loop on the local stack with accelerated time (speed 3600: an application hour
per wall second), as `make run --speed 3600` runs it: a closed ticket's customer gets the survey
e-mail in their language from the bus-triggered schedule and the minute sweeper (moto's SES), opens
the link, answers 3 with a comment on the HTML form, and a follow-up complaint appears for the team
lead of the closed ticket's agent with deadlines from the SLA engine; a second closed ticket within
the 30-day throttle window sends nothing more.

Runs on a stack of its own (see `exclusive_stack` in tests/support/local_stack.py)."""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta

import pytest
import requests

from tests.support.local_stack import exclusive_stack
from tests.support.sent_mail import sent_mails
from tests.support.tickets import order_payload

pytestmark = [pytest.mark.e2e, pytest.mark.exclusive_stack]
SPEED = 3600
SKILLS = {"ticket_types": ["complaint"], "languages": ["zh-Hans", "en"], "channels": ["app"]}
POLICY = {"rules": [{"rule_id": "complaints", "match": {"ticket_type": "complaint"},
                     "targets": {"resolution": {"duration": "PT48H", "clock": "calendar", "reminders": [0.5]}}}]}


@pytest.fixture(scope="module")
def fast_stack():
    with exclusive_stack("e2e-satisfaction", speed=SPEED) as stack:
        stack.storefront = {"X-Api-Key": stack.demo["storefront API key (X-Api-Key)"]}
        yield stack


def _supervisor() -> dict[str, str]:
    """A fresh token per request: a 12 h token lasts 12 wall seconds at this speed."""
    from aftersales.wiring import services

    token = services().tenants.mint_staff_token("demo", "sup-wang", timedelta(hours=12))
    return {"Authorization": f"Bearer {token}"}


def _eventually(probe, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout}s")
        time.sleep(0.25)


def _closed_complaint(api: str, key: dict[str, str], order_id: str) -> str:
    created = requests.post(f"{api}/tickets", json={"type": "complaint", "order_id": order_id, "channel": "app",
                                                    "reason_code": "late_delivery"},
                            headers={**key, "Accept-Language": "zh-Hans"}, timeout=10)  # the customer's language
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]

    def assigned():
        reply = requests.get(f"{api}/tickets/{ticket_id}", headers=_supervisor(), timeout=10)
        return reply.json() if reply.json().get("assignee_id") else None

    _eventually(assigned, 30, "the dispatcher assigns the complaint")
    for target in ("investigating", "resolved", "closed"):
        moved = requests.post(f"{api}/tickets/{ticket_id}/transitions", json={"to": target, "reason": "handled"},
                              headers=_supervisor(), timeout=10)
        assert moved.status_code == 200, moved.text
    return ticket_id


def _survey_mails(address: str) -> list:
    return [m for m in sent_mails() if m.to == [address] and "/surveys/" in m.body]


def test_a_closed_ticket_is_surveyed_once_and_a_detractor_goes_back_to_the_team_lead(fast_stack):
    api, key = fast_stack.api_url, fast_stack.storefront
    assert requests.put(f"{api}/sla/policy", json=POLICY, headers=_supervisor(), timeout=10).status_code == 200
    # a team of its own: an agent who takes the complaint and the team lead (the demo's care team
    # offline: its supervisor takes tickets too, and a lead's own ticket has no lead to go back to)
    for demo_agent in ("agent-li", "agent-zhou", "sup-wang"):
        off = {"team_id": "care", "max_open": 50, "availability": "offline"}
        assert requests.put(f"{api}/dispatch/agents/{demo_agent}", json=off, headers=_supervisor(),
                            timeout=10).status_code == 200
    assert requests.put(f"{api}/dispatch/teams/sat-care", json={"skills": SKILLS}, headers=_supervisor(),
                        timeout=10).status_code == 200
    for agent_id, lead in (("agent-sat", False), ("lead-sat", True)):
        body = {"team_id": "sat-care", "max_open": 10, "availability": "offline" if lead else "online",
                "supervisor": lead}
        assert requests.put(f"{api}/dispatch/agents/{agent_id}", json=body, headers=_supervisor(),
                            timeout=10).status_code == 200
    suffix = uuid.uuid4().hex[:8]
    customer, address = f"cust-sat-{suffix}", f"sat-{suffix}@example.com"
    contact = requests.put(f"{api}/customers/{customer}/contacts/email", json={"address": address,
                                                                               "locale": "zh-Hans"},
                           headers=key, timeout=10)
    assert contact.status_code == 200, contact.text
    for n in (1, 2):
        order = order_payload(f"SAT-{suffix}-{n}", customer)
        assert requests.put(f"{api}/orders/{order['order_id']}", json=order, headers=key,
                            timeout=10).status_code in (200, 201)

    closed = _closed_complaint(api, key, f"SAT-{suffix}-1")
    # one hour's delay (one wall second), postponed past the customer's quiet hours (at most 12 s)
    (mail,) = _eventually(lambda: _survey_mails(address), 60, "the survey e-mail reaches moto's SES")
    assert "服务" in mail.subject + mail.body  # the customer's language
    link = re.search(r"https?://\S+/surveys/[A-Za-z0-9._~-]+", mail.body).group(0)
    page = requests.get(link, timeout=10)
    assert page.status_code == 200 and 'lang="zh-Hans"' in page.text and 'name="nps"' in page.text
    answered = requests.post(link, data={"nps": "3", "comment": "客服回复太慢，问题拖了三天"}, timeout=10)
    assert answered.status_code == 200, answered.text

    def follow_up():
        reply = requests.get(f"{api}/tickets", params={"customer_id": customer}, headers=_supervisor(), timeout=10)
        found = [t for t in reply.json()["items"] if t.get("parent_id") == closed]
        return found[0] if found else None

    ticket = _eventually(follow_up, 20, "the detractor's follow-up ticket")
    assert ticket["type"] == "complaint" and ticket["reason_code"] == "survey_detractor"
    assert ticket["assignee_id"] == "lead-sat"  # the team lead of the closed ticket's agent, not dispatch

    def deadlines():
        reply = requests.get(f"{api}/tickets/{ticket['id']}/deadlines", headers=_supervisor(), timeout=10)
        return [d for d in reply.json().get("deadlines", []) if d["metric"] == "resolution"]

    (resolution,) = _eventually(deadlines, 30, "the follow-up's SLA deadline")
    assert resolution["due_at"]

    # A second ticket of the same customer closes within the 30-day window: no second survey.
    _closed_complaint(api, key, f"SAT-{suffix}-2")
    time.sleep(15)  # 15 application hours: past the delay and any quiet hours
    assert len(_survey_mails(address)) == 1
