"""Order snapshots as the storefront pushes them (idempotent by order id + version)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StrictInt, model_validator

from aftersales.core.clock import Instant
from aftersales.core.errors import Conflict
from aftersales.core.model import DomainModel
from aftersales.core.money import MAX_AMOUNT, CurrencyCode, Money
from aftersales.core.text import label
from aftersales.tickets.model import Channel

Identifier = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:\-]+$")]
MAX_VERSION = 2**53 - 1
MAX_QUANTITY = 100_000  # units of one order line


class Customer(DomainModel):
    model_config = ConfigDict(extra="forbid")

    id: Identifier
    tier: label(32) = Field(default="standard", examples=["standard", "vip"])
    account_created_at: Instant | None = None


class Payment(DomainModel):
    model_config = ConfigDict(extra="forbid")

    provider: label(32) = Field(examples=["stripe", "alipay", "wechat_pay", "sandbox"])
    reference: label(255) = Field(description="Charge / payment intent id at the provider")
    captured: Money


class Shipping(DomainModel):
    model_config = ConfigDict(extra="forbid")

    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    fee: Money
    address_fingerprint: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9:_\-]{16,128}$",
        description="A hash of the normalised shipping address, computed by the storefront (never the "
                    "address itself); used for refund-abuse counters per address")


class OrderLine(DomainModel):
    model_config = ConfigDict(extra="forbid")

    line_id: Identifier
    sku: label(128)
    name: label(512)
    category: label(128) | None = None
    product_type: label(64) | None = None
    quantity: StrictInt = Field(ge=1, le=MAX_QUANTITY)
    unit_price_paid: Money = Field(description="Per unit, after discounts")
    unit_duties_and_taxes: Money | None = Field(
        default=None, description="Import duties and taxes per unit collected at checkout (delivered duty paid), "
                                  "in the order currency; refunded with returned units as the tenant's refund "
                                  "settings say")
    final_sale: bool = Field(default=False, description="Sold as final sale: not returnable")
    batch: Identifier | None = Field(default=None, examples=["LOT-2026-11-A"],
                                     description="Production batch / lot of the goods shipped on this line; "
                                                 "product insights count review causes and returns per batch")


class Fulfilment(DomainModel):
    """Where the goods are, as the storefront knows it; the return window counts from `delivered_at`."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["unfulfilled", "shipped", "delivered", "cancelled"]
    shipped_at: Instant | None = None
    delivered_at: Instant | None = None

    @model_validator(mode="after")
    def _dated(self) -> Fulfilment:
        if self.status == "delivered" and self.delivered_at is None:
            raise ValueError("a delivered order needs delivered_at")
        if self.status == "unfulfilled" and (self.shipped_at or self.delivered_at):
            raise ValueError("an unfulfilled order has neither shipped_at nor delivered_at")
        if self.shipped_at and self.delivered_at and self.delivered_at < self.shipped_at:
            raise ValueError("delivered_at is before shipped_at")
        return self


class Order(DomainModel):
    """The snapshot as pushed; `version` increases with every change at the storefront."""

    model_config = ConfigDict(extra="forbid")

    order_id: Identifier
    version: StrictInt = Field(ge=1, le=MAX_VERSION, description="Increases with every change at the storefront; "
                               "at most 2^53 - 1, the largest integer every JSON client reads exactly")
    channel: Channel
    currency: CurrencyCode
    customer: Customer
    payment: Payment
    shipping: Shipping
    lines: list[OrderLine] = Field(min_length=1, max_length=500)
    placed_at: Instant
    fulfilment: Fulfilment | None = Field(
        default=None, description="Shipping state; without it the eligibility checks that need it are unknown")

    @model_validator(mode="after")
    def _consistent(self) -> Order:
        ids = [line.line_id for line in self.lines]
        if len(ids) != len(set(ids)):
            raise ValueError("line_id values must be unique")
        for money in [self.payment.captured, self.shipping.fee, *(ln.unit_price_paid for ln in self.lines),
                      *(ln.unit_duties_and_taxes for ln in self.lines if ln.unit_duties_and_taxes is not None)]:
            if money.currency != self.currency:
                raise ValueError(f"every amount must be in the order currency {self.currency}")
        if sum(ln.unit_price_paid.amount * ln.quantity for ln in self.lines) > MAX_AMOUNT:
            raise ValueError(f"the lines add up to more than {MAX_AMOUNT} minor units")
        return self

    @property
    def shipping_fee(self) -> Money:
        return self.shipping.fee

    def line(self, line_id: str) -> OrderLine | None:
        return next((ln for ln in self.lines if ln.line_id == line_id), None)


def upsert_decision(stored: Order | None, incoming: Order) -> str:
    """'create', 'replace' or 'unchanged'; a stale or conflicting version raises Conflict."""
    if stored is None:
        return "create"
    if incoming.version > stored.version:
        return "replace"
    if incoming.version == stored.version:
        if incoming.model_dump() == stored.model_dump():
            return "unchanged"
        raise Conflict("error.order_version_conflict", version=incoming.version)
    raise Conflict("error.order_version_stale", version=incoming.version, current=stored.version)
