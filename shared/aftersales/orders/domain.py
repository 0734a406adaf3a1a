"""Order snapshots as the storefront pushes them (idempotent by order id + version)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StrictInt, model_validator

from aftersales.core.errors import Conflict
from aftersales.core.model import DomainModel
from aftersales.core.money import CurrencyCode, Money
from aftersales.tickets.model import Channel

Identifier = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:\-]+$")]


class Customer(DomainModel):
    model_config = ConfigDict(extra="forbid")

    id: Identifier
    tier: str = Field(default="standard", max_length=32, examples=["standard", "vip"])
    account_created_at: datetime | None = None


class Payment(DomainModel):
    model_config = ConfigDict(extra="forbid")

    provider: str = Field(max_length=32, examples=["stripe", "alipay", "wechat_pay", "sandbox"])
    reference: str = Field(max_length=255, description="Charge / payment intent id at the provider")
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
    sku: str = Field(max_length=128)
    name: str = Field(max_length=512)
    category: str | None = Field(default=None, max_length=128)
    product_type: str | None = Field(default=None, max_length=64)
    quantity: StrictInt = Field(ge=1, le=100_000)
    unit_price_paid: Money = Field(description="Per unit, after discounts")


class Order(DomainModel):
    """The snapshot as pushed; `version` increases with every change at the storefront."""

    model_config = ConfigDict(extra="forbid")

    order_id: Identifier
    version: StrictInt = Field(ge=1)
    channel: Channel
    currency: CurrencyCode
    customer: Customer
    payment: Payment
    shipping: Shipping
    lines: list[OrderLine] = Field(min_length=1, max_length=500)
    placed_at: datetime

    @model_validator(mode="after")
    def _consistent(self) -> Order:
        if self.placed_at.tzinfo is None:
            raise ValueError("placed_at must carry a time zone")
        ids = [line.line_id for line in self.lines]
        if len(ids) != len(set(ids)):
            raise ValueError("line_id values must be unique")
        for money in [self.payment.captured, self.shipping.fee, *(ln.unit_price_paid for ln in self.lines)]:
            if money.currency != self.currency:
                raise ValueError(f"every amount must be in the order currency {self.currency}")
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
