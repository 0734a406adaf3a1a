from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from aftersales.core.money import Money
from aftersales.risk.counters import CounterEvent, CounterState, apply
from aftersales.risk.defaults import DEFAULT_RISK_CONFIG
from aftersales.risk.scoring import score
from aftersales.risk.signals import (
    CustomerProfile,
    Dimension,
    DimensionSignals,
    SignalSnapshot,
    WindowCounts,
    dimension_signals,
)

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def cny(minor: int) -> Money:
    return Money(amount=minor, currency="CNY")


def window(days: int, tickets: int = 0, keep: int = 0, accounts: int = 1, refunded: int = 0) -> WindowCounts:
    return WindowCounts(days=days, tickets=tickets, keep_item_tickets=keep, distinct_accounts=accounts,
                        refunded=cny(refunded))


def profile(age: int = 400, orders: int = 5, value: int = 100_000, after_sales: int = 1,
            last_order: int | None = 20) -> CustomerProfile:
    return CustomerProfile(account_age_days=age, orders_365d=orders, order_value_365d=cny(value),
                           after_sales_365d=after_sales, days_since_last_order=last_order)


def snapshot(*dimensions: DimensionSignals, prof: CustomerProfile | None = None) -> SignalSnapshot:
    return SignalSnapshot(tenant_id="t1", account_id="acc1", as_of=NOW, currency="CNY",
                          profile=prof or profile(), dimensions=dimensions)


def dim(dimension: Dimension, *windows: WindowCounts) -> DimensionSignals:
    return DimensionSignals(dimension=dimension, windows=windows)


def test_quiet_established_customer_scores_zero():
    """GIVEN an old account with little activity WHEN scored THEN 0, no reasons, no abuse."""
    quiet = dim(Dimension.ACCOUNT, window(7), window(30), window(90))
    assessment = score(snapshot(quiet), DEFAULT_RISK_CONFIG)
    assert (assessment.score, assessment.reasons, assessment.suspected_abuse) == (0, (), False)


def test_device_shared_by_many_accounts_is_explained():
    """GIVEN one device used by 4 accounts in 30 days WHEN scored THEN the heavier cluster rule alone
    counts."""
    assessment = score(snapshot(dim(Dimension.DEVICE, window(30, accounts=4))), DEFAULT_RISK_CONFIG)
    (reason,) = assessment.reasons
    assert (reason.code, reason.weight) == ("device_distinct_accounts", 40)
    assert reason.detail == {"days": 30, "observed": 4, "threshold": 4}
    assert assessment.score == 40
    assert assessment.flags == {"device_distinct_accounts"}


def test_same_burst_in_several_windows_counts_once():
    """GIVEN an account over the 7-, 30- and 90-day ticket thresholds WHEN scored THEN only the heaviest
    counts."""
    burst = dim(Dimension.ACCOUNT, window(7, tickets=12), window(30, tickets=12), window(90, tickets=12))
    reasons = score(snapshot(burst), DEFAULT_RISK_CONFIG).reasons
    assert [(r.code, r.weight, r.detail["days"]) for r in reasons] == [("account_tickets", 25, 90)]


def test_scalper_pattern_is_suspected_abuse_and_clamped():
    """GIVEN a new account, keep-item bursts, shared device/IP/address WHEN scored THEN 100 and abuse."""
    assessment = score(snapshot(
        dim(Dimension.ACCOUNT, window(7, tickets=3), window(30, tickets=6, keep=2), window(90, keep=4)),
        dim(Dimension.IP, window(7, tickets=5), window(30, accounts=6)),
        dim(Dimension.DEVICE, window(30, accounts=4)),
        dim(Dimension.ADDRESS, window(30, tickets=8), window(90, accounts=5)),
        prof=profile(age=2, orders=3, after_sales=3)), DEFAULT_RISK_CONFIG)
    assert assessment.score == 100
    assert assessment.suspected_abuse is True
    assert sum(r.weight for r in assessment.reasons) > 100
    assert {"new_account", "high_return_rate", "account_keep_item_tickets"} <= assessment.flags


