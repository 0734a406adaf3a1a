"""Review timeout -> supervisor escalation, driven as the approval state machine drives it
(infra/statemachines/approval.asl.json): Route -> HumanReview (.waitForTaskToken, TimeoutSecondsPath
$.review_timeout_seconds) -> States.Timeout -> EscalateToSupervisor (a new task token) -> the
supervisor decides through the API -> SendTaskSuccess with the NEW token -> ApplyDecision.
The timeouts come from the stack, or from the tenant's published approval policy."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from aftersales.tickets.model import Status
from tests.support.lambdas import FakeContext, load_handler
from tests.support.money import move, open_ticket
from tests.support.pipeline import Pipeline

ASL = Path(__file__).resolve().parents[3] / "infra" / "statemachines" / "approval.asl.json"


@pytest.fixture
def pipeline(aws, money):
    return Pipeline(aws)


def _execution_input(aws, ticket_id: str) -> dict:
    sfn = boto3.client("stepfunctions")
    arn = aws.state_machines["ApprovalStateMachine"].arn
    [execution] = [e for e in sfn.list_executions(stateMachineArn=arn)["executions"]
                   if e["name"].startswith(f"{ticket_id}-a")]
    return json.loads(sfn.describe_execution(executionArn=execution["executionArn"])["input"])


def test_the_state_machine_escalates_a_timed_out_review_to_a_supervisor_and_then_gives_up():
    """The wiring this test relies on: the review's timeout is the input's review_timeout_seconds and
    its States.Timeout goes to the supervisor task, whose own timeout ends the flow unanswered."""
    states = json.loads(ASL.read_text())["States"]
    review, escalate = states["HumanReview"], states["EscalateToSupervisor"]
    assert review["Resource"].endswith(".waitForTaskToken") and escalate["Resource"].endswith(".waitForTaskToken")
    assert review["TimeoutSecondsPath"] == "$.review_timeout_seconds"
    assert escalate["TimeoutSecondsPath"] == "$.escalation_timeout_seconds"
    assert [(c["ErrorEquals"], c["Next"]) for c in review["Catch"]] == [(["States.Timeout"], "EscalateToSupervisor")]
    assert [(c["ErrorEquals"], c["Next"]) for c in escalate["Catch"]] == [(["States.Timeout"], "Unanswered")]
    assert escalate["Parameters"]["Payload"]["action"] == "escalate" and escalate["Next"] == "ApplyDecision"


def test_a_review_nobody_answers_escalates_and_the_supervisor_decides(money, pipeline, api, demo):
    """GIVEN a ticket the policy sends to a single review, the execution started with the stack's
    timeouts WHEN the review times out (the flow calls `escalate` with a new task token)
    THEN the agent can no longer decide (403, supervisors only), a late resume of the old token is not
    used, the supervisor's approval resumes the flow with the NEW token, and the ticket is approved by
    the supervisor with the rule that routed it in the audit."""
    svc = money
    ticket = open_ticket(svc, quantity=2, order_quantity=2)  # 190.00 CNY: over the auto-approve limit
    move(svc, "acme", ticket.id, "pending_approval")
    pipeline.pump()
    started = _execution_input(aws=pipeline.model, ticket_id=ticket.id)
    assert started["review_timeout_seconds"] == int(
        pipeline.model.functions["MoneyEventsFunction"].environment["REVIEW_TIMEOUT_SECONDS"])

    task = load_handler("approval_task")

    def step(action: str, **payload):
        return task.lambda_handler({"action": action, "tenant_id": "acme", "ticket_id": ticket.id, **payload},
                                   FakeContext("approval"))

    decision = step("route")
    assert decision["route"] == "single_review"
    assert step("open_review", decision=decision, task_token="token-review") == {"review": "single_review"}
    # ... review_timeout_seconds pass: States.Timeout -> EscalateToSupervisor
    assert step("escalate", task_token="token-supervisor") == {"review": "supervisor"}

    url = f"/tickets/{ticket.id}/approval/decisions"
    agent = api.request("POST", url, {"verdict": "approve", "comment": "ok"}, demo["acme"]["agent"])
    assert agent.status == 403 and svc.workflows.calls == []
    shown = api.request("GET", f"/tickets/{ticket.id}/approval", headers=demo["acme"]["agent"])
    assert shown.status == 200 and shown.body["route"] == "supervisor"

    boss = api.request("POST", url, {"verdict": "approve", "comment": "escalated, fine"},
                       demo["acme"]["supervisor"])
    assert boss.status == 200 and boss.body["status"] == "approved"
    [(token, output)] = svc.workflows.calls
    assert token == "token-supervisor"

    applied = step("apply", decision=decision, outcome=output)
    assert applied["status"] == "approved"
    entry = svc.tickets.audit("acme", ticket.id, _staff())[-1]
    assert entry.event == "ticket.approved" and entry.actor_id == "supervisor-1"
    assert entry.actor_role == "supervisor" and entry.reason == "escalated, fine"
    assert entry.data["decisions"][0]["role"] == "supervisor" and entry.data["rule_id"] == decision["rule_id"]


def test_unanswered_after_escalation_leaves_the_ticket_pending_approval(money, pipeline):
    """GIVEN an escalated review WHEN the supervisor's timeout passes too (the flow fails as
    ApprovalUnanswered) THEN nothing changed the ticket: it is still pending approval for staff."""
    svc = money
    ticket = open_ticket(svc, quantity=2, order_quantity=2)
    move(svc, "acme", ticket.id, "pending_approval")
    task = load_handler("approval_task")
    decision = task.lambda_handler({"action": "route", "tenant_id": "acme", "ticket_id": ticket.id},
                                   FakeContext("approval"))
    task.lambda_handler({"action": "open_review", "tenant_id": "acme", "ticket_id": ticket.id,
                         "decision": decision, "task_token": "t1"}, FakeContext("approval"))
    task.lambda_handler({"action": "escalate", "tenant_id": "acme", "ticket_id": ticket.id, "task_token": "t2"},
                        FakeContext("approval"))
    assert svc.tickets.get("acme", ticket.id, _staff()).status == Status.PENDING_APPROVAL
    assert svc.approvals.review("acme", ticket.id).status == "pending"


def test_a_tenant_policy_overrides_the_review_and_escalation_timeouts(money, pipeline, api, demo):
    """GIVEN a tenant that publishes a policy with review_timeout_seconds=600 and
    escalation_timeout_seconds=3600 WHEN a ticket enters pending_approval THEN its approval execution
    starts with those timeouts; values under a minute are refused with a field path."""
    svc = money
    draft = api.request("GET", "/approval-policy/draft", headers=demo["acme"]["admin"])
    assert draft.status == 200, draft
    document = {k: v for k, v in draft.body["policy"].items()
                if k not in ("tenant_id", "version", "status")} if "policy" in draft.body else {
        k: v for k, v in draft.body.items() if k not in ("tenant_id", "version", "status", "revision")}
    too_short = api.request("PUT", "/approval-policy/draft", {**document, "review_timeout_seconds": 5},
                            demo["acme"]["admin"])
    assert too_short.status == 422, too_short
    saved = api.request("PUT", "/approval-policy/draft",
                        {**document, "review_timeout_seconds": 600, "escalation_timeout_seconds": 3600},
                        demo["acme"]["admin"])
    assert saved.status in (200, 201), saved
    published = api.request("POST", "/approval-policy/publish", {}, demo["acme"]["admin"])
    assert published.status in (200, 201), published

    ticket = open_ticket(svc)
    move(svc, "acme", ticket.id, "pending_approval")
    pipeline.pump()
    started = _execution_input(pipeline.model, ticket.id)
    assert (started["review_timeout_seconds"], started["escalation_timeout_seconds"]) == (600, 3600)

    other = open_ticket(svc, tenant="other", order_id="O-9")
    move(svc, "other", other.id, "pending_approval")
    pipeline.pump()
    assert _execution_input(pipeline.model, other.id)["review_timeout_seconds"] == 86_400  # the stack's


def _staff():
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role

    return Actor(id="s", roles=frozenset({Role.SUPERVISOR}))
