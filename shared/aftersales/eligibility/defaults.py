"""The intake rules a tenant starts with until it publishes its own.

Returns and exchanges within 30 days of delivery, repairs within a year; refund-only and
shipping-fee refunds within 30 days of delivery (or before it). Damage claims need photos (the
ticket's ready evidence media); without any they stay for an agent. An out-of-window or final-sale request is
refused with the reason; an ineligible repair goes to an agent. Another open request or an earlier
refund on the same line goes to an agent.
"""

from __future__ import annotations

from typing import Any

from aftersales.core.drafts import DraftKind

from .rules import IntakeRules

EVIDENCE_REASONS = ["damaged", "defective"]

DEFAULT_RULES_DOCUMENT: dict[str, Any] = {
    "version": 1,
    "status": "published",
    "rules": [
        {"id": "returns", "description": "Returns and exchanges: 30 days from delivery",
         "when": {"ticket_types": ["return_refund", "exchange"]},
         "return_window_days": 30, "evidence_reasons": EVIDENCE_REASONS},
        {"id": "repairs", "description": "Repairs: a year from delivery; an ineligible repair goes to an agent",
         "when": {"ticket_types": ["repair"]},
         "return_window_days": 365, "when_ineligible": "agent", "evidence_reasons": EVIDENCE_REASONS},
        {"id": "refunds", "description": "Refund only and shipping fee: 30 days from delivery",
         "return_window_days": 30, "evidence_reasons": EVIDENCE_REASONS},
    ],
}


def default_rules(tenant_id: str) -> IntakeRules:
    return IntakeRules.model_validate({**DEFAULT_RULES_DOCUMENT, "tenant_id": tenant_id})


RULES = DraftKind(IntakeRules, default_rules, key="INTAKE_RULES", context="eligibility", noun="rules")
