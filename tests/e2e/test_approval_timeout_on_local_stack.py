"""Review timeout -> supervisor escalation on the local stack: the real approval state machine on
moto's ASL interpreter, started by the real pipeline (stream -> bus -> SQS -> MoneyEventsFunction),
with `ReviewTimeoutSeconds` passed as a stack parameter.

Runs on a stack of its own (see `exclusive_stack` in tests/support/local_stack.py), never next to the session stack."""

from __future__ import annotations

import time
import uuid

import pytest
import requests

from tests.support.local_stack import exclusive_stack

pytestmark = [pytest.mark.e2e, pytest.mark.exclusive_stack]
REVIEW_TIMEOUT = 2  # seconds, the stack parameter (the tenant policy's own minimum is 60)


@pytest.fixture(scope="module")
def timeout_stack():
    with exclusive_stack("e2e-approval-timeout", parameters={
            "ReviewTimeoutSeconds": str(REVIEW_TIMEOUT), "EscalationTimeoutSeconds": "600"}) as stack:
        stack.storefront = {"X-Api-Key": stack.demo["storefront API key (X-Api-Key)"]}
        stack.tokens = {who: {"Authorization": f"Bearer {value}"} for label, value in stack.demo.items()
                        for who in ("agent", "supervisor") if label.startswith(f"{who} token")}
        yield stack


def _eventually(probe, timeout: float = 45.0):
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"not reached within {timeout}s; last: {result!r}")
        time.sleep(0.3)


def _review(stack, ticket_id: str) -> dict | None:
    reply = requests.get(f"{stack.api_url}/tickets/{ticket_id}/approval", headers=stack.tokens["agent"], timeout=10)
    return reply.json() if reply.status_code == 200 else None


def test_an_unanswered_review_escalates_to_a_supervisor_who_decides(timeout_stack):
    """GIVEN a stack whose ReviewTimeoutSeconds is 2 and a refund the demo policy sends to a single review
    WHEN nobody answers the review
    THEN the HumanReview task times out on moto's interpreter (States.Timeout), EscalateToSupervisor
    opens a supervisor review with a new task token, an agent may no longer decide, and the
    supervisor's approval resumes the execution: the ticket is approved and refunded."""
    stack = timeout_stack
    api, key = stack.api_url, stack.storefront
    suffix = uuid.uuid4().hex[:8]
    order = {"order_id": f"E2E-TO-{suffix}", "version": 1, "channel": "app", "currency": "CNY",
             "customer": {"id": f"cust-to-{suffix}", "tier": "standard"},
             "payment": {"provider": "sandbox", "reference": f"ch_to_{suffix}",
                         "captured": {"amount": 31000, "currency": "CNY"}},
             "shipping": {"country": "CN", "fee": {"amount": 1000, "currency": "CNY"}},
             "lines": [{"line_id": "1", "sku": "LAMP", "name": "Lamp", "quantity": 1,
                        "unit_price_paid": {"amount": 30000, "currency": "CNY"}}],
             "placed_at": "2026-11-18T10:00:00+08:00"}
    assert requests.put(f"{api}/orders/{order['order_id']}", json=order, headers=key, timeout=10).status_code == 201
    created = requests.post(f"{api}/tickets", json={"type": "refund_only", "order_id": order["order_id"],
                                                    "channel": "app", "reason_code": "quality",
                                                    "lines": [{"line_id": "1", "quantity": 1}]},
                            headers=key, timeout=10)
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]
    moved = requests.post(f"{api}/tickets/{ticket_id}/transitions", json={"to": "pending_approval"},
                          headers=key, timeout=10)
    assert moved.status_code == 200, moved.text

    escalated = _eventually(lambda: (r := _review(stack, ticket_id)) and r["route"] == "supervisor" and r)
    assert escalated["status"] == "pending" and escalated["decisions"] == []
    assert escalated["eligible_roles"]["approve"] == ["admin", "supervisor"]
    agent = requests.post(f"{api}/tickets/{ticket_id}/approval/decisions",
                          json={"verdict": "approve", "comment": "too late for me"},
                          headers=stack.tokens["agent"], timeout=10)
    assert agent.status_code == 403, agent.text
    boss = requests.post(f"{api}/tickets/{ticket_id}/approval/decisions",
                         json={"verdict": "approve", "comment": "escalated, approved"},
                         headers=stack.tokens["supervisor"], timeout=10)
    assert boss.status_code == 200 and boss.json()["status"] == "approved", boss.text
    _eventually(lambda: requests.get(f"{api}/tickets/{ticket_id}", headers=stack.tokens["agent"],
                                     timeout=10).json()["status"] == "refunded")
    audit = requests.get(f"{api}/tickets/{ticket_id}/audit", headers=stack.tokens["agent"], timeout=10).json()
    approved = next(e for e in audit["entries"] if e["event"] == "ticket.approved")
    assert approved["actor_role"] == "supervisor" and approved["reason"] == "escalated, approved"
