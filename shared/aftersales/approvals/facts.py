"""What the router needs to know about one ticket, assembled by the service layer.

The facts are a read-only snapshot: the order's amount, the customer's after-sales history over the
windows the policy asks for (see `ApprovalPolicy.history_windows`) and the risk assessment, reduced
to what routing reads so this context does not depend on the risk package.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from aftersales.core.model import DomainModel
from aftersales.core.money import Money

TicketType = Literal["return", "exchange", "repair", "refund_only", "shipping_fee_refund", "complaint"]
Label = str  # tenant-defined identifiers: channels, tiers, product types, categories, risk flags


class _Frozen(DomainModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProductFacts(_Frozen):
    product_type: Label
    category: Label


class HistoryWindow(_Frozen):
    """The customer's after-sales tickets (count and amount) over the last `days` days."""

    days: int = Field(gt=0)
    count: int = Field(ge=0)
    amount: Money


class RiskView(_Frozen):
    """The parts of a risk assessment routing reads; flags are the assessment's reason codes."""

    score: int = Field(ge=0, le=100)
    flags: frozenset[Label] = frozenset()
    suspected_abuse: bool = False


class TicketFacts(_Frozen):
    ticket_id: str
    requester_id: str
    ticket_type: TicketType
    channel: Label
    customer_tier: Label
    amount: Money
    lines: tuple[ProductFacts, ...] = ()
    history: tuple[HistoryWindow, ...] = ()
    risk: RiskView

    def history_for(self, days: int) -> HistoryWindow | None:
        return next((window for window in self.history if window.days == days), None)
