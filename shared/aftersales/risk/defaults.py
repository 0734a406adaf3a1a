"""Default weights and thresholds: a starting point tenants tune with the approvals simulator.

A device or address used by several accounts (scalper clusters) weighs most; bursts of tickets
and keep-item refunds on one account come next; a brand-new account adds a little.
"""

from __future__ import annotations

from aftersales.core.money import Money

from .scoring import AgeRule, AmountRule, CountMetric, CountRule, RiskConfig, ValuedCustomer
from .signals import Dimension

A, IP, DEV, ADDR = Dimension.ACCOUNT, Dimension.IP, Dimension.DEVICE, Dimension.ADDRESS


def _count(dimension: Dimension, metric: CountMetric, days: int, at_least: int, weight: int) -> CountRule:
    return CountRule(dimension=dimension, metric=metric, days=days, at_least=at_least, weight=weight)


DEFAULT_RISK_CONFIG = RiskConfig(
    count_rules=(
        _count(A, "tickets", 7, 3, 15), _count(A, "tickets", 30, 6, 20), _count(A, "tickets", 90, 12, 25),
        _count(A, "keep_item_tickets", 30, 2, 15), _count(A, "keep_item_tickets", 90, 4, 25),
        _count(IP, "tickets", 7, 5, 10), _count(IP, "distinct_accounts", 30, 3, 20),
        _count(IP, "distinct_accounts", 30, 6, 35),
        _count(DEV, "distinct_accounts", 30, 2, 25), _count(DEV, "distinct_accounts", 30, 4, 40),
        _count(ADDR, "tickets", 30, 8, 15), _count(ADDR, "distinct_accounts", 90, 3, 20),
        _count(ADDR, "distinct_accounts", 90, 5, 35),
    ),
    amount_rules=(
        AmountRule(dimension=A, days=30, at_least=Money(amount=500_000, currency="CNY"), weight=15),
        AmountRule(dimension=A, days=30, at_least=Money(amount=80_000, currency="USD"), weight=15),
    ),
    age_rules=(AgeRule(younger_than_days=7, weight=15), AgeRule(younger_than_days=30, weight=5)),
    high_return_rate_bp=5_000,
    min_orders_for_return_rate=3,
    high_return_rate_weight=20,
    valued_customer=ValuedCustomer(
        max_days_since_last_order=90, min_orders=10, weight=-15,
        min_order_value=(Money(amount=500_000, currency="CNY"), Money(amount=80_000, currency="USD"))),
    # from 15 a person reviews the ticket under the default approval policy (its automatic approval
    # takes risk 14 at most, approvals/defaults.py): the queue's "medium" band starts there
    elevated_threshold=15,
    abuse_threshold=70,
)
