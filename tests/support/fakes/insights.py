"""The product-insight store over the reviews fake's dicts, with the DynamoDB adapter's rules
(adapters/dynamo/reviews.py DynamoInsightStore): a return line counts once per (ticket, line), a
suggestion is claimed once per sku, cause and period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aftersales.reviews.insights import ReturnLine, Tally
from aftersales.reviews.model import Quote
from tests.support.fakes.reviews import InMemoryReviewStore


class InMemoryInsightStore:
    def __init__(self, reviews: InMemoryReviewStore) -> None:
        self.reviews = reviews  # its `tallies` and `quotes` are the ones its saves move
        self.counted: set[tuple[str, str, str]] = set()
        self.claims: set[tuple[str, str, str, str]] = set()
        self.reads = 0

    def __len__(self) -> int:
        return len(self.claims)

    def __contains__(self, claim: object) -> bool:
        return claim in self.claims

    def period(self, tenant_id: str, sku: str, period: str, batch: str | None) -> dict[str, int]:
        self.reads += 1
        return {t.counter: n for t, n in self.reviews.tallies.get((tenant_id, sku), {}).items()
                if t.period == period and t.batch == batch}

    def tallies(self, tenant_id: str, sku: str, keys: Sequence[Tally]) -> dict[Tally, int]:
        self.reads += 1
        stored = self.reviews.tallies.get((tenant_id, sku), {})
        return {key: stored[key] for key in keys if key in stored}

    def quotes(self, tenant_id: str, sku: str, cause: str, batch: str | None, start: datetime, end: datetime,
               *, limit: int) -> list[Quote]:
        self.reads += 1
        found = [q for q in self.reviews.quotes.get((tenant_id, sku), {}).values()
                 if q.code == cause and start <= q.at < end and (batch is None or q.batch == batch)]
        return sorted(found, key=lambda q: (q.at, q.review_id), reverse=True)[:limit]

    def count_return(self, tenant_id: str, line: ReturnLine, tallies: dict[Tally, int]) -> bool:
        key = (tenant_id, line.ticket_id, line.line_id)
        if key in self.counted:
            return False
        self.counted.add(key)
        stored = self.reviews.tallies.setdefault((tenant_id, line.sku), {})
        for tally, n in tallies.items():
            stored[tally] = stored.get(tally, 0) + n
        return True

    def claim_suggestion(self, tenant_id: str, sku: str, cause: str, period: str) -> bool:
        key = (tenant_id, sku, cause, period)
        if key in self.claims:
            return False
        self.claims.add(key)
        return True

    def release_suggestion(self, tenant_id: str, sku: str, cause: str, period: str) -> None:
        self.claims.discard((tenant_id, sku, cause, period))
