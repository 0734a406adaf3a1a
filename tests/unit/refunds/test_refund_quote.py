from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.core.errors import InvalidRequest
from aftersales.core.money import Money
from aftersales.refunds.refundable import (
    RefundDestination,
    RefundLine,
    ReturnReason,
    ShippingPayer,
    TenantRefundSettings,
    choose_destination,
    quote_refund,
    restocking_fee,
    return_shipping_payer,
)


def cny(minor: int) -> Money:
    return Money(amount=minor, currency="CNY")


def line(line_id: str, unit_paid: int, qty: int, currency: str = "CNY") -> RefundLine:
    return RefundLine(line_id=line_id, unit_price_paid=Money(amount=unit_paid, currency=currency),
                      accepted_quantity=qty)


NO_FEE = TenantRefundSettings()
TEN_PERCENT = TenantRefundSettings(restocking_fee_bp=1_000)


def test_lines_refund_price_paid_times_accepted_quantity():
    """GIVEN a discounted line (paid 79.90 each) with 2 of 3 accepted and a rejected line WHEN quoted
    THEN only accepted units at the price paid are refunded."""
    quote = quote_refund([line("l1", 7_990, 2), line("l2", 5_000, 0)], ReturnReason.QUALITY, NO_FEE)
    assert [(q.line_id, q.quantity, q.amount) for q in quote.lines] == [("l1", 2, cny(15_980))]
    assert quote.total == cny(15_980)


@pytest.mark.parametrize("reason", [ReturnReason.QUALITY, ReturnReason.WRONG_ITEM, ReturnReason.MISSING_ITEM,
                                    ReturnReason.DAMAGED])
def test_merchant_fault_refunds_return_shipping_and_charges_no_fee(reason):
    """GIVEN a merchant-fault reason WHEN quoted THEN return shipping is refunded and no restocking fee."""
    quote = quote_refund([line("l1", 10_000, 1)], reason, TEN_PERCENT, return_shipping_paid=cny(1_200))
    assert quote.shipping_payer is ShippingPayer.MERCHANT
    assert (quote.return_shipping, quote.restocking_fee, quote.total) == (cny(1_200), cny(0), cny(11_200))


@pytest.mark.parametrize("reason", [ReturnReason.NO_REASON_7DAY, ReturnReason.DISLIKE,
                                    ReturnReason.CHANGED_MIND])
def test_customer_reasons_keep_shipping_with_customer_and_pay_the_fee(reason):
    """GIVEN a change-of-mind reason WHEN quoted THEN no shipping refund and the restocking fee applies."""
    quote = quote_refund([line("l1", 10_000, 1)], reason, TEN_PERCENT, return_shipping_paid=cny(1_200))
    assert quote.shipping_payer is ShippingPayer.CUSTOMER
    assert (quote.return_shipping, quote.restocking_fee, quote.total) == (cny(0), cny(1_000), cny(9_000))


def test_campaign_shipping_coupon_moves_shipping_to_the_merchant():
    """GIVEN a change-of-mind return under a merchant-paid shipping campaign WHEN quoted THEN shipping
    refunded."""
    assert return_shipping_payer(ReturnReason.CHANGED_MIND, merchant_paid_shipping_coupon=True) is (
        ShippingPayer.MERCHANT)
    quote = quote_refund([line("l1", 10_000, 1)], ReturnReason.DISLIKE, NO_FEE, return_shipping_paid=cny(800),
                         merchant_paid_shipping_coupon=True)
    assert quote.total == cny(10_800)


def test_restocking_fee_rounds_down_once_on_the_total():
    """GIVEN 3 units of 0.33 and a 15% fee WHEN charged THEN floor(99 * 0.15) = 14 minor units."""
    assert restocking_fee(cny(99), 1_500) == cny(14)
    fifteen_percent = TenantRefundSettings(restocking_fee_bp=1_500)
    quote = quote_refund([line("l1", 33, 3)], ReturnReason.DISLIKE, fifteen_percent)
    assert (quote.restocking_fee, quote.total) == (cny(14), cny(85))


def test_mixed_currencies_are_refused():
    """GIVEN a CNY line and USD shipping WHEN quoted THEN InvalidRequest."""
    with pytest.raises(InvalidRequest, match="one_currency_per_refund"):
        quote_refund([line("l1", 100, 1)], ReturnReason.QUALITY, NO_FEE,
                     return_shipping_paid=Money(amount=5, currency="USD"))


def test_destination_defaults_to_the_original_payment():
    """GIVEN a tenant offering store credit WHEN no destination or store credit or coupon is asked THEN as
    allowed."""
    settings = TenantRefundSettings(alternative_destinations=frozenset({RefundDestination.STORE_CREDIT}))
    assert choose_destination(settings) is RefundDestination.ORIGINAL_PAYMENT
    assert choose_destination(settings, RefundDestination.STORE_CREDIT) is RefundDestination.STORE_CREDIT
    with pytest.raises(InvalidRequest, match="destination_not_offered"):
        choose_destination(settings, RefundDestination.COUPON)
    original = RefundDestination.ORIGINAL_PAYMENT
    assert choose_destination(NO_FEE, original) is original


lines_strategy = st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 20)), min_size=1, max_size=8)


@given(raw=lines_strategy, fee_bp=st.integers(0, 10_000), shipping=st.integers(0, 10**5),
       reason=st.sampled_from(list(ReturnReason)), coupon=st.booleans())
def test_quote_total_is_exact_and_never_negative(raw, fee_bp, shipping, reason, coupon):
    """GIVEN any lines, fee and reason WHEN quoted THEN total = lines + shipping - fee in exact integers,
    >= 0."""
    lines = [line(f"l{n}", unit, qty) for n, (unit, qty) in enumerate(raw)]
    quote = quote_refund(lines, reason, TenantRefundSettings(restocking_fee_bp=fee_bp),
                         return_shipping_paid=cny(shipping), merchant_paid_shipping_coupon=coupon)
    lines_total = sum(unit * qty for unit, qty in raw)
    assert quote.lines_total.amount == lines_total
    assert quote.total.amount == lines_total + quote.return_shipping.amount - quote.restocking_fee.amount
    assert 0 <= quote.restocking_fee.amount <= lines_total * fee_bp / 10_000
    assert quote.total.amount >= 0
    if quote.shipping_payer is ShippingPayer.MERCHANT:
        assert (quote.return_shipping.amount, quote.restocking_fee.amount) == (shipping, 0)
