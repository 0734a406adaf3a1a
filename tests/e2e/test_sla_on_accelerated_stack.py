"""Timers on the local stack with accelerated time (speed 3600: an application hour per wall
second): the real template's schedule pump fires SlaSweeperFunction (rate(1 minute)), the ticket
stream feeds the tracker and the dispatcher, and the sweep reminds and escalates; the hourly
LogisticsSweepFunction raises a delay alert that reaches the customer by e-mail.

Runs on a stack of its own (see `exclusive_stack` in tests/support/local_stack.py), never next to the session stack."""

from __future__ import annotations

import uuid
from functools import partial

import pytest
import requests

from tests.support.local_stack import accelerated_stack, eventually, fresh_staff_auth
from tests.support.tickets import order_payload

pytestmark = [pytest.mark.e2e, pytest.mark.exclusive_stack]
SPEED = 3600
POLICY = {"rules": [{"rule_id": "app-complaints", "match": {"ticket_type": "complaint", "channel": "app"},
                     "targets": {"resolution": {"duration": "PT40H", "clock": "calendar", "reminders": [0.5],
                                                "escalations": [{"level": 1, "to_role": "supervisor"}]}}}]}
SKILLS = {"ticket_types": ["complaint"], "languages": ["zh-Hans", "en"], "channels": ["app"]}

_supervisor = partial(fresh_staff_auth, "sup-wang")  # a fresh token per request: 12 h last seconds here


@pytest.fixture(scope="module")
def fast_stack():
    with accelerated_stack("e2e-sla", SPEED) as stack:
        yield stack


def test_scheduled_sweep_reminds_then_escalates_within_seconds(fast_stack):
    """GIVEN the demo tenant on a stack at 3600x, a team with an agent and a supervisor of its own (the
    demo's agents offline: they would compete for the ticket and hold the demo's), and a 40 h
    resolution target for app complaints (reminder at 50 %, escalation to a supervisor on breach)
    WHEN a storefront opens a complaint, and the policy is saved after it
    THEN the dispatcher assigns it to the agent, the policy write recomputes the open ticket (SLA table
    stream -> tracker -> paged recompute), the scheduled sweep records `ticket.sla_reminder`
    about 20 wall seconds after the ticket opened and, on the breach, an escalation assignment to the supervisor."""
    api, key = fast_stack.api_url, fast_stack.storefront
    for demo_agent in ("agent-li", "agent-zhou", "sup-wang"):
        off = {"team_id": "care", "max_open": 50, "availability": "offline"}
        put = requests.put(f"{api}/dispatch/agents/{demo_agent}", json=off, headers=_supervisor(), timeout=10)
        assert put.status_code == 200, put.text
    put = requests.put(f"{api}/dispatch/teams/sla-care", json={"skills": SKILLS}, headers=_supervisor(), timeout=10)
    assert put.status_code == 200, put.text
    for agent_id, supervisor in (("agent-sla", False), ("sup-sla", True)):
        body = {"team_id": "sla-care", "max_open": 10, "availability": "online", "supervisor": supervisor}
        put = requests.put(f"{api}/dispatch/agents/{agent_id}", json=body, headers=_supervisor(), timeout=10)
        assert put.status_code == 200, put.text

    suffix = uuid.uuid4().hex[:8]
    order = {"order_id": f"SLA-{suffix}", "version": 1, "channel": "app", "currency": "CNY",
             "customer": {"id": f"cust-sla-{suffix}", "tier": "standard"},
             "payment": {"provider": "sandbox", "reference": f"ch_sla_{suffix}",
                         "captured": {"amount": 3000, "currency": "CNY"}},
             "shipping": {"country": "CN", "fee": {"amount": 0, "currency": "CNY"}},
             "lines": [{"line_id": "1", "sku": "CUP", "name": "Cup", "quantity": 1,
                        "unit_price_paid": {"amount": 3000, "currency": "CNY"}}],
             "placed_at": "2026-11-18T10:00:00+08:00"}
    put = requests.put(f"{api}/orders/{order['order_id']}", json=order, headers=key, timeout=10)
    assert put.status_code == 201, put.text
    created = requests.post(f"{api}/tickets", json={"type": "complaint", "order_id": order["order_id"],
                                                    "channel": "app", "reason_code": "late_delivery"},
                            headers=key, timeout=10)
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]
    fast_stack.drain(timeout=15)  # assigned, tracked (no policy yet: no deadlines)
    # The policy comes after the ticket: only the policy item's stream record (-> tracker -> recompute
    # page) gives the open ticket its deadlines.
    saved = requests.put(f"{api}/sla/policy", json=POLICY, headers=_supervisor(), timeout=10)
    assert saved.status_code == 200, saved.text

    def audit() -> list[dict]:
        reply = requests.get(f"{api}/tickets/{ticket_id}/audit", headers=_supervisor(), timeout=10)
        assert reply.status_code == 200, reply.text
        return reply.json()["entries"]

    seen: list[list[str]] = []

    def escalated() -> list[dict] | None:
        entries = audit()
        seen[:] = [[e["event"] for e in entries]]
        events = [e["event"] for e in entries]
        if "ticket.sla_reminder" not in events:
            return None
        after = entries[events.index("ticket.sla_reminder"):]
        if any(e["event"] == "ticket.assigned" and "sla escalation" in (e.get("reason") or "") for e in after):
            return entries
        return None

    # Generous bounds: the clock counts from the ticket's creation, and a loaded CI machine can
    # spend several application hours on the steps before the policy is saved.
    entries = eventually(escalated, timeout=90, interval=0.25, what=lambda: f"last seen: {seen!r}")
    assigned = [e for e in entries if e["event"] == "ticket.assigned"]
    assert assigned[0]["reason"].startswith("auto:") and assigned[0]["data"]["to_assignee"] == "agent-sla"
    escalation = assigned[-1]
    assert escalation["actor_role"] == "system" and escalation["data"]["to_assignee"] == "sup-sla"
    events = [e["event"] for e in entries]
    assert events.count("ticket.sla_reminder") == 1 and events.count("ticket.sla_breached") == 1
    assert events.index("ticket.sla_reminder") < events.index("ticket.sla_breached") < entries.index(escalation)
    reply = requests.get(f"{api}/tickets/{ticket_id}/deadlines", headers=_supervisor(), timeout=10)
    deadlines = reply.json()["deadlines"]
    (resolution,) = [d for d in deadlines if d["metric"] == "resolution"]
    assert resolution["breached"] and {"reminder:0.5", "breach", "escalation:1"} <= set(resolution["fired"])


