"""The policy a tenant starts with until it publishes its own.

Small CNY/USD tickets (< 100.00) from low-risk customers with little recent after-sales history
pass automatically (risk under 15: a week-old account alone, or a device / IP / address shared with
another account, already sends the ticket to a person); keep-item refunds of some size need a
supervisor; tickets over 2000.00 need two approvers (finance above 10000.00 CNY / 1500.00 USD);
risk score >= 90 is blocked. Everything else gets one reviewer.
"""

from __future__ import annotations

from typing import Any

from aftersales.core.drafts import DraftKind

from .policy import ApprovalPolicy


def _money(minor: int, currency: str) -> dict[str, Any]:
    return {"amount": minor, "currency": currency}


def _rules_for(currency: str, keep_item_supervisor_from: int) -> list[dict[str, Any]]:
    code = currency.lower()
    return [
        {"id": f"dual-review-large-{code}", "route": "dual_review",
         "description": f"More than 2000.00 {currency}: two approvers",
         "when": {"amount": {"min": _money(200_001, currency)}}},
        {"id": f"supervisor-keep-item-{code}", "route": "supervisor",
         "description": f"Refund without return from {keep_item_supervisor_from // 100}.00 {currency}",
         "when": {"ticket_types": ["refund_only"],
                  "amount": {"min": _money(keep_item_supervisor_from, currency)}}},
        {"id": f"auto-small-{code}", "route": "auto_approve",
         "description": f"Under 100.00 {currency}, low risk, at most 2 after-sales tickets in 30 days",
         "when": {"amount": {"max": _money(9_999, currency)},
                  "risk_score": {"max": 14},
                  "history": {"window_days": 30, "count": {"max": 2}}}},
    ]


DEFAULT_POLICY_DOCUMENT: dict[str, Any] = {
    "version": 1,
    "status": "published",
    "default_route": "single_review",
    "abuse_route": "single_review",
    "finance_thresholds": [_money(1_000_000, "CNY"), _money(150_000, "USD")],
    "rules": [
        {"id": "block-high-risk", "route": "block", "description": "Risk score 90 or more",
         "when": {"risk_score": {"min": 90}}},
        *_rules_for("CNY", keep_item_supervisor_from=50_000),
        *_rules_for("USD", keep_item_supervisor_from=10_000),
    ],
}


def default_policy(tenant_id: str) -> ApprovalPolicy:
    return ApprovalPolicy.model_validate({**DEFAULT_POLICY_DOCUMENT, "tenant_id": tenant_id})


POLICY = DraftKind(ApprovalPolicy, default_policy, key="POLICY", context="approvals", noun="policy")
