"""Marketplace-style return windows: rules scoped by the country the order was delivered to, and
holiday seasons whose deliveries may come back later (the end of `return_by` in the season's zone)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from aftersales.eligibility.checks import Check, Verdict, evaluate, window_end
from aftersales.eligibility.rules import HolidayExtension, IntakeRule, IntakeRules
from aftersales.tickets.model import Channel, TicketType
from tests.support.ticket_factories import order
from tests.unit.eligibility.test_intake_checks import check, ticket

SEASON = HolidayExtension(delivered_from=date(2026, 11, 1), delivered_to=date(2026, 12, 31),
                          return_by=date(2027, 1, 31), time_zone="Europe/Berlin")
RULES = IntakeRules(tenant_id="acme", version=1, status="published", rules=(
    IntakeRule(id="eu-returns", when={"countries": ["DE", "FR"]}, return_window_days=30,
               holiday_extensions=(SEASON,)),
    IntakeRule(id="returns", return_window_days=15)))


def _delivered(at: datetime, country: str):
    the_order = order(fulfilment={"status": "delivered", "shipped_at": (at - timedelta(days=2)).isoformat(),
                                  "delivered_at": at.isoformat()})
    return the_order.model_copy(update={"shipping": the_order.shipping.model_copy(update={"country": country})})


def _window(at: datetime, now: datetime, country: str):
    the_order = _delivered(at, country)
    result = evaluate(RULES, ticket(the_order), the_order, [], now)
    return result.rule_id, check(result, Check.RETURN_WINDOW)


def test_the_rule_is_chosen_by_the_country_the_order_was_delivered_to():
    at = datetime(2026, 9, 1, 10, tzinfo=UTC)
    rule, window = _window(at, at + timedelta(days=20), "DE")
    assert rule == "eu-returns" and window.verdict is Verdict.PASS and window.details["window_days"] == 30
    rule, window = _window(at, at + timedelta(days=20), "CN")
    assert rule == "returns" and window.verdict is Verdict.FAIL and window.reason == "eligibility.outside_return_window"


def test_a_holiday_delivery_may_come_back_until_the_end_of_return_by_in_the_seasons_zone():
    """GIVEN a delivery on 20 Nov in Germany (30-day window ends 20 Dec) WHEN checked on 31 Jan at 23:30
    Berlin time THEN still within (the season runs to the end of 31 Jan there), and on 1 Feb it is out."""
    at = datetime(2026, 11, 20, 10, tzinfo=UTC)
    _, window = _window(at, datetime(2027, 1, 31, 22, 30, tzinfo=UTC), "DE")
    assert window.verdict is Verdict.PASS and window.details["holiday_extension"] is True
    assert window.details["return_by"] == "2027-02-01T00:00:00+01:00"
    _, late = _window(at, datetime(2027, 1, 31, 23, 30, tzinfo=UTC), "DE")
    assert late.verdict is Verdict.FAIL


def test_the_season_counts_the_delivery_date_where_the_season_is():
    """23:30 UTC on 31 Oct is already 1 Nov in Berlin: the delivery is in the season."""
    rule = RULES.rules[0]
    assert window_end(rule, datetime(2026, 10, 31, 23, 30, tzinfo=UTC)) > datetime(2027, 1, 1, tzinfo=UTC)
    assert window_end(rule, datetime(2026, 10, 31, 22, 30, tzinfo=UTC)) == datetime(2026, 11, 30, 22, 30, tzinfo=UTC)


@given(delivered=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)))
def test_a_season_never_shortens_the_window(delivered):
    rule = RULES.rules[0]
    assert window_end(rule, delivered) >= delivered + timedelta(days=30)


def test_a_regional_rule_never_catches_every_ticket():
    with pytest.raises(ValidationError, match="catch-all"):
        IntakeRules(tenant_id="acme", version=1, rules=(IntakeRule(id="eu", when={"countries": ["DE"]}),))
    assert RULES.rule_for(TicketType.RETURN_REFUND, Channel.APP).id == "returns"  # country unknown


@pytest.mark.parametrize("season, field", [
    ({"delivered_from": "2026-12-31", "delivered_to": "2026-11-01", "return_by": "2027-01-31"}, "holiday_extensions"),
    ({"delivered_from": "2026-11-01", "delivered_to": "2026-12-31", "return_by": "2027-01-31",
      "time_zone": "Mars/Olympus"}, "time_zone"),
])
def test_a_malformed_season_is_refused_with_its_path(season, field):
    with pytest.raises(ValidationError) as refused:
        IntakeRule(id="x", holiday_extensions=[season])
    assert field in str(refused.value)


def test_countries_are_iso_codes():
    with pytest.raises(ValidationError):
        IntakeRule(id="x", when={"countries": ["Germany"]})
