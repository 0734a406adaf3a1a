"""Risk bands: what a queue row shows of a score. high from the config's abuse threshold (suspected
abuse), medium from its elevated threshold (the default approval policy's automatic-approval
ceiling + 1), low below; and the summary a ticket keeps of an assessment."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from aftersales.approvals.defaults import DEFAULT_POLICY_DOCUMENT
from aftersales.core.money import Money
from aftersales.risk.defaults import DEFAULT_RISK_CONFIG
from aftersales.risk.scoring import RiskBand, score
from aftersales.risk.signals import CustomerProfile, Dimension, DimensionSignals, SignalSnapshot, WindowCounts

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def cny(minor: int) -> Money:
    return Money(amount=minor, currency="CNY")


def _assessed(device_accounts: int, account_age_days: int):
    device = DimensionSignals(dimension=Dimension.DEVICE, windows=(WindowCounts(
        days=30, tickets=0, keep_item_tickets=0, distinct_accounts=device_accounts, refunded=cny(0)),))
    prof = CustomerProfile(account_age_days=account_age_days, orders_365d=1, order_value_365d=cny(10_000),
                           after_sales_365d=1, days_since_last_order=3)
    return score(SignalSnapshot(tenant_id="t1", account_id="acc1", as_of=NOW, currency="CNY", profile=prof,
                                dimensions=(device,)), DEFAULT_RISK_CONFIG)


@pytest.mark.parametrize(("value", "band"), [(0, "low"), (14, "low"), (15, "medium"), (69, "medium"),
                                             (70, "high"), (100, "high")])
def test_the_band_edges_are_the_configs_thresholds(value, band):
    """GIVEN the default config WHEN a score is banded THEN low below 15, medium 15..69, high from 70."""
    assert DEFAULT_RISK_CONFIG.band(value) is RiskBand(band)


def test_medium_starts_where_the_default_policy_stops_approving_automatically():
    """GIVEN the default approval policy THEN every automatic-approval rule's risk ceiling is just
    below the medium band, and its block rule is inside the high band."""
    rules = DEFAULT_POLICY_DOCUMENT["rules"]
    ceilings = {r["when"]["risk_score"]["max"] for r in rules if r["route"] == "auto_approve"}
    blocks = {r["when"]["risk_score"]["min"] for r in rules if r["route"] == "block"}
    assert ceilings == {DEFAULT_RISK_CONFIG.elevated_threshold - 1}
    assert all(DEFAULT_RISK_CONFIG.band(b) is RiskBand.HIGH for b in blocks)


@given(st.integers(0, 100))
def test_high_is_exactly_suspected_abuse(value):
    """GIVEN any score THEN its band is high exactly when it reaches the abuse threshold."""
    assert (DEFAULT_RISK_CONFIG.band(value) is RiskBand.HIGH) == (value >= DEFAULT_RISK_CONFIG.abuse_threshold)


def test_a_config_whose_medium_band_starts_above_high_is_refused():
    """GIVEN an elevated threshold above the abuse threshold THEN the config does not validate."""
    with pytest.raises(ValidationError, match="elevated_threshold"):
        DEFAULT_RISK_CONFIG.model_validate({**DEFAULT_RISK_CONFIG.model_dump(), "elevated_threshold": 80})


def test_an_assessment_carries_its_band_and_its_summary_the_raising_flags_sorted():
    """GIVEN a week-old account on a device four accounts used (40 + 15 = 55) WHEN scored THEN medium;
    the summary has the score, band and the two reason codes in order; an old account alone on its
    device is low."""
    assessment = _assessed(device_accounts=4, account_age_days=3)
    summary = assessment.summary("2026-12-04T09:00:00Z")

    assert (assessment.score, assessment.band) == (55, RiskBand.MEDIUM)
    assert summary.model_dump(mode="json") == {"score": 55, "band": "medium", "assessed_at": "2026-12-04T09:00:00Z",
                                               "flags": ["device_distinct_accounts", "new_account"]}
    assert _assessed(device_accounts=1, account_age_days=400).band is RiskBand.LOW


def test_summaries_of_the_same_result_are_the_same_whenever_assessed():
    """GIVEN two summaries of one assessment made at different times THEN they have the same
    result; a different score does not."""
    assessment = _assessed(device_accounts=4, account_age_days=3)
    first, later = assessment.summary("2026-12-04T09:00:00Z"), assessment.summary("2026-12-04T10:00:00Z")
    assert first.same_result(later) and not first.same_result(None)
    assert not first.same_result(_assessed(device_accounts=2, account_age_days=3).summary("2026-12-04T09:00:00Z"))
