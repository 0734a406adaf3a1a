"""Risk use cases: keep counters current from domain events, and assess a ticket (explainably).

Counters are keyed per dimension: `account#<customer id>`, and `ip#` / `device#` / `address#` with
the hashes captured at ticket creation into the `ticket.created` audit entry's `data.risk_keys`
({"ip": ..., "device": ..., "address": ...}; the API hashes IP and device, the storefront hashes the
address). The consumer counts an opened ticket under every key it carries; `assess` reads the
ticket's own keys, so many accounts on one IP / device / address (scalper clusters) score.
Orders count too (`record_order`, when the storefront pushes a new order with its checkout's IP and
device): the accounts that bought from one key are known before the first of them asks for money.
Product reviews count as well (`record_review`, the review moderation consumer): the accounts that
reviewed from one key, and per sku the accounts of one key that gave five stars (`<key>#five_star#<sku>`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aftersales.core.clock import Clock, parse_iso
from aftersales.core.errors import ConcurrentModification
from aftersales.core.money import Money
from aftersales.orders.domain import Order

from .counters import CounterEvent, CounterState, apply, window_total
from .defaults import DEFAULT_RISK_CONFIG
from .ports import CounterStore
from .scoring import RiskAssessment, RiskConfig, score
from .signals import DIMENSIONS, CustomerProfile, Dimension, SignalSnapshot, dimension_signals

KEEP_ITEM_TYPES = frozenset({"refund_only", "shipping_fee_refund"})
CLUSTER_DAYS = 30  # distinct accounts behind a review's IP or device key
FIVE_STAR_DAYS = 2  # five-star reviews of one sku from one key: the UTC day and the day before


def counter_key(dimension: Dimension, value: str) -> str:
    return f"{dimension.value}#{value}"


def five_star_key(dimension: Dimension, value: str, sku: str) -> str:
    """The accounts behind one key that gave a sku five stars."""
    return f"{counter_key(dimension, value)}#five_star#{sku}"


@dataclass(frozen=True)
class ReviewCluster:
    """The accounts behind a review's keys, the review itself counted."""

    accounts: dict[str, int]  # per dimension of the review's keys: distinct accounts in CLUSTER_DAYS
    five_star_accounts: dict[str, int]  # per dimension: those that gave the sku five stars in FIVE_STAR_DAYS


