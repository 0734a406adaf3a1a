"""What pushing an order needs from the other contexts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from .domain import Order


class OrderBook(Protocol):
    def upsert_order(self, tenant_id: str, order: Order) -> str:
        """"create" | "replace" | "unchanged"."""
        ...


class ParkedArrivals(Protocol):
    def order_arrived(self, tenant_id: str, order_id: str) -> list[Any]:
        """Replay what was parked waiting for this order (platform events, channel messages)."""
        ...


class OrderSignals(Protocol):
    def record_order(self, tenant_id: str, order: Order, keys: Mapping[str, str]) -> int:
        """Count the order's account under its checkout keys (refund-abuse counters)."""
        ...
