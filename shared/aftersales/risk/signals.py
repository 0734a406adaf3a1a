"""SignalSnapshot: everything the scorer reads, as a counter store would provide it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict, Field, model_validator

from aftersales.core.model import DomainModel
from aftersales.core.money import Money

from .counters import CounterState, window_total


class Dimension(StrEnum):
    ACCOUNT = "account"
    IP = "ip"
    DEVICE = "device"
    ADDRESS = "address"  # a hash of the normalised shipping address, never the address itself


class _Frozen(DomainModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WindowCounts(_Frozen):
    days: int = Field(gt=0)
    tickets: int = Field(ge=0)
    keep_item_tickets: int = Field(ge=0)
    distinct_accounts: int = Field(ge=0)
    refunded: Money  # in the snapshot's currency; refunds in other currencies are not summed


DIMENSIONS = frozenset(d.value for d in Dimension)


class DimensionSignals(_Frozen):
    dimension: Dimension
    windows: tuple[WindowCounts, ...]

    def window(self, days: int) -> WindowCounts | None:
        return next((w for w in self.windows if w.days == days), None)


class CustomerProfile(_Frozen):
    """RFM over the last 365 days plus the account's age and its after-sales count."""

    account_age_days: int = Field(ge=0)
    days_since_last_order: int | None = Field(default=None, ge=0)  # recency; None: never ordered
    orders_365d: int = Field(ge=0)  # frequency
    order_value_365d: Money  # monetary
    after_sales_365d: int = Field(ge=0)

    @property
    def return_rate_bp(self) -> int:
        """After-sales tickets per order in basis points (integer; no orders counts as 100%)."""
        if self.orders_365d == 0:
            return 10_000 if self.after_sales_365d else 0
        return self.after_sales_365d * 10_000 // self.orders_365d


class SignalSnapshot(_Frozen):
    tenant_id: str
    account_id: str
    as_of: datetime
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    profile: CustomerProfile
    dimensions: tuple[DimensionSignals, ...] = ()

    @model_validator(mode="after")
    def _one_currency_one_entry_per_dimension(self) -> SignalSnapshot:
        amounts = [self.profile.order_value_365d] + [
            w.refunded for d in self.dimensions for w in d.windows]
        if any(m.currency != self.currency for m in amounts):
            raise ValueError(f"every amount in the snapshot must be in {self.currency}")
        names = [d.dimension for d in self.dimensions]
        if len(names) != len(set(names)):
            raise ValueError("one entry per dimension")
        return self

    def signals(self, dimension: Dimension) -> DimensionSignals | None:
        return next((d for d in self.dimensions if d.dimension is dimension), None)


def dimension_signals(dimension: Dimension, state: CounterState, now: datetime, windows: Iterable[int],
                      currency: str) -> DimensionSignals:
    """Read the windows the scorer needs from one key's counters."""
    counts = []
    for days in sorted(set(windows)):
        totals = window_total(state, now, days)
        counts.append(WindowCounts(days=days, tickets=totals.tickets,
                                   keep_item_tickets=totals.keep_item_tickets,
                                   distinct_accounts=totals.distinct_accounts,
                                   refunded=totals.refunded.get(currency, Money.zero(currency))))
    return DimensionSignals(dimension=dimension, windows=tuple(counts))
