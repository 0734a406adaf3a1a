"""score(snapshot, config): an explainable 0-100 risk score.

The score is the sum of the weights of the reasons that fire, clamped to 0..100. Reasons carry a
stable code (for i18n) and the numbers behind it; mitigating reasons have negative weights.

* Velocity rules compare one metric of one dimension over one window with a threshold. Several
  windows of the same metric usually see the same burst, so per (dimension, metric) only the
  heaviest firing rule counts. Code: "<dimension>_<metric>", e.g. "device_distinct_accounts".
* "new_account": the heaviest age rule whose limit the account is younger than.
* "high_return_rate": after-sales tickets per order over 365 days at or above the threshold, once
  the customer has enough orders for the rate to mean something.
* "valued_customer" (negative): recent, frequent, high-spending customers with a normal return
  rate - a loyal customer who returns a little is not a scalper.
* suspected_abuse when the score reaches `abuse_threshold`.
* band: "high" from `abuse_threshold` (suspected abuse), "medium" from `elevated_threshold` (the
  default approval policy's automatic-approval ceiling: from there a person looks at the ticket),
  else "low". The ticket keeps the band of its latest assessment (`RiskSummary`) for the queue.
A rule whose window or currency the snapshot lacks does not fire.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from aftersales.core.model import DomainModel
from aftersales.core.money import Money

from .signals import CustomerProfile, Dimension, SignalSnapshot, WindowCounts

CountMetric = Literal["tickets", "keep_item_tickets", "distinct_accounts"]


class _Frozen(DomainModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CountRule(_Frozen):
    dimension: Dimension
    metric: CountMetric
    days: int = Field(gt=0)
    at_least: int = Field(gt=0)
    weight: int = Field(ge=-100, le=100)


class AmountRule(_Frozen):
    """Refunded money over a window; applies only to snapshots in the threshold's currency."""

    dimension: Dimension
    days: int = Field(gt=0)
    at_least: Money
    weight: int = Field(ge=-100, le=100)


class AgeRule(_Frozen):
    younger_than_days: int = Field(gt=0)
    weight: int = Field(ge=0, le=100)


class ValuedCustomer(_Frozen):
    max_days_since_last_order: int = Field(ge=0)
    min_orders: int = Field(ge=1)
    min_order_value: tuple[Money, ...]  # per currency; a currency without one never qualifies
    weight: int = Field(le=0)


class RiskConfig(_Frozen):
    count_rules: tuple[CountRule, ...]
    amount_rules: tuple[AmountRule, ...]
    age_rules: tuple[AgeRule, ...]
    high_return_rate_bp: int = Field(gt=0)
    min_orders_for_return_rate: int = Field(ge=1)
    high_return_rate_weight: int = Field(ge=0, le=100)
    valued_customer: ValuedCustomer
    elevated_threshold: int = Field(ge=1, le=100)
    abuse_threshold: int = Field(ge=1, le=100)

    @model_validator(mode="after")
    def _ordered_bands(self) -> RiskConfig:
        if self.elevated_threshold > self.abuse_threshold:
            raise ValueError("elevated_threshold is greater than abuse_threshold")
        return self

    def band(self, score: int) -> RiskBand:
        if score >= self.abuse_threshold:
            return RiskBand.HIGH
        return RiskBand.MEDIUM if score >= self.elevated_threshold else RiskBand.LOW

    def windows(self) -> dict[Dimension, frozenset[int]]:
        """The windows (days) each dimension's counters must provide to this config."""
        needed: dict[Dimension, set[int]] = {}
        for rule in (*self.count_rules, *self.amount_rules):
            needed.setdefault(rule.dimension, set()).add(rule.days)
        return {dimension: frozenset(days) for dimension, days in needed.items()}