def test_the_hourly_logistics_sweep_alerts_on_a_silent_parcel_on_its_schedule(fast_stack):
    """GIVEN a 2 h delay-alert rule and an outbound parcel no carrier has scanned, on a stack at 3600x
    WHEN the template's rate(1 hour) schedule ticks (about once a wall second) THEN the sweep finds the
    parcel in the watch index, raises the delay alert, and the customer gets the "delayed" e-mail
    through the outbox — nothing invoked by hand."""
    from tests.support.sent_mail import sent_mails

    api, key = fast_stack.api_url, fast_stack.storefront
    rules = requests.put(f"{api}/integrations/logistics-rules", json={"delay_alert_after": "PT2H"}, headers=key,
                         timeout=10)
    assert rules.status_code == 200, rules.text
    suffix = uuid.uuid4().hex[:8]
    order_id, customer, tracking = f"LOG-{suffix}", f"cust-log-{suffix}", f"SILENT{suffix.upper()}"
    assert requests.put(f"{api}/orders/{order_id}", json=order_payload(order_id, customer), headers=key,
                        timeout=10).status_code == 201
    contact = requests.put(f"{api}/customers/{customer}/contacts/email", headers=key, timeout=10,
                           json={"address": f"{customer}@example.com", "locale": "en"})
    assert contact.status_code == 200, contact.text
    registered = requests.put(f"{api}/parcels/{tracking}", headers=key, timeout=10,
                              json={"direction": "outbound", "order_id": order_id})
    assert registered.status_code == 200, registered.text
    seen: list = []

    def delayed_mail():
        sent = sent_mails()
        seen[:] = [len(sent)]
        return [m for m in sent if tracking in m.subject]

    (mail,) = eventually(delayed_mail, timeout=60, interval=0.25, what=lambda: f"last seen: {seen!r}")
    assert "delayed" in mail.subject and mail.to == [f"{customer}@example.com"]
