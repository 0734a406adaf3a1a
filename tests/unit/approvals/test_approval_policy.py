from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from aftersales.approvals.defaults import DEFAULT_POLICY_DOCUMENT, default_policy
from aftersales.approvals.policy import ApprovalPolicy, Route
from aftersales.core.errors import Conflict


def policy(rules: list[dict], **extra) -> ApprovalPolicy:
    return ApprovalPolicy.model_validate(
        {"tenant_id": "t1", "version": 1, "default_route": "single_review", "rules": rules, **extra})


def cny(minor: int) -> dict:
    return {"amount": minor, "currency": "CNY"}


def test_policy_loads_from_a_json_document():
    """GIVEN a policy as JSON text WHEN it is validated THEN rules keep their order and types."""
    text = json.dumps({"tenant_id": "t1", "version": 3, "default_route": "supervisor", "rules": [
        {"id": "small", "when": {"amount": {"max": cny(100)}, "channels": ["web"]}, "route": "auto_approve"},
        {"id": "vip", "when": {"customer_tiers": ["gold"]}, "route": "single_review"},
    ]})
    loaded = ApprovalPolicy.model_validate_json(text)
    assert [r.id for r in loaded.rules] == ["small", "vip"]
    assert loaded.rules[0].route is Route.AUTO_APPROVE
    assert loaded.status == "draft"


def test_default_policy_is_valid_and_published():
    """GIVEN the shipped default WHEN built for a tenant THEN it validates and is published."""
    shipped = default_policy("tenant-a")
    assert shipped.tenant_id == "tenant-a"
    assert shipped.status == "published"
    assert len(shipped.rules) == len(DEFAULT_POLICY_DOCUMENT["rules"])
    assert shipped.history_windows() == frozenset({30})


def test_duplicate_rule_ids_are_rejected():
    """GIVEN two rules with one id WHEN validated THEN the policy is rejected."""
    with pytest.raises(ValidationError, match="duplicate rule id 'a'"):
        policy([{"id": "a", "when": {"channels": ["web"]}, "route": "block"},
                {"id": "a", "when": {"channels": ["app"]}, "route": "block"}])


def test_rule_after_a_catch_all_is_unreachable():
    """GIVEN a rule without conditions WHEN another rule follows it THEN validation rejects it."""
    with pytest.raises(ValidationError, match="'later' is unreachable: earlier rule 'all'"):
        policy([{"id": "all", "route": "single_review"},
                {"id": "later", "when": {"channels": ["web"]}, "route": "block"}])


def test_rule_shadowed_by_a_wider_earlier_rule_is_unreachable():
    """GIVEN an earlier rule whose ranges and sets contain a later one's WHEN validated THEN rejected."""
    with pytest.raises(ValidationError, match="unreachable"):
        policy([{"id": "wide", "when": {"amount": {"max": cny(10_000)}, "channels": ["web", "app"]},
                 "route": "auto_approve"},
                {"id": "narrow", "when": {"amount": {"min": cny(100), "max": cny(500)}, "channels": ["web"]},
                 "route": "block"}])


def test_narrower_rule_first_then_wider_is_fine():
    """GIVEN a narrow rule before a wider one WHEN validated THEN both stay (the wide one still catches)."""
    loaded = policy([{"id": "narrow", "when": {"amount": {"max": cny(500)}, "channels": ["web"]},
                      "route": "auto_approve"},
                     {"id": "wide", "when": {"amount": {"max": cny(10_000)}}, "route": "single_review"}])
    assert len(loaded.rules) == 2


def test_same_range_in_another_currency_is_not_shadowed():
    """GIVEN equal amount ranges in CNY then USD WHEN validated THEN the USD rule is reachable."""
    loaded = policy([{"id": "cny", "when": {"amount": {"max": cny(100)}}, "route": "auto_approve"},
                     {"id": "usd", "when": {"amount": {"max": {"amount": 100, "currency": "USD"}}},
                      "route": "auto_approve"}])
    assert [r.id for r in loaded.rules] == ["cny", "usd"]


@pytest.mark.parametrize("when, message", [
    ({"amount": {"min": cny(500), "max": cny(100)}}, "amount min is greater than max"),
    ({"risk_score": {"min": 80, "max": 20}}, "min is greater than max"),
    ({"history": {"window_days": 30, "count": {"min": 5, "max": 1}}}, "min is greater than max"),
    ({"amount": {"min": cny(1), "max": {"amount": 5, "currency": "USD"}}}, "share one currency"),
    ({"amount": {"min": cny(-1)}}, "greater than or equal to 0"),
    ({"risk_score": {"min": -1}}, "greater than or equal to 0"),
    ({"channels": []}, "at least 1 item"),
    ({"history": {"window_days": 30}}, "needs a count or an amount"),
    ({"amount": {"min": {"amount": 1.5, "currency": "CNY"}}}, "valid integer"),
], ids=["amount-min>max", "score-min>max", "history-min>max", "mixed-currency", "negative-amount",
        "negative-score", "empty-set", "empty-history", "fractional-minor"])
def test_invalid_conditions_are_rejected(when, message):
    """GIVEN a malformed condition WHEN the policy is validated THEN the error names the problem."""
    with pytest.raises(ValidationError, match=message):
        policy([{"id": "r", "when": when, "route": "block"}])


def test_default_route_is_mandatory():
    """GIVEN a policy without default_route WHEN validated THEN it is rejected."""
    with pytest.raises(ValidationError, match="default_route"):
        ApprovalPolicy.model_validate({"tenant_id": "t1", "version": 1, "rules": []})


def test_one_finance_threshold_per_currency():
    """GIVEN two CNY finance thresholds WHEN validated THEN rejected."""
    with pytest.raises(ValidationError, match="one threshold per currency"):
        policy([], finance_thresholds=[cny(1), cny(2)])


def test_abuse_route_is_single_or_dual_review_only():
    """GIVEN abuse_route auto_approve WHEN validated THEN rejected: abuse must reach a human."""
    with pytest.raises(ValidationError, match="abuse_route"):
        policy([], abuse_route="auto_approve")


def test_publish_a_draft_once():
    """GIVEN a draft WHEN published THEN status is published; publishing again is a Conflict."""
    published = policy([]).publish()
    assert published.status == "published"
    with pytest.raises(Conflict):
        published.publish()
