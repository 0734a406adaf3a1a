"""Approvals through the API under moto: review decisions (single, dual, batch, the 409 race),
and the draft policy (edit, dry run, simulate, publish). The Step Functions resume is faked."""

from __future__ import annotations

from aftersales.approvals.policy import Route
from aftersales.approvals.routing import RoutingDecision
from tests.support.money import move, open_ticket


def _review(svc, ticket_id: str, route: Route = Route.SINGLE_REVIEW, finance: bool = False):
    decision = RoutingDecision(route=route, rule_id="r1", reasons=(), requires_finance=finance, policy_version=1)
    return svc.approvals.open_review("acme", ticket_id, decision, f"token-{ticket_id}")


def _pending(svc, **kwargs):
    ticket = open_ticket(svc, **kwargs)
    move(svc, "acme", ticket.id, "pending_approval")
    return ticket


def test_two_approvers_at_once_one_wins_the_other_gets_409(money, api, demo):
    """GIVEN a single review WHEN the supervisor's decision lands while the agent's is in flight
    THEN the agent gets 409, the supervisor's approval resumes the flow exactly once."""
    svc = money
    ticket = _pending(svc)
    _review(svc, ticket.id)
    reviews = svc.money_tables.reviews
    original = reviews.save
    raced = {}

    def save_after_a_rival(state, expected, generation=None):
        if not raced:
            raced["reply"] = None
            raced["reply"] = api.request("POST", f"/tickets/{ticket.id}/approval/decisions",
                                         {"verdict": "approve", "comment": "ok"}, demo["acme"]["supervisor"])
        return original(state, expected, generation)

    reviews.save = save_after_a_rival
    try:
        loser = api.request("POST", f"/tickets/{ticket.id}/approval/decisions",
                            {"verdict": "approve", "comment": "me too"}, demo["acme"]["agent"])
    finally:
        reviews.save = original
    assert raced["reply"].status == 200 and raced["reply"].body["status"] == "approved"
    assert loser.status == 409
    assert len(svc.workflows.calls) == 1
    token, output = svc.workflows.calls[0]
    assert token == f"token-{ticket.id}" and output["review"]["decisions"][0]["approver_id"] == "supervisor-1"


def test_dual_review_needs_finance_second_and_the_decision_reaches_the_audit(money, api, demo):
    svc = money
    ticket = _pending(svc)
    _review(svc, ticket.id, Route.DUAL_REVIEW, finance=True)
    url = f"/tickets/{ticket.id}/approval/decisions"
    first = api.request("POST", url, {"verdict": "approve"}, demo["acme"]["agent"])
    assert first.status == 200 and first.body["status"] == "pending"
    assert first.body["eligible_roles"]["approve"] == ["finance"]
    same = api.request("POST", url, {"verdict": "approve"}, demo["acme"]["agent"])
    assert same.status == 403
    second = api.request("POST", url, {"verdict": "approve", "comment": "fin ok"}, demo["acme"]["finance"])
    assert second.body["status"] == "approved"
    _token, outcome = svc.workflows.calls[-1]
    applied = svc.approvals.apply_outcome("acme", ticket.id, outcome)
    assert applied.status.value == "approved"
    audit = api.request("GET", f"/tickets/{ticket.id}/audit", headers=demo["acme"]["agent"]).body["entries"][-1]
    assert audit["actor_id"] == "finance-1" and audit["actor_role"] == "finance"
    assert [d["approver_id"] for d in audit["data"]["decisions"]] == ["agent-1", "finance-1"]
    assert audit["data"]["rule_id"] == "r1"


def test_batch_reject_needs_a_comment_and_reports_per_item(money, api, demo):
    svc = money
    a, b = _pending(svc, order_id="O-1"), _pending(svc, order_id="O-2")
    _review(svc, a.id)
    no_comment = api.request("POST", "/approvals/decisions", {"ticket_ids": [a.id, b.id], "verdict": "reject"},
                             demo["acme"]["supervisor"])
    assert no_comment.status == 200 and no_comment.body["failed"] == 2
    reply = api.request("POST", "/approvals/decisions",
                        {"ticket_ids": [a.id, b.id], "verdict": "reject", "comment": "duplicate request"},
                        demo["acme"]["supervisor"])
    assert [r["ok"] for r in reply.body["results"]] == [True, False]
    assert reply.body["results"][1]["error"]["code"] == "not_found"


def test_draft_policy_edit_dry_run_simulate_publish(money, api, demo):
    """GIVEN a draft that auto-approves everything under 200.00 CNY WHEN dry-run and simulated
    THEN the ticket's path and rule are shown, the simulator counts the newest tickets, and
    publishing makes it the policy routing uses."""
    svc = money
    tickets = [_pending(svc, order_id=f"O-{i}") for i in range(3)]
    sup = demo["acme"]["supervisor"]
    draft = {"default_route": "single_review",
             "rules": [{"id": "auto-under-200", "route": "auto_approve",
                        "when": {"amount": {"max": {"amount": 20000, "currency": "CNY"}}}}]}
    put = api.request("PUT", "/approval-policy/draft", draft, sup)
    assert put.status == 200 and put.body["policy"]["status"] == "draft" and put.body["revision"] == 1
    bad = api.request("PUT", "/approval-policy/draft",
                      {**draft, "rules": draft["rules"] * 2}, {**sup, "If-Match": '"1"'})
    assert bad.status == 422 and bad.body["error"]["fields"]
    stale = api.request("PUT", "/approval-policy/draft", draft, {**sup, "If-Match": '"7"'})
    assert stale.status == 409
    dry = api.request("POST", "/approval-policy/draft/dry-run", {"ticket_id": tickets[0].id}, sup)
    assert dry.status == 200 and dry.body["decision"]["route"] == "auto_approve"
    assert dry.body["decision"]["rule_id"] == "auto-under-200" and dry.body["rules"][0]["matched"]
    sim = api.request("POST", "/approval-policy/draft/simulations", {"last": 10}, sup)
    assert sim.status == 200 and sim.body["total"] == 3 and sim.body["by_route"]["auto_approve"] == 3
    assert sim.body["auto_approved"]["CNY"] == {"amount": 28500, "currency": "CNY"}
    assert api.request("POST", "/approval-policy/publish", None, sup).status == 200
    assert svc.approvals.route("acme", tickets[0].id).rule_id == "auto-under-200"
    assert api.request("GET", "/approval-policy/draft", headers=demo["acme"]["agent"]).status == 403


def test_risk_score_and_refund_status_are_readable(money, api, demo):
    svc = money
    ticket = _pending(svc)
    risk = api.request("GET", f"/tickets/{ticket.id}/risk", headers=demo["acme"]["agent"])
    assert risk.status == 200 and 0 <= risk.body["score"] <= 100 and "reasons" in risk.body
    refund = api.request("GET", f"/tickets/{ticket.id}/refund", headers=demo["acme"]["cust-1"])
    assert refund.status == 200 and refund.body == {"ticket_id": ticket.id, "requested_destination": None,
                                                    "grants": []}
