"""Pushing an order snapshot (the storefront's PUT /orders/{id}): store it, count a new order's
checkout signals for refund-abuse scoring, and replay what was parked waiting for it."""

from __future__ import annotations

from collections.abc import Mapping

from .domain import Order
from .ports import OrderBook, OrderSignals, ParkedArrivals


class OrderIntake:
    def __init__(self, book: OrderBook, signals: OrderSignals, arrivals: ParkedArrivals) -> None:
        self._book = book
        self._signals = signals
        self._arrivals = arrivals

    def push(self, tenant_id: str, order: Order, checkout_keys: Mapping[str, str]) -> str:
        """"create" | "replace" | "unchanged". `checkout_keys`: the hashed IP / device the order
        was placed from (empty when the storefront sent none)."""
        outcome = self._book.upsert_order(tenant_id, order)
        if outcome == "create":
            self._signals.record_order(tenant_id, order, checkout_keys)
            self._arrivals.order_arrived(tenant_id, order.order_id)
        return outcome