def test_refunded_amount_rule_applies_in_its_own_currency_only():
    """GIVEN 6000.00 CNY refunded in 30 days WHEN scored THEN account_refunded fires; a USD snapshot does
    not."""
    big_refunds = dim(Dimension.ACCOUNT, window(30, refunded=600_000))
    reasons = score(snapshot(big_refunds), DEFAULT_RISK_CONFIG).reasons
    assert [(r.code, r.detail["currency"]) for r in reasons] == [("account_refunded", "CNY")]
    usd = SignalSnapshot(
        tenant_id="t1", account_id="a", as_of=NOW, currency="USD",
        profile=CustomerProfile(account_age_days=400, orders_365d=1, order_value_365d=Money.zero("USD"),
                                after_sales_365d=0),
        dimensions=(dim(Dimension.ACCOUNT, WindowCounts(days=30, tickets=0, keep_item_tickets=0,
                                                        distinct_accounts=1,
                                                        refunded=Money(amount=70_000, currency="USD"))),))
    assert score(usd, DEFAULT_RISK_CONFIG).reasons == ()


def test_valued_customer_offsets_a_little_risk():
    """GIVEN a recent, frequent, big-spending customer with a normal return rate WHEN scored THEN a
    negative reason."""
    loyal = profile(orders=20, value=800_000, after_sales=4, last_order=10)
    assessment = score(snapshot(dim(Dimension.IP, window(7, tickets=5)), prof=loyal), DEFAULT_RISK_CONFIG)
    assert {r.code: r.weight for r in assessment.reasons} == {"ip_tickets": 10, "valued_customer": -15}
    assert assessment.score == 0


def test_high_return_rate_cancels_the_valued_customer_bonus():
    """GIVEN a big spender who returns every second order WHEN scored THEN high_return_rate, no bonus."""
    heavy_returner = profile(orders=20, value=800_000, after_sales=10, last_order=10)
    codes = [r.code for r in score(snapshot(prof=heavy_returner), DEFAULT_RISK_CONFIG).reasons]
    assert codes == ["high_return_rate"]


def test_return_rate_needs_enough_orders():
    """GIVEN 2 orders and 2 returns WHEN scored THEN no return-rate reason yet (too few orders)."""
    assert score(snapshot(prof=profile(orders=2, after_sales=2)), DEFAULT_RISK_CONFIG).reasons == ()


def test_missing_window_does_not_fire():
    """GIVEN a snapshot without the 30-day device window WHEN scored THEN device rules stay silent."""
    assessment = score(snapshot(dim(Dimension.DEVICE, window(7, accounts=9))), DEFAULT_RISK_CONFIG)
    assert assessment.reasons == ()


def test_snapshot_amounts_share_one_currency():
    """GIVEN a USD window in a CNY snapshot WHEN built THEN validation rejects it."""
    usd_window = WindowCounts(days=7, tickets=0, keep_item_tickets=0, distinct_accounts=1,
                              refunded=Money(amount=1, currency="USD"))
    with pytest.raises(ValidationError, match="must be in CNY"):
        snapshot(dim(Dimension.ACCOUNT, usd_window))


def test_snapshot_reads_its_windows_from_counters():
    """GIVEN counters fed by events WHEN a snapshot entry is built THEN it carries the requested windows."""
    state = CounterState(key="device#f00")
    for n, account in enumerate(["a", "b", "c", "d"]):
        state = apply(state, CounterEvent(event_id=f"e{n}", occurred_at=NOW - timedelta(days=n * 5),
                                          account_id=account, kind="ticket_opened"))
    signals = dimension_signals(Dimension.DEVICE, state, NOW, DEFAULT_RISK_CONFIG.windows()[Dimension.DEVICE],
                                "CNY")
    assert signals.window(30) == window(30, tickets=4, accounts=4)
    assert score(snapshot(signals), DEFAULT_RISK_CONFIG).score == 40


counts = st.integers(0, 50)


@given(tickets=counts, keep=counts, accounts=counts, refunded=st.integers(0, 10**8), age=st.integers(0, 2000),
       orders=counts, after_sales=counts)
def test_score_stays_in_range_and_matches_its_reasons(tickets, keep, accounts, refunded, age, orders,
                                                      after_sales):
    """GIVEN any signals WHEN scored THEN 0 <= score <= 100, equal to the clamped sum of reason weights."""
    windows = [window(d, tickets, keep, accounts, refunded) for d in (7, 30, 90)]
    snap = snapshot(*(dim(d, *windows) for d in Dimension),
                    prof=profile(age=age, orders=orders, after_sales=after_sales))
    assessment = score(snap, DEFAULT_RISK_CONFIG)
    assert assessment.score == max(0, min(100, sum(r.weight for r in assessment.reasons)))
    assert assessment.suspected_abuse == (assessment.score >= DEFAULT_RISK_CONFIG.abuse_threshold)
    assert len({r.code for r in assessment.reasons}) == len(assessment.reasons)
