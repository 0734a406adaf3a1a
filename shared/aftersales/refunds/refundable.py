"""What a ticket may refund: accepted lines, return shipping, restocking fee, and where it goes.

Amounts are integer minor units in the order's currency:
* a line refunds `unit price paid x accepted quantity`; the price paid already has the order's
  discounts spread into it, so no discount is re-applied here;
* return shipping the customer paid is refunded when the merchant bears it: for quality, wrong
  item, missing item and damaged, or for any reason when a campaign grants a merchant-paid
  shipping coupon;
* a restocking fee (basis points of the lines total, one rounding on the total, rounded DOWN to
  the minor unit, i.e. in the customer's favour) is charged only when the customer bears the
  return, i.e. never on the merchant's fault;
* import duties and taxes collected at checkout (delivered duty paid, `unit_duties_and_taxes` on
  the order line) are refunded per accepted unit as the tenant's `refund_duties_and_taxes` says:
  always (the default, as a marketplace refunds its import-fee deposit), on the merchant's fault
  only, or never. The restocking fee is computed on the goods, never on duties.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import ConfigDict, Field, StrictBool, StrictInt, field_validator

from aftersales.core.errors import InvalidRequest
from aftersales.core.model import DomainModel
from aftersales.core.money import Money


class ReturnReason(StrEnum):
    QUALITY = "quality"
    WRONG_ITEM = "wrong_item"
    MISSING_ITEM = "missing_item"
    DAMAGED = "damaged"
    NO_REASON_7DAY = "no_reason_7day"
    DISLIKE = "dislike"
    CHANGED_MIND = "changed_mind"


class ShippingPayer(StrEnum):
    MERCHANT = "merchant"
    CUSTOMER = "customer"


class RefundDestination(StrEnum):
    ORIGINAL_PAYMENT = "original_payment"
    STORE_CREDIT = "store_credit"
    COUPON = "coupon"


MERCHANT_FAULT = frozenset({ReturnReason.QUALITY, ReturnReason.WRONG_ITEM, ReturnReason.MISSING_ITEM,
                            ReturnReason.DAMAGED})
BASIS_POINTS = 10_000


class _Frozen(DomainModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RefundLine(_Frozen):
    line_id: str
    unit_price_paid: Money
    accepted_quantity: int = Field(ge=0)
    unit_duties_and_taxes: Money | None = None

    @property
    def amount(self) -> Money:
        return self.unit_price_paid.times(self.accepted_quantity)

    @property
    def duties_and_taxes(self) -> Money:
        if self.unit_duties_and_taxes is None:
            return Money.zero(self.unit_price_paid.currency)
        return self.unit_duties_and_taxes.times(self.accepted_quantity)


class TenantRefundSettings(_Frozen):
    """A tenant's refund settings (`<tenant>#CONFIG / REFUND_SETTINGS`; these defaults until it sets them)."""

    restocking_fee_bp: StrictInt = Field(default=0, ge=0, le=BASIS_POINTS,
                                   description="Restocking fee in basis points of the lines total, charged "
                                               "only when the customer bears the return shipping")
    alternative_destinations: frozenset[RefundDestination] = Field(
        default=frozenset(), description="Offered besides the original payment: store_credit, coupon")
    merchant_paid_return_shipping_campaign: StrictBool = Field(
        default=False, description="A campaign grants a merchant-paid return-shipping coupon: the merchant "
                                   "bears return shipping whatever the reason (no restocking fee)")
    refund_duties_and_taxes: Literal["always", "merchant_fault", "never"] = Field(
        default="always", description="Import duties and taxes collected at checkout: refunded with every "
                                      "accepted unit, only when the merchant is at fault, or never")
    repair_diagnosis_fee: StrictBool = Field(
        default=False, description="A paid repair that ends not repairable bills the customer its diagnosis "
                                   "(the labour), taken off the ticket's refund; otherwise the merchant bears it")
    accept_returns_on_arrival: StrictBool = Field(
        default=False, description="Refund on arrival: a return (or exchange) the approval policy passed "
                                   "automatically is accepted in full when the carrier reports it delivered, "
                                   "without a warehouse inspection; reviewed returns still wait for one")

    @field_validator("alternative_destinations")
    @classmethod
    def _alternatives_only(cls, value: frozenset[RefundDestination]) -> frozenset[RefundDestination]:
        if RefundDestination.ORIGINAL_PAYMENT in value:
            raise ValueError("original_payment is always offered; list only store_credit / coupon")
        return value