class RiskService:
    def __init__(self, store: CounterStore, clock: Clock, config: RiskConfig = DEFAULT_RISK_CONFIG) -> None:
        self._store = store
        self._clock = clock
        self.config = config

    # ------------------------------------------------------------------ stream side
    def record(self, detail: dict[str, Any]) -> int:
        """Apply one ticket domain event (EventBridge detail); returns how many counters changed."""
        event = _counter_event(detail)
        if event is None:
            return 0
        keys = {Dimension.ACCOUNT: detail["customer_id"], **{
            Dimension(k): v for k, v in (detail.get("data") or {}).get("risk_keys", {}).items()
            if k in DIMENSIONS and v}}
        changed = 0
        for dimension, value in keys.items():
            changed += self._apply(detail["tenant_id"], counter_key(dimension, value), event)
        return changed

    def record_order(self, tenant_id: str, order: Order, keys: Mapping[str, str]) -> int:
        """Count a new order's account under its checkout keys (`ip`, `device`; hashed by the API) and
        its shipping address fingerprint; idempotent per order. Returns how many counters changed."""
        by_dimension = {Dimension(k): v for k, v in keys.items() if k in DIMENSIONS and k != "account" and v}
        if order.shipping.address_fingerprint:
            by_dimension[Dimension.ADDRESS] = order.shipping.address_fingerprint
        event = CounterEvent(event_id=f"order#{order.order_id}", occurred_at=order.placed_at,
                             account_id=order.customer.id, kind="order_placed")
        return sum(self._apply(tenant_id, counter_key(d, v), event) for d, v in sorted(by_dimension.items()))

    def record_review(self, tenant_id: str, *, review_id: str, account_id: str, sku: str, rating: int,
                      written_at: datetime, keys: Mapping[str, str], now: datetime | None = None) -> ReviewCluster:
        """Count a review's author under its keys (`ip`, `device`; hashed by the API) and, for five
        stars, under each key's five-star counter of the sku; idempotent per review (a redelivery
        reads and writes nothing new). One read and at most one write per counter."""
        now = now or self._clock.now()
        event = CounterEvent(event_id=f"review#{review_id}", occurred_at=written_at, account_id=account_id,
                             kind="review_written")
        by_dimension = {Dimension(k): v for k, v in sorted(keys.items()) if k in DIMENSIONS and k != "account" and v}
        accounts: dict[str, int] = {}
        five_star: dict[str, int] = {}
        for dimension, value in by_dimension.items():
            state = self._applied(tenant_id, counter_key(dimension, value), event)[0]
            accounts[dimension.value] = window_total(state, now, CLUSTER_DAYS).distinct_accounts
            if rating == 5:  # only praise is counted: a burst can weigh against five stars, never against criticism
                state = self._applied(tenant_id, five_star_key(dimension, value, sku), event)[0]
                five_star[dimension.value] = window_total(state, now, FIVE_STAR_DAYS).distinct_accounts
        return ReviewCluster(accounts=accounts, five_star_accounts=five_star)

    def _apply(self, tenant_id: str, key: str, event: CounterEvent) -> int:
        return int(self._applied(tenant_id, key, event)[1])

    def _applied(self, tenant_id: str, key: str, event: CounterEvent) -> tuple[CounterState, bool]:
        """The key's state with the event counted, and whether this call counted it."""
        for _ in range(5):
            state, version = self._store.load(tenant_id, key)
            updated = apply(state, event)
            if updated == state:
                return state, False  # redelivered or too old
            try:
                self._store.save(tenant_id, updated, version)
                return updated, True
            except ConcurrentModification:
                continue
        raise ConcurrentModification("error.concurrent_modification")

    # ------------------------------------------------------------------ read side
    def counters(self, tenant_id: str, dimension: Dimension, value: str) -> CounterState:
        return self._store.load(tenant_id, counter_key(dimension, value))[0]

    def assess(self, tenant_id: str, customer_id: str, order: Order, now: datetime | None = None,
               keys: Mapping[str, str] | None = None) -> RiskAssessment:
        """`keys`: the ticket's `risk_keys` (see `ticket_risk_keys`); dimensions without one are absent."""
        now = now or self._clock.now()
        currency = order.currency
        windows = self.config.windows()
        state = self.counters(tenant_id, Dimension.ACCOUNT, customer_id)
        dims = [dimension_signals(Dimension.ACCOUNT, state, now, windows.get(Dimension.ACCOUNT, {30}), currency)]
        for dimension in (Dimension.IP, Dimension.DEVICE, Dimension.ADDRESS):
            value = (keys or {}).get(dimension.value)
            if value and windows.get(dimension):
                dims.append(dimension_signals(dimension, self.counters(tenant_id, dimension, value), now,
                                              windows[dimension], currency))
        created = order.customer.account_created_at
        age = max(0, (now - created).days) if created else 365
        after_sales = dimension_signals(Dimension.ACCOUNT, state, now, [90], currency).windows[0].tickets
        profile = CustomerProfile(
            account_age_days=age, days_since_last_order=max(0, (now - order.placed_at).days),
            orders_365d=1, order_value_365d=order.payment.captured, after_sales_365d=after_sales)
        snapshot = SignalSnapshot(tenant_id=tenant_id, account_id=customer_id, as_of=now, currency=currency,
                                  profile=profile, dimensions=tuple(dims))
        return score(snapshot, self.config)


def ticket_risk_keys(audit_entries: Sequence[Any]) -> dict[str, str]:
    """The risk keys captured at creation (the first audit entry's `data.risk_keys`)."""
    if not audit_entries:
        return {}
    keys = (audit_entries[0].data or {}).get("risk_keys") or {}
    return {k: v for k, v in keys.items() if k in DIMENSIONS and k != "account" and v}


def _counter_event(detail: dict[str, Any]) -> CounterEvent | None:
    event, data = detail.get("event"), detail.get("data") or {}
    at = parse_iso(detail["at"])
    event_id = detail.get("dedup_key") or f"{detail['ticket_id']}#{detail['seq']}"
    if event == "ticket.created":
        return CounterEvent(event_id=event_id, occurred_at=at, account_id=detail["customer_id"],
                            kind="ticket_opened", keeps_item=detail.get("ticket_type") in KEEP_ITEM_TYPES)
    if event == "ticket.refunded" and data.get("amount"):
        return CounterEvent(event_id=event_id, occurred_at=at, account_id=detail["customer_id"],
                            kind="refund_succeeded", amount=Money.model_validate(data["amount"]))
    return None
