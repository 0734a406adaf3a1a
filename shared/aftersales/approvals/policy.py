"""A tenant's approval policy: an ordered list of rules, validated and versioned.

Matching semantics
------------------
* Rules are evaluated in list order; the FIRST rule whose conditions all hold decides the route.
  When no rule matches, the mandatory `default_route` applies.
* Every condition is optional; the conditions present on a rule are ANDed. A rule without any
  condition is a catch-all.
* Ranges are inclusive on both ends (`min <= value <= max`); a missing end is open.
* Amount conditions are in one currency. A rule whose amount condition is in another currency
  than the ticket's does not match (no conversion happens in routing).
* Set conditions (ticket types, channels, tiers) match when the ticket's value is in the set.
  Product types/categories match when ANY line of the ticket is in the set. Risk flags match when
  the assessment carries ANY of the listed flags.
* A history condition names a window in days; it does not match when the facts lack that window
  (the service fetches `ApprovalPolicy.history_windows()`).

Validation rejects duplicate rule ids, min > max, empty sets and unreachable rules: a rule is
unreachable when an earlier rule matches everything it matches (a catch-all is the extreme case).
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from aftersales.core.errors import Conflict
from aftersales.core.model import DomainModel
from aftersales.core.money import Money

from .facts import Label, TicketFacts, TicketType


class Route(StrEnum):
    AUTO_APPROVE = "auto_approve"
    SINGLE_REVIEW = "single_review"
    DUAL_REVIEW = "dual_review"
    SUPERVISOR = "supervisor"
    BLOCK = "block"


class _Frozen(DomainModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AmountRange(_Frozen):
    min: Money | None = None
    max: Money | None = None

    @model_validator(mode="after")
    def _consistent(self) -> AmountRange:
        if self.min is None and self.max is None:
            raise ValueError("an amount range needs min or max")
        if self.min is not None and self.max is not None:
            if self.min.currency != self.max.currency:
                raise ValueError("amount min and max must share one currency")
            if self.min.amount > self.max.amount:
                raise ValueError("amount min is greater than max")
        return self

    @property
    def currency(self) -> str:
        bound = self.min or self.max
        assert bound is not None  # guaranteed by the validator
        return bound.currency

    def _low(self) -> int:
        return self.min.amount if self.min else 0

    def _high(self) -> float:
        return self.max.amount if self.max else float("inf")

    def matches(self, amount: Money) -> bool:
        return amount.currency == self.currency and self._low() <= amount.amount <= self._high()

    def covers(self, other: AmountRange) -> bool:
        return (self.currency == other.currency and self._low() <= other._low()
                and other._high() <= self._high())


class IntRange(_Frozen):
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> IntRange:
        if self.min is None and self.max is None:
            raise ValueError("a range needs min or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is greater than max")
        return self

    def _low(self) -> int:
        return self.min if self.min is not None else 0

    def _high(self) -> float:
        return self.max if self.max is not None else float("inf")

    def matches(self, value: int) -> bool:
        return self._low() <= value <= self._high()

    def covers(self, other: IntRange) -> bool:
        return self._low() <= other._low() and other._high() <= self._high()


class HistoryCondition(_Frozen):
    """The customer's after-sales tickets within the last `window_days` days."""

    window_days: int = Field(gt=0, le=3650)
    count: IntRange | None = None
    amount: AmountRange | None = None

    @model_validator(mode="after")
    def _has_bound(self) -> HistoryCondition:
        if self.count is None and self.amount is None:
            raise ValueError("a history condition needs a count or an amount range")
        return self

    def matches(self, facts: TicketFacts) -> bool:
        window = facts.history_for(self.window_days)
        if window is None:
            return False
        return ((self.count is None or self.count.matches(window.count))
                and (self.amount is None or self.amount.matches(window.amount)))

    def covers(self, other: HistoryCondition) -> bool:
        return (self.window_days == other.window_days and _covers(self.count, other.count)
                and _covers(self.amount, other.amount))


