"""AWS list prices, us-east-1, as known on 2026-12-01 — written down, not fetched — and the
arithmetic that turns a replayed day's counted usage into dollars.

Free tiers, savings plans and reserved capacity are ignored: this is what the day costs at list
price on an account past its free tier. Re-check the pages below before quoting a figure outside
the bench; update AS_OF with any change.

DynamoDB units are estimated from what the requests carried and the answers held (the sizing rules
of the DynamoDB developer guide: a write unit per 1 KB written, a read unit per 4 KB read strongly,
half that eventually consistent, twice either in a transaction; at least one unit per request).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

AS_OF = "2026-12-01"
REGION = "us-east-1"


@dataclass(frozen=True)
class Price:
    usd: Decimal  # per `per` units
    per: int
    unit: str
    source: str

    def cost(self, quantity: float) -> Decimal:
        return self.usd * Decimal(str(quantity)) / self.per


PRICES: dict[str, Price] = {
    "dynamodb_write_request_units": Price(Decimal("0.625"), 1_000_000, "write request unit (on-demand)",
                                          "https://aws.amazon.com/dynamodb/pricing/on-demand/"),
    "dynamodb_read_request_units": Price(Decimal("0.125"), 1_000_000, "read request unit (on-demand)",
                                         "https://aws.amazon.com/dynamodb/pricing/on-demand/"),
    "lambda_requests": Price(Decimal("0.20"), 1_000_000, "invocation", "https://aws.amazon.com/lambda/pricing/"),
    "lambda_gb_seconds_arm64": Price(Decimal("0.0000133334"), 1, "GB-second (arm64, first 7.5 B GB-s a month)",
                                     "https://aws.amazon.com/lambda/pricing/"),
    "stepfunctions_state_transitions": Price(Decimal("0.025"), 1_000, "state transition (Standard workflows)",
                                             "https://aws.amazon.com/step-functions/pricing/"),
    "sqs_requests": Price(Decimal("0.40"), 1_000_000, "request per 64 KB chunk (standard queue)",
                          "https://aws.amazon.com/sqs/pricing/"),
    "eventbridge_custom_events": Price(Decimal("1.00"), 1_000_000, "custom event published per 64 KB chunk",
                                       "https://aws.amazon.com/eventbridge/pricing/"),
    "ses_messages": Price(Decimal("0.10"), 1_000, "outbound message", "https://aws.amazon.com/ses/pricing/"),
    "apigateway_rest_requests": Price(Decimal("3.50"), 1_000_000, "REST API call (first 333 M a month)",
                                      "https://aws.amazon.com/api-gateway/pricing/"),
}


@dataclass
class Usage:
    """Counted quantities, keyed like PRICES."""

    quantities: dict[str, float] = field(default_factory=lambda: dict.fromkeys(PRICES, 0.0))

    def add(self, key: str, quantity: float) -> None:
        if key not in PRICES:
            raise KeyError(f"no price for {key!r}")
        self.quantities[key] += quantity


def cost(usage: Usage) -> dict[str, Decimal]:
    """Dollars per priced item, and their "total"."""
    lines = {key: PRICES[key].cost(q) for key, q in usage.quantities.items()}
    return lines | {"total": sum(lines.values(), Decimal(0))}


def per_thousand(amount: Decimal, tickets: int) -> Decimal:
    return amount * 1000 / tickets if tickets else Decimal(0)


def lambda_gb_seconds(seconds: float, memory_mb: int) -> float:
    """Lambda bills each invocation's duration rounded up to the millisecond at its memory size."""
    return math.ceil(seconds * 1000) / 1000 * memory_mb / 1024


# ---------------------------------------------------------------- DynamoDB sizing

def attribute_value_size(value: dict[str, Any]) -> int:
    """Bytes of one DynamoDB-JSON value, by the developer guide's item size rules."""
    (kind, inner), = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        digits = inner.lstrip("-").replace(".", "").lstrip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "BS"):
        return sum(len(v.encode() if isinstance(v, str) else v) for v in inner)
    if kind == "NS":
        return sum(attribute_value_size({"N": v}) for v in inner)
    if kind == "L":
        return 3 + sum(1 + attribute_value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + attribute_value_size(v) for k, v in inner.items())
    raise ValueError(f"unknown DynamoDB type {kind}")


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + attribute_value_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / 4096))
    return float(units) if consistent else units / 2