class QuotedLine(_Frozen):
    line_id: str
    quantity: int
    amount: Money


class RefundQuote(_Frozen):
    lines: tuple[QuotedLine, ...]
    lines_total: Money
    shipping_payer: ShippingPayer
    return_shipping: Money
    restocking_fee: Money
    total: Money
    duties_and_taxes: Money | None = None  # None: no line carried duties, or the tenant refunds none
    repair_deduction: Money | None = None  # what the customer owes for the repair, taken off the total


def return_shipping_payer(reason: ReturnReason, merchant_paid_shipping_coupon: bool = False) -> ShippingPayer:
    if reason in MERCHANT_FAULT or merchant_paid_shipping_coupon:
        return ShippingPayer.MERCHANT
    return ShippingPayer.CUSTOMER


def restocking_fee(lines_total: Money, fee_bp: int) -> Money:
    """Rounded down to the minor unit (in the customer's favour)."""
    return Money(amount=lines_total.amount * fee_bp // BASIS_POINTS, currency=lines_total.currency)


def quote_refund(lines: list[RefundLine], reason: ReturnReason, settings: TenantRefundSettings,
                 return_shipping_paid: Money | None = None, merchant_paid_shipping_coupon: bool = False
                 ) -> RefundQuote:
    currency = _single_currency(lines, return_shipping_paid)
    accepted = [line for line in lines if line.accepted_quantity > 0]
    lines_total = sum((line.amount for line in accepted), Money.zero(currency))
    payer = return_shipping_payer(reason, merchant_paid_shipping_coupon
                                  or settings.merchant_paid_return_shipping_campaign)
    merchant_pays = payer is ShippingPayer.MERCHANT
    shipping = return_shipping_paid if merchant_pays and return_shipping_paid else Money.zero(currency)
    fee = Money.zero(currency) if merchant_pays else restocking_fee(lines_total, settings.restocking_fee_bp)
    duties = sum((line.duties_and_taxes for line in accepted), Money.zero(currency)) \
        if refunds_duties(settings, reason) else Money.zero(currency)
    return RefundQuote(
        lines=tuple(QuotedLine(line_id=line.line_id, quantity=line.accepted_quantity, amount=line.amount)
                    for line in accepted),
        lines_total=lines_total, shipping_payer=payer, return_shipping=shipping, restocking_fee=fee,
        duties_and_taxes=duties if duties.amount else None, total=lines_total + shipping + duties - fee)


def refunds_duties(settings: TenantRefundSettings, reason: ReturnReason) -> bool:
    return settings.refund_duties_and_taxes == "always" or (
        settings.refund_duties_and_taxes == "merchant_fault" and reason in MERCHANT_FAULT)


def choose_destination(settings: TenantRefundSettings, requested: RefundDestination | None = None
                       ) -> RefundDestination:
    """The original payment route unless the tenant offers the requested alternative."""
    if requested is None or requested is RefundDestination.ORIGINAL_PAYMENT:
        return RefundDestination.ORIGINAL_PAYMENT
    if requested not in settings.alternative_destinations:
        raise InvalidRequest("refunds.destination_not_offered", field="destination", destination=requested.value)
    return requested


def _single_currency(lines: list[RefundLine], shipping: Money | None) -> str:
    currencies = {line.unit_price_paid.currency for line in lines} | {
        line.unit_duties_and_taxes.currency for line in lines if line.unit_duties_and_taxes is not None}
    if shipping is not None:
        currencies.add(shipping.currency)
    if len(currencies) != 1:
        raise InvalidRequest("refunds.one_currency_per_refund", currencies=sorted(currencies))
    return currencies.pop()
