"""Import duties and taxes collected at checkout (delivered duty paid) are refunded per accepted
unit as the tenant's refund settings say; the restocking fee never counts them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from aftersales.core.errors import InvalidRequest
from aftersales.core.money import Money
from aftersales.orders.domain import Order
from aftersales.refunds.refundable import RefundLine, ReturnReason, TenantRefundSettings, quote_refund
from tests.support.tickets import order_payload


def eur(amount: int) -> Money:
    return Money(amount=amount, currency="EUR")


def _line(accepted: int, duties: int | None = 350) -> RefundLine:
    return RefundLine(line_id="L1", unit_price_paid=eur(2000), accepted_quantity=accepted,
                      unit_duties_and_taxes=eur(duties) if duties is not None else None)


@pytest.mark.parametrize("policy, reason, refunded", [
    ("always", ReturnReason.CHANGED_MIND, 700), ("always", ReturnReason.QUALITY, 700),
    ("merchant_fault", ReturnReason.QUALITY, 700), ("merchant_fault", ReturnReason.CHANGED_MIND, 0),
    ("never", ReturnReason.QUALITY, 0)])
def test_duties_follow_the_tenants_policy(policy, reason, refunded):
    quote = quote_refund([_line(2)], reason, TenantRefundSettings(refund_duties_and_taxes=policy))
    assert (quote.duties_and_taxes.amount if quote.duties_and_taxes else 0) == refunded
    assert quote.total.amount == 4000 + refunded


def test_the_restocking_fee_is_on_the_goods_not_on_the_duties():
    quote = quote_refund([_line(2)], ReturnReason.CHANGED_MIND, TenantRefundSettings(restocking_fee_bp=1000))
    assert quote.restocking_fee == eur(400) and quote.duties_and_taxes == eur(700)
    assert quote.total == eur(4000 + 700 - 400)


def test_a_line_without_duties_quotes_none():
    quote = quote_refund([_line(1, duties=None)], ReturnReason.QUALITY, TenantRefundSettings())
    assert quote.duties_and_taxes is None and quote.total == eur(2000)


def test_duties_in_another_currency_are_refused():
    line = RefundLine(line_id="L1", unit_price_paid=eur(2000), accepted_quantity=1,
                      unit_duties_and_taxes=Money(amount=300, currency="USD"))
    with pytest.raises(InvalidRequest):
        quote_refund([line], ReturnReason.QUALITY, TenantRefundSettings())


@given(accepted=st.integers(0, 50), unit=st.integers(0, 10_000), duties=st.integers(0, 5_000),
       fee_bp=st.integers(0, 10_000), policy=st.sampled_from(["always", "merchant_fault", "never"]),
       reason=st.sampled_from(list(ReturnReason)))
def test_duties_never_exceed_what_was_collected_for_the_accepted_units(accepted, unit, duties, fee_bp, policy,
                                                                      reason):
    line = RefundLine(line_id="L1", unit_price_paid=eur(unit), accepted_quantity=accepted,
                      unit_duties_and_taxes=eur(duties))
    quote = quote_refund([line], reason, TenantRefundSettings(restocking_fee_bp=fee_bp,
                                                              refund_duties_and_taxes=policy))
    refunded = quote.duties_and_taxes.amount if quote.duties_and_taxes else 0
    assert 0 <= refunded <= duties * accepted
    assert policy != "never" or refunded == 0
    assert quote.total.amount == quote.lines_total.amount + quote.return_shipping.amount + refunded \
        - quote.restocking_fee.amount
    assert quote.total.amount >= 0


def test_an_order_line_declares_its_duties_in_the_order_currency():
    payload = order_payload(currency="EUR")
    payload["lines"][0]["unit_duties_and_taxes"] = {"amount": 350, "currency": "EUR"}
    assert Order.model_validate(payload).lines[0].unit_duties_and_taxes == eur(350)
    payload["lines"][0]["unit_duties_and_taxes"] = {"amount": 350, "currency": "USD"}
    with pytest.raises(ValidationError, match="order currency"):
        Order.model_validate(payload)
