from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from aftersales.core.errors import InvalidRequest
from aftersales.core.money import Money
from aftersales.refunds.ledger import PaymentLedger, reserve


def cny(minor: int) -> Money:
    return Money(amount=minor, currency="CNY")


def test_reserve_up_to_the_captured_amount():
    """GIVEN 100.00 captured and 60.00 refunded WHEN 40.00 is reserved THEN the total is 100.00."""
    assert reserve(cny(10_000), cny(6_000), cny(4_000)) == cny(10_000)


def test_over_refund_is_refused_with_what_is_left():
    """GIVEN 100.00 captured and 60.00 refunded WHEN 40.01 is reserved THEN InvalidRequest naming 40.00
    left."""
    with pytest.raises(InvalidRequest, match="exceeds_captured") as raised:
        reserve(cny(10_000), cny(6_000), cny(4_001))
    assert raised.value.details["refundable"] == 4_000


@pytest.mark.parametrize("refunded, amount", [(cny(0), Money(amount=1, currency="USD")),
                                              (Money(amount=0, currency="USD"), cny(1))])
def test_currency_mismatch_is_refused(refunded, amount):
    """GIVEN a CNY capture WHEN a USD amount or USD total is involved THEN InvalidRequest."""
    with pytest.raises(InvalidRequest, match="currency_mismatch"):
        reserve(cny(10_000), refunded, amount)


def test_zero_refund_is_refused():
    """GIVEN a capture WHEN zero is reserved THEN InvalidRequest."""
    with pytest.raises(InvalidRequest, match="zero_amount"):
        reserve(cny(100), cny(0), cny(0))


@pytest.mark.parametrize("amount", [-1, 1.5, "12"])
def test_money_rejects_negative_and_fractional_minor_units(amount):
    """GIVEN a negative, fractional or string amount WHEN Money is built THEN validation fails."""
    with pytest.raises(ValidationError):
        Money(amount=amount, currency="CNY")


def test_release_gives_back_an_abandoned_reservation():
    """GIVEN 30.00 reserved WHEN released THEN refundable is back to the full capture; over-release
    refused."""
    ledger = PaymentLedger.open("t1", "pay_1", cny(10_000)).reserve(cny(3_000))
    assert ledger.refundable == cny(7_000)
    assert ledger.release(cny(3_000)).refundable == cny(10_000)
    with pytest.raises(InvalidRequest):
        ledger.release(cny(3_001))


ops = st.lists(st.tuples(st.sampled_from(["reserve", "release"]), st.integers(0, 5_000),
                         st.sampled_from(["CNY", "CNY", "CNY", "USD"])), max_size=50)


@given(captured=st.integers(0, 20_000), operations=ops)
def test_no_sequence_of_grants_refunds_more_than_captured(captured, operations):
    """GIVEN any sequence of grants and releases WHEN applied (refusals skipped)
    THEN 0 <= refunded <= captured and refunded equals the sum of accepted reservations minus releases."""
    ledger = PaymentLedger.open("t1", "pay_1", cny(captured))
    expected = 0
    for op, minor, currency in operations:
        amount = Money(amount=minor, currency=currency)
        try:
            ledger = ledger.reserve(amount) if op == "reserve" else ledger.release(amount)
        except InvalidRequest:
            continue
        expected += minor if op == "reserve" else -minor
        assert currency == "CNY"
    assert 0 <= ledger.refunded.amount <= captured
    assert ledger.refunded.amount == expected