class RiskBand(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Reason(_Frozen):
    code: str
    weight: int
    detail: dict[str, int | str]


class RiskSummary(_Frozen):
    """What a ticket keeps of its latest assessment: enough to filter and badge a queue row."""

    score: int = Field(ge=0, le=100)
    band: RiskBand
    flags: tuple[str, ...] = Field(default=(), description="Codes of the reasons that raised the score, sorted")
    assessed_at: str

    def same_result(self, other: RiskSummary | None) -> bool:
        """The same score, band and flags, whenever assessed."""
        return other is not None and (self.score, self.band, self.flags) == (other.score, other.band, other.flags)


class RiskAssessment(_Frozen):
    score: int = Field(ge=0, le=100)
    band: RiskBand
    reasons: tuple[Reason, ...]
    suspected_abuse: bool

    @property
    def flags(self) -> frozenset[str]:
        """Codes of the reasons that raised the score (what approval rules can match on)."""
        return frozenset(r.code for r in self.reasons if r.weight > 0)

    def summary(self, assessed_at: str) -> RiskSummary:
        return RiskSummary(score=self.score, band=self.band, flags=tuple(sorted(self.flags)), assessed_at=assessed_at)


def score(snapshot: SignalSnapshot, config: RiskConfig) -> RiskAssessment:
    reasons = [*_velocity_reasons(snapshot, config), *_profile_reasons(snapshot.profile, config)]
    total = max(0, min(100, sum(r.weight for r in reasons)))
    return RiskAssessment(score=total, band=config.band(total), reasons=tuple(reasons),
                          suspected_abuse=total >= config.abuse_threshold)


def _velocity_reasons(snapshot: SignalSnapshot, config: RiskConfig) -> list[Reason]:
    heaviest: dict[str, Reason] = {}
    for rule in config.count_rules:
        window = _window(snapshot, rule.dimension, rule.days)
        observed = getattr(window, rule.metric) if window else 0
        if window and observed >= rule.at_least:
            _keep_heaviest(heaviest, Reason(code=f"{rule.dimension}_{rule.metric}", weight=rule.weight,
                                            detail={"days": rule.days, "observed": observed,
                                                    "threshold": rule.at_least}))
    for amount_rule in config.amount_rules:
        window = _window(snapshot, amount_rule.dimension, amount_rule.days)
        threshold = amount_rule.at_least
        if (window and threshold.currency == snapshot.currency
                and window.refunded.amount >= threshold.amount):
            _keep_heaviest(heaviest, Reason(
                code=f"{amount_rule.dimension}_refunded", weight=amount_rule.weight,
                detail={"days": amount_rule.days, "observed": window.refunded.amount,
                        "threshold": threshold.amount, "currency": threshold.currency}))
    return list(heaviest.values())


def _profile_reasons(profile: CustomerProfile, config: RiskConfig) -> list[Reason]:
    reasons = []
    young = [r for r in config.age_rules if profile.account_age_days < r.younger_than_days]
    if young:
        rule = max(young, key=lambda r: r.weight)
        reasons.append(Reason(code="new_account", weight=rule.weight,
                              detail={"age_days": profile.account_age_days,
                                      "threshold": rule.younger_than_days}))
    rate = profile.return_rate_bp
    rate_is_high = (profile.orders_365d >= config.min_orders_for_return_rate
                    and rate >= config.high_return_rate_bp)
    if rate_is_high:
        reasons.append(Reason(code="high_return_rate", weight=config.high_return_rate_weight,
                              detail={"return_rate_bp": rate, "threshold_bp": config.high_return_rate_bp,
                                      "orders": profile.orders_365d}))
    elif _is_valued(profile, config.valued_customer):
        reasons.append(Reason(code="valued_customer", weight=config.valued_customer.weight,
                              detail={"orders": profile.orders_365d, "return_rate_bp": rate,
                                      "order_value": profile.order_value_365d.amount,
                                      "currency": profile.order_value_365d.currency}))
    return reasons


def _is_valued(profile: CustomerProfile, valued: ValuedCustomer) -> bool:
    value = profile.order_value_365d
    minimum = next((m for m in valued.min_order_value if m.currency == value.currency), None)
    return (minimum is not None and value.amount >= minimum.amount
            and profile.orders_365d >= valued.min_orders
            and profile.days_since_last_order is not None
            and profile.days_since_last_order <= valued.max_days_since_last_order)


def _window(snapshot: SignalSnapshot, dimension: Dimension, days: int) -> WindowCounts | None:
    signals = snapshot.signals(dimension)
    return signals.window(days) if signals else None


def _keep_heaviest(heaviest: dict[str, Reason], reason: Reason) -> None:
    current = heaviest.get(reason.code)
    if current is None or reason.weight > current.weight:
        heaviest[reason.code] = reason
