"""Day-bucketed sliding-window counters, maintained event by event (no scans).

One `CounterState` per tracked key (an account, an IP, a device fingerprint or a hashed shipping
address). A stream consumer loads the state, `apply`s each after-sales event and writes it back
(conditional on the version it read); the scorer reads `window_total` for 7/30/90-day windows.

* Buckets are UTC calendar days. A window of N days at `now` covers today and the N-1 days before.
* Buckets older than `retention_days` behind the newest bucket are dropped on every apply, so the
  state stays bounded; an event that old is ignored.
* `apply` is idempotent: each bucket keeps the ids of the events it counted, so a redelivered
  stream record changes nothing. An id leaves with its bucket, once an event of that day would be
  ignored anyway.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from aftersales.core.errors import InvalidRequest
from aftersales.core.model import DomainModel
from aftersales.core.money import Money


class _Frozen(DomainModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CounterEvent(_Frozen):
    """A ticket opened (keeps_item: refund without return), a refund that succeeded (amount), an
    order placed or a product review written (both count only their account among the key's
    distinct accounts: many accounts buying or reviewing from one device, IP or address is the
    scalper and fake-review signal, before any of them asks for money)."""

    event_id: str = Field(min_length=1)
    occurred_at: datetime
    account_id: str = Field(min_length=1)
    kind: Literal["ticket_opened", "refund_succeeded", "order_placed", "review_written"]
    keeps_item: bool = False
    amount: Money | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CounterEvent:
        if self.occurred_at.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")
        if (self.kind == "refund_succeeded") != (self.amount is not None):
            raise ValueError("refund_succeeded events carry an amount; other events do not")
        return self

    @property
    def day(self) -> date:
        return self.occurred_at.astimezone(UTC).date()


class DayBucket(_Frozen):
    day: date
    tickets: int = Field(default=0, ge=0)
    keep_item_tickets: int = Field(default=0, ge=0)
    refunded: dict[str, int] = {}  # currency -> minor units
    accounts: frozenset[str] = frozenset()
    event_ids: frozenset[str] = frozenset()

    def add(self, event: CounterEvent) -> DayBucket:
        refunded = dict(self.refunded)
        if event.amount is not None:
            refunded[event.amount.currency] = refunded.get(event.amount.currency, 0) + event.amount.amount
        opened = event.kind == "ticket_opened"
        return DayBucket(day=self.day,
                         tickets=self.tickets + opened,
                         keep_item_tickets=self.keep_item_tickets + (opened and event.keeps_item),
                         refunded=refunded,
                         accounts=self.accounts | {event.account_id},
                         event_ids=self.event_ids | {event.event_id})


class CounterState(_Frozen):
    key: str = Field(min_length=1)
    retention_days: int = Field(default=90, gt=0)
    buckets: tuple[DayBucket, ...] = ()  # ascending by day, one per day with activity


class WindowTotals(_Frozen):
    days: int
    tickets: int
    keep_item_tickets: int
    refunded: dict[str, Money]
    distinct_accounts: int


def apply(state: CounterState, event: CounterEvent) -> CounterState:
    newest = max([event.day, *(b.day for b in state.buckets)])
    oldest_kept = newest - timedelta(days=state.retention_days - 1)
    if event.day < oldest_kept or any(event.event_id in b.event_ids for b in state.buckets):
        return state
    by_day = {b.day: b for b in state.buckets if b.day >= oldest_kept}
    by_day[event.day] = by_day.get(event.day, DayBucket(day=event.day)).add(event)
    return state.model_copy(update={"buckets": tuple(by_day[d] for d in sorted(by_day))})


def window_total(state: CounterState, now: datetime, days: int) -> WindowTotals:
    if not 0 < days <= state.retention_days:
        raise InvalidRequest("risk.window_outside_retention", days=days,
                             retention_days=state.retention_days)
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    inside = [b for b in state.buckets if first <= b.day <= today]
    refunded: dict[str, int] = {}
    for bucket in inside:
        for currency, minor in bucket.refunded.items():
            refunded[currency] = refunded.get(currency, 0) + minor
    return WindowTotals(
        days=days,
        tickets=sum(b.tickets for b in inside),
        keep_item_tickets=sum(b.keep_item_tickets for b in inside),
        refunded={c: Money(amount=m, currency=c) for c, m in sorted(refunded.items())},
        distinct_accounts=len(frozenset().union(*(b.accounts for b in inside))),
    )
