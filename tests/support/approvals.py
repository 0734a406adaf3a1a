"""Approval test helpers: the facts a ticket's approval is decided on, with overridable fields."""

from __future__ import annotations

from typing import Any

from aftersales.approvals.facts import HistoryWindow, ProductFacts, RiskView, TicketFacts
from aftersales.core.money import Money


def build_facts(amount: int = 5_000, currency: str = "CNY", *, risk_score: int = 10,
                suspected_abuse: bool = False, flags: frozenset[str] = frozenset(),
                history_count: int = 0, **overrides: Any) -> TicketFacts:
    fields: dict[str, Any] = {
        "ticket_id": "tkt_1",
        "requester_id": "cust_1",
        "ticket_type": "return",
        "channel": "web",
        "customer_tier": "silver",
        "amount": Money(amount=amount, currency=currency),
        "lines": (ProductFacts(product_type="physical", category="apparel"),),
        "history": (HistoryWindow(days=30, count=history_count, amount=Money.zero(currency)),),
        "risk": RiskView(score=risk_score, flags=flags, suspected_abuse=suspected_abuse),
    }
    return TicketFacts(**{**fields, **overrides})
