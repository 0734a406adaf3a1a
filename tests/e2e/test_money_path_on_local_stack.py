"""The money path on the local stack (the real template: stream -> bus -> SQS -> starter ->
Step Functions (moto's ASL interpreter) -> Lambda tasks in-process -> sandbox provider).

GIVEN the demo tenant WHEN tickets enter pending_approval THEN the approval flow routes them, a human
decides through the API where the policy says so, and the refund saga pays exactly once."""

from __future__ import annotations

import time
from functools import partial

import pytest
import requests

from tests.support.local_stack import demo_auth, eventually
from tests.support.stack_orders import put_order, submitted_refund

pytestmark = pytest.mark.e2e


_eventually = partial(eventually, timeout=45, interval=0.3)  # the money path's patience on a shared machine


def _ticket_for(stack, unit_price: int) -> tuple[str, dict]:
    order = put_order(stack, "E2E", unit_price)
    return submitted_refund(stack, order, demo_auth(stack, "storefront API key")), order


def _status(stack, ticket_id: str) -> str:
    reply = requests.get(f"{stack.api_url}/tickets/{ticket_id}", headers=demo_auth(stack, "agent token"), timeout=10)
    return reply.json()["status"]


def test_a_small_refund_is_auto_approved_and_paid_once(local_stack):
    ticket_id, order = _ticket_for(local_stack, 5000)
    _eventually(lambda: _status(local_stack, ticket_id) == "refunded")
    refund = requests.get(f"{local_stack.api_url}/tickets/{ticket_id}/refund",
                          headers=demo_auth(local_stack, "agent token"), timeout=10).json()
    (grant,) = refund["grants"]
    assert grant["status"] == "succeeded" and grant["amount"] == {"amount": 5000, "currency": "CNY"}
    assert len(grant["attempts"]) == 1
    audit = requests.get(f"{local_stack.api_url}/tickets/{ticket_id}/audit",
                         headers=demo_auth(local_stack, "agent token"), timeout=10).json()["entries"]
    # the demo's dispatcher assigns it; the intake checks may note that the order snapshot has no fulfilment
    events = [e["event"] for e in audit if e["event"] not in ("ticket.assigned", "ticket.eligibility_checked")]
    assert events == ["ticket.created", "ticket.submitted_for_approval", "ticket.risk_assessed", "ticket.approved",
                      "ticket.refund_requested", "ticket.refunded"]
    assert next(e for e in audit if e["event"] == "ticket.risk_assessed")["data"]["risk"]["band"] == "low"
    approved = next(e for e in audit if e["event"] == "ticket.approved")
    assert approved["actor_role"] == "system" and approved["data"]["rule_id"] == "auto-small-cny"
    from aftersales.wiring import services

    sandbox = services().payments.for_tenant("demo")
    assert [r["amount"] for r in sandbox.refunds(order["payment"]["reference"])] == [5000]


def test_a_larger_refund_waits_for_a_reviewer_then_is_paid(local_stack):
    ticket_id, _order = _ticket_for(local_stack, 30000)
    agent = demo_auth(local_stack, "agent token")
    review = _eventually(lambda: (r := requests.get(f"{local_stack.api_url}/tickets/{ticket_id}/approval",
                                                    headers=agent, timeout=10)).status_code == 200 and r.json())
    assert review["route"] == "single_review" and review["status"] == "pending"
    decided = requests.post(f"{local_stack.api_url}/tickets/{ticket_id}/approval/decisions",
                            json={"verdict": "approve", "comment": "photos show the crack"}, headers=agent, timeout=10)
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    again = requests.post(f"{local_stack.api_url}/tickets/{ticket_id}/approval/decisions",
                          json={"verdict": "approve", "comment": "late"},
                          headers=demo_auth(local_stack, "supervisor token"), timeout=10)
    assert again.status_code == 409
    _eventually(lambda: _status(local_stack, ticket_id) == "refunded")
    audit = requests.get(f"{local_stack.api_url}/tickets/{ticket_id}/audit", headers=agent,
                         timeout=10).json()["entries"]
    approved = next(e for e in audit if e["event"] == "ticket.approved")
    assert approved["actor_id"] == "agent-li" and approved["reason"] == "photos show the crack"


def test_an_agent_cannot_wave_through_a_large_refund_they_asked_for(local_stack):
    """GIVEN an agent who opens a 3,000.00 CNY refund-only ticket (dual review) WHEN the same agent
    posts {"to": "approved"} to /transitions THEN 409 names the decisions endpoint, the review stays
    pending with no decisions and nothing is paid; only two other people's approvals pay it, once."""
    api, agent = local_stack.api_url, demo_auth(local_stack, "agent token")
    order = put_order(local_stack, "E2E", 300000)
    ticket_id = submitted_refund(local_stack, order, agent, channel="phone")
    path = f"{api}/tickets/{ticket_id}"
    review = _eventually(lambda: (r := requests.get(f"{path}/approval", headers=agent, timeout=10)).status_code
                         == 200 and r.json())
    assert review["route"] == "dual_review"
    forced = requests.post(f"{path}/transitions", json={"to": "approved"}, headers=agent, timeout=10)
    assert forced.status_code == 409 and forced.json()["error"]["details"]["use"].endswith("/approval/decisions")
    own = requests.post(f"{path}/approval/decisions", json={"verdict": "approve", "comment": "mine"}, headers=agent,
                        timeout=10)
    assert own.status_code == 403
    time.sleep(2)
    assert _status(local_stack, ticket_id) == "pending_approval"
    review = requests.get(f"{path}/approval", headers=agent, timeout=10).json()
    assert review["status"] == "pending" and review["decisions"] == []
    for who in ("supervisor token", "finance token"):
        decided = requests.post(f"{path}/approval/decisions", json={"verdict": "approve", "comment": "checked"},
                                headers=demo_auth(local_stack, who), timeout=10)
        assert decided.status_code == 200, decided.text
    _eventually(lambda: _status(local_stack, ticket_id) == "refunded")
    from aftersales.wiring import services

    sandbox = services().payments.for_tenant("demo")
    assert [r["amount"] for r in sandbox.refunds(order["payment"]["reference"])] == [300000]
    approved = next(e for e in requests.get(f"{path}/audit", headers=agent, timeout=10).json()["entries"]
                    if e["event"] == "ticket.approved")
    assert [d["approver_id"] for d in approved["data"]["decisions"]] == ["sup-wang", "fin-zhao"]
