"""Per payment, the total refunded never exceeds what was captured.

The store enforces the same rule with a conditional write (`refunded + :amount <= captured`, same
currency); this module is the rule itself, so services check before they write and tests can
hammer it. A grant reserves its amount when it is made; a grant abandoned for good releases it.
"""

from __future__ import annotations

from pydantic import ConfigDict, model_validator

from aftersales.core.errors import InvalidRequest
from aftersales.core.model import DomainModel
from aftersales.core.money import Money


def reserve(captured: Money, already_refunded: Money, amount: Money) -> Money:
    """The new refunded total after refunding `amount`; InvalidRequest on over-refund or mixed currency."""
    if {already_refunded.currency, amount.currency} != {captured.currency}:
        raise InvalidRequest("refunds.currency_mismatch", captured=captured.currency,
                             refunded=already_refunded.currency, amount=amount.currency)
    if amount.amount == 0:
        raise InvalidRequest("refunds.zero_amount")
    refunded = already_refunded + amount
    if refunded.amount > captured.amount:
        raise InvalidRequest("refunds.exceeds_captured", captured=captured.amount,
                             already_refunded=already_refunded.amount, amount=amount.amount,
                             refundable=captured.amount - already_refunded.amount)
    return refunded


class PaymentLedger(DomainModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tenant_id: str
    payment_ref: str
    captured: Money
    refunded: Money

    @model_validator(mode="after")
    def _within_captured(self) -> PaymentLedger:
        if self.refunded.currency != self.captured.currency or self.refunded.amount > self.captured.amount:
            raise ValueError("refunded must be in the captured currency and not exceed it")
        return self

    @classmethod
    def open(cls, tenant_id: str, payment_ref: str, captured: Money) -> PaymentLedger:
        return cls(tenant_id=tenant_id, payment_ref=payment_ref, captured=captured,
                   refunded=Money.zero(captured.currency))

    @property
    def refundable(self) -> Money:
        return self.captured - self.refunded

    def reserve(self, amount: Money) -> PaymentLedger:
        return self.model_copy(update={"refunded": reserve(self.captured, self.refunded, amount)})

    def refusal(self, amount: Money) -> InvalidRequest:
        """Why reserving `amount` on this ledger is refused (a store's conditional write failed)."""
        if amount.currency != self.captured.currency:
            return InvalidRequest("refunds.currency_mismatch", field="amount.currency",
                                  captured=self.captured.currency, refunded=self.refunded.currency,
                                  amount=amount.currency)
        return InvalidRequest("refunds.exceeds_captured", field="amount.amount", captured=self.captured.amount,
                              already_refunded=self.refunded.amount, amount=amount.amount,
                              refundable=self.refundable.amount)

    def release(self, amount: Money) -> PaymentLedger:
        if amount.currency != self.refunded.currency or amount.amount > self.refunded.amount:
            raise InvalidRequest("refunds.release_exceeds_reserved", reserved=self.refunded.amount,
                                 amount=amount.amount)
        return self.model_copy(update={"refunded": self.refunded - amount})
