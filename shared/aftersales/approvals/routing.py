"""route(policy, facts): which approval path a ticket takes, and why.

Suspected abuse always goes to a human: when the risk assessment says `suspected_abuse`, an
auto_approve outcome (from a rule or the default) is upgraded to the policy's `abuse_route`
(single review unless the policy says dual) and the decision records the upgrade.
"""

from __future__ import annotations

from pydantic import ConfigDict

from aftersales.core.model import DomainModel

from .facts import TicketFacts
from .policy import ApprovalPolicy, Route, Rule


class RoutingReason(DomainModel):
    """A stable code (for i18n) plus the values it talks about."""

    model_config = ConfigDict(frozen=True)

    code: str
    detail: dict[str, str | int] = {}


class RoutingDecision(DomainModel):
    model_config = ConfigDict(frozen=True)

    route: Route
    rule_id: str | None  # None: the policy's default route applied
    reasons: tuple[RoutingReason, ...]
    requires_finance: bool
    policy_version: int


class RuleEvaluation(DomainModel):
    """Dry-run trace of one rule: which of its conditions failed (empty = matched)."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    failed_conditions: tuple[str, ...]

    @property
    def matched(self) -> bool:
        return not self.failed_conditions


def first_match(policy: ApprovalPolicy, facts: TicketFacts) -> Rule | None:
    return next((rule for rule in policy.rules if next(rule.when.failures(facts), None) is None), None)


def route(policy: ApprovalPolicy, facts: TicketFacts) -> RoutingDecision:
    rule = first_match(policy, facts)
    if rule is None:
        chosen = policy.default_route
        reasons = [RoutingReason(code="default_route")]
    else:
        chosen = rule.route
        reasons = [RoutingReason(code="rule_matched", detail={"rule_id": rule.id})]
    if facts.risk.suspected_abuse and chosen is Route.AUTO_APPROVE:
        chosen = policy.abuse_route
        reasons.append(RoutingReason(code="suspected_abuse_needs_human",
                                     detail={"risk_score": facts.risk.score, "upgraded_to": chosen.value}))
    requires_finance = chosen is Route.DUAL_REVIEW and _above_finance_threshold(policy, facts)
    if requires_finance:
        amount = facts.amount
        reasons.append(RoutingReason(code="finance_approval_required",
                                     detail={"amount": amount.amount, "currency": amount.currency}))
    return RoutingDecision(route=chosen, rule_id=rule.id if rule else None, reasons=tuple(reasons),
                           requires_finance=requires_finance, policy_version=policy.version)


def explain(policy: ApprovalPolicy, facts: TicketFacts) -> tuple[RuleEvaluation, ...]:
    """Dry run: every rule's verdict for these facts, in policy order (for the policy editor)."""
    return tuple(RuleEvaluation(rule_id=rule.id, failed_conditions=tuple(rule.when.failures(facts)))
                 for rule in policy.rules)


def _above_finance_threshold(policy: ApprovalPolicy, facts: TicketFacts) -> bool:
    threshold = policy.finance_threshold(facts.amount.currency)
    return threshold is None or facts.amount.amount > threshold.amount
