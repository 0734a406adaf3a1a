"""Review timeout -> supervisor escalation on the local stack: the real approval state machine on
moto's ASL interpreter, started by the real pipeline (stream -> bus -> SQS -> MoneyEventsFunction),
with `ReviewTimeoutSeconds` passed as a stack parameter.

Runs on a stack of its own (see `exclusive_stack` in tests/support/local_stack.py), never next to the session stack."""

from __future__ import annotations

import pytest
import requests

from tests.support.local_stack import eventually, exclusive_stack
from tests.support.stack_orders import put_order, submitted_refund

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
    api = stack.api_url
    ticket_id = submitted_refund(stack, put_order(stack, "E2E-TO", 30000), stack.storefront)

    escalated = eventually(lambda: (r := _review(stack, ticket_id)) and r["route"] == "supervisor" and r,
                           timeout=45, interval=0.3, what="the supervisor's review")
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
    eventually(lambda: requests.get(f"{api}/tickets/{ticket_id}", headers=stack.tokens["agent"],
                                    timeout=10).json()["status"] == "refunded", timeout=45, interval=0.3,
               what="the refund")
    audit = requests.get(f"{api}/tickets/{ticket_id}/audit", headers=stack.tokens["agent"], timeout=10).json()
    approved = next(e for e in audit["entries"] if e["event"] == "ticket.approved")
    assert approved["actor_role"] == "supervisor" and approved["reason"] == "escalated, approved"
