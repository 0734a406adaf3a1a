"""What the projection keeps: a ticket's facts (the state the buckets need) and the change one
event makes to the buckets (counter increments and durations for the sketches)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pydantic import Field

from aftersales.core.model import DomainModel

DIMENSIONS = ("type", "reason", "channel", "sku", "agent", "team")
# metric -> the dimensions it is counted by ("all" is the total of every metric)
METRICS: dict[str, tuple[str, ...]] = {
    "opened": ("type", "reason", "channel", "sku"),
    "returns": ("reason", "sku"),  # opened returns, exchanges and refund-only requests
    "resolved": ("type", "reason", "channel", "agent", "team"),
    "first_contact": ("type", "channel", "agent", "team"),
    "reopened": ("type", "channel", "agent", "team"),
    "refunds": DIMENSIONS,  # counts here, amounts per currency in the same item
    "repair_costs": DIMENSIONS,  # settled repair jobs; the merchant's share of their costs as amounts
}
# metric -> the name its amounts have in a summary
AMOUNTS = {"refunds": "refund_amounts", "repair_costs": "repair_cost_amounts"}
REPAIR_SETTLED = "ticket.repair_settled"  # a repair job's costs settled on its ticket (the repairs context)
UNKNOWN = "unknown"
UNASSIGNED = "unassigned"
# a ticket is resolved the first time it reaches one of these (its processing time ends there)
RETURN_TYPES = frozenset({"return_refund", "exchange", "refund_only"})
RESOLUTION_STATUSES = frozenset({"refunded", "reshipped", "returned_to_customer", "resolved", "rejected",
                                 "closed", "cancelled"})


class TicketFacts(DomainModel):
    """One ticket as the projection knows it; `seqs` are the audit entries already applied (the
    events' dedup keys are ticket#seq), `version` guards the conditional write."""

    tenant_id: str
    ticket_id: str
    type: str = UNKNOWN
    channel: str = UNKNOWN
    reason: str = UNKNOWN
    sku_amounts: dict[str, int] = Field(default_factory=dict, description="sku -> weight of its lines (what they ask)")
    created_at: str | None = None
    agent: str = UNASSIGNED
    team: str = UNASSIGNED
    resolved_at: str | None = None
    info_requested: bool = False
    reopened: bool = False
    seqs: list[int] = Field(default_factory=list)
    version: int = 0

    def dimension(self, name: str) -> list[str]:
        if name == "sku":
            return sorted(self.sku_amounts) or [UNKNOWN]
        return [str(getattr(self, name))]


@dataclass(frozen=True)
class Period:
    """A local day (`2026-12-03`) or month (`2026-12`) of the tenant's time zone."""

    grain: str  # "day" | "month"
    key: str

    @classmethod
    def day(cls, d: date) -> Period:
        return cls("day", d.isoformat())

    @classmethod
    def month(cls, d: date) -> Period:
        return cls("month", d.isoformat()[:7])


@dataclass
class BucketDelta:
    """Increments for one (period, metric) item: `counts[dim=value]` and `amounts[dim=value|CUR]`."""

    period: Period
    metric: str
    counts: dict[str, int] = field(default_factory=dict)
    amounts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def add_amount(self, name: str, currency: str, minor: int) -> None:
        key = f"{name}|{currency}"
        self.amounts[key] = self.amounts.get(key, 0) + minor


@dataclass
class Projection:
    """What one event does: the ticket's new facts, bucket increments, durations per period."""

    facts: TicketFacts
    deltas: list[BucketDelta] = field(default_factory=list)
    durations: dict[Period, list[float]] = field(default_factory=dict)

    @property
    def changes_buckets(self) -> bool:
        return bool(self.deltas or self.durations)
