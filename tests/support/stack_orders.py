"""Orders and tickets put on a running local stack over its HTTP API, as the demo storefront and
its customers would (e2e and browser tests)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import requests

from tests.support.local_stack import demo_auth
from tests.support.tickets import order_payload


def put_order(stack: Any, prefix: str, unit_price: int, *, customer_id: str | None = None, tier: str = "standard",
              delivered_at: datetime | None = None) -> dict:
    """A new one-line CNY order `<prefix>-<random>` (one item at `unit_price` minor units) PUT with the
    demo storefront's key; its customer a new one unless `customer_id` is given. Returns the payload."""
    order_id = f"{prefix}-{uuid.uuid4().hex[:8]}"
    order = order_payload(order_id, customer_id or f"cust-{order_id.lower()}", quantity=1, unit_price=unit_price,
                          tier=tier, delivered_at=delivered_at)
    put = requests.put(f"{stack.api_url}/orders/{order_id}", json=order,
                       headers=demo_auth(stack, "storefront API key"), timeout=10)
    assert put.status_code == 201, put.text
    return order


def open_ticket(stack: Any, order: dict, headers: dict, *, ticket_type: str = "refund_only",
                reason_code: str = "quality", channel: str = "app", media_ids: list[str] | None = None) -> dict:
    """POST /tickets for one unit of the order's line by whoever `headers` authenticate; the ticket."""
    body = {"type": ticket_type, "order_id": order["order_id"], "channel": channel, "reason_code": reason_code,
            "lines": [{"line_id": order["lines"][0]["line_id"], "quantity": 1}],
            **({"media_ids": media_ids} if media_ids is not None else {})}
    opened = requests.post(f"{stack.api_url}/tickets", json=body, headers=headers, timeout=10)
    assert opened.status_code == 201, opened.text
    return opened.json()


def submitted_refund(stack: Any, order: dict, headers: dict, *, channel: str = "app") -> str:
    """A refund-only ticket for the order opened and submitted for approval (which starts the money
    path) by whoever `headers` authenticate; its id."""
    ticket_id = open_ticket(stack, order, headers, channel=channel)["id"]
    moved = requests.post(f"{stack.api_url}/tickets/{ticket_id}/transitions", json={"to": "pending_approval"},
                          headers=headers, timeout=10)
    assert moved.status_code == 200, moved.text
    return ticket_id