class Conditions(_Frozen):
    amount: AmountRange | None = None
    ticket_types: frozenset[TicketType] | None = Field(default=None, min_length=1)
    channels: frozenset[Label] | None = Field(default=None, min_length=1)
    customer_tiers: frozenset[Label] | None = Field(default=None, min_length=1)
    history: HistoryCondition | None = None
    product_types: frozenset[Label] | None = Field(default=None, min_length=1)
    product_categories: frozenset[Label] | None = Field(default=None, min_length=1)
    risk_score: IntRange | None = None
    risk_flags: frozenset[Label] | None = Field(default=None, min_length=1)

    def failures(self, facts: TicketFacts) -> Iterator[str]:
        """Names of the conditions that do not hold, lazily (routing stops at the first)."""
        if self.amount is not None and not self.amount.matches(facts.amount):
            yield "amount"
        if self.ticket_types is not None and facts.ticket_type not in self.ticket_types:
            yield "ticket_types"
        if self.channels is not None and facts.channel not in self.channels:
            yield "channels"
        if self.customer_tiers is not None and facts.customer_tier not in self.customer_tiers:
            yield "customer_tiers"
        if self.history is not None and not self.history.matches(facts):
            yield "history"
        if self.product_types is not None and not any(
                line.product_type in self.product_types for line in facts.lines):
            yield "product_types"
        if self.product_categories is not None and not any(
                line.category in self.product_categories for line in facts.lines):
            yield "product_categories"
        if self.risk_score is not None and not self.risk_score.matches(facts.risk.score):
            yield "risk_score"
        if self.risk_flags is not None and self.risk_flags.isdisjoint(facts.risk.flags):
            yield "risk_flags"

    def covers(self, other: Conditions) -> bool:
        """True when every ticket matching `other` also matches these conditions."""
        return all(_covers(getattr(self, name), getattr(other, name)) for name in Conditions.model_fields)


def _covers(mine: object, theirs: object) -> bool:
    if mine is None:
        return True
    if theirs is None:
        return False
    if isinstance(mine, frozenset):
        return mine >= theirs  # type: ignore[operator]
    return mine.covers(theirs)  # type: ignore[attr-defined]


class Rule(_Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    description: str = ""
    when: Conditions = Conditions()
    route: Route


class ApprovalPolicy(_Frozen):
    tenant_id: str = Field(min_length=1)
    version: int = Field(ge=1)
    status: Literal["draft", "published"] = "draft"
    rules: tuple[Rule, ...] = ()
    default_route: Route
    finance_thresholds: tuple[Money, ...] = Field(
        default=(),
        description="Per currency: a dual review above this amount needs a finance approver. "
                    "A currency without a threshold always needs one.")
    abuse_route: Literal[Route.SINGLE_REVIEW, Route.DUAL_REVIEW] = Route.SINGLE_REVIEW
    review_timeout_seconds: int | None = Field(
        default=None, ge=60, le=30 * 86_400,
        description="How long a human review waits before it escalates to a supervisor "
                    "(default: the stack's ReviewTimeoutSeconds)")
    escalation_timeout_seconds: int | None = Field(
        default=None, ge=60, le=30 * 86_400,
        description="How long the supervisor review waits before the flow gives up "
                    "(default: the stack's EscalationTimeoutSeconds)")

    @model_validator(mode="after")
    def _well_formed(self) -> ApprovalPolicy:
        _reject_duplicate_ids(self.rules)
        _reject_unreachable(self.rules)
        currencies = [threshold.currency for threshold in self.finance_thresholds]
        if len(currencies) != len(set(currencies)):
            raise ValueError("finance_thresholds: one threshold per currency")
        return self

    def finance_threshold(self, currency: str) -> Money | None:
        return next((m for m in self.finance_thresholds if m.currency == currency), None)

    def history_windows(self) -> frozenset[int]:
        """The history windows (days) the facts must carry for this policy."""
        return frozenset(r.when.history.window_days for r in self.rules if r.when.history is not None)

    def publish(self) -> ApprovalPolicy:
        if self.status == "published":
            raise Conflict("approvals.policy_already_published", tenant_id=self.tenant_id,
                           version=self.version)
        return self.model_copy(update={"status": "published"})


def _reject_duplicate_ids(rules: tuple[Rule, ...]) -> None:
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise ValueError(f"duplicate rule id {rule.id!r}")
        seen.add(rule.id)


def _reject_unreachable(rules: tuple[Rule, ...]) -> None:
    for position, rule in enumerate(rules):
        for earlier in rules[:position]:
            if earlier.when.covers(rule.when):
                raise ValueError(f"rule {rule.id!r} is unreachable: earlier rule {earlier.id!r} "
                                 "matches every ticket it matches")
