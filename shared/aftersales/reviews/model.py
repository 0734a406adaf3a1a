"""What a review is: its current content, the versions it replaced, its moderation and its audit list."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from aftersales.core.model import DomainModel

MAX_TITLE = 150
MAX_TEXT = 4800  # title, a line break and the text stay within what the moderation service reads (5000)
MAX_MEDIA = 9
MAX_REPLY = 2000
# A review is one DynamoDB item (400 KB): at most MAX_VERSIONS texts of MAX_TEXT characters (3 bytes
# each), MAX_ENTRIES audit entries with reasons of MAX_REASON, MAX_STORED_REASONS moderation reasons.
MAX_VERSIONS = 10  # content versions kept per review; an edit past them is refused
MAX_ENTRIES = 100  # staff decisions and replies stop there (the consumer's own entries are bounded by the versions)
MAX_REASON = 500
MAX_STORED_REASONS = 50
MAX_EVIDENCE = 3  # per cause


class ReviewStatus(StrEnum):
    PENDING = "pending"  # stored, waiting for the moderation consumer
    PUBLISHED = "published"
    PENDING_REVIEW = "pending_review"  # moderation sent it to a person
    REJECTED = "rejected"


class Content(DomainModel):
    """One version of what the author wrote."""

    version: int = Field(ge=1)
    rating: int = Field(ge=1, le=5)
    title: str | None = None
    text: str
    locale: str
    media_ids: list[str] = Field(default_factory=list)
    at: datetime


class Moderation(DomainModel):
    """The consumer's verdict on one content version (or a person's, `by` set)."""

    status: ReviewStatus
    reasons: list[dict[str, str]] = Field(default_factory=list)  # {code, detail}
    scores: dict[str, float] = Field(default_factory=dict)
    model_version: str | None = None
    content_version: int
    at: datetime
    sentiment: dict[str, Any] | None = None  # polarity, confidence, causes
    by: str | None = None


class Entry(DomainModel):
    """One audit entry: what happened to the review, by whom (append-only)."""

    seq: int
    at: datetime
    event: str
    actor_id: str
    actor_role: str
    from_status: ReviewStatus | None = None
    to_status: ReviewStatus
    reason: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class Reply(DomainModel):
    text: str
    by: str
    at: datetime


class Review(DomainModel):
    tenant_id: str
    review_id: str
    order_id: str
    line_id: str
    sku: str
    batch: str | None = None  # the order line's production batch / lot, when the storefront sends one
    customer_id: str
    verified_buyer: bool
    delivered: bool  # the order line had reached the customer when the review came in
    account_created_at: datetime | None = None
    status: ReviewStatus
    content: Content
    previous: list[Content] = Field(default_factory=list)
    moderation: Moderation | None = None
    reply: Reply | None = None
    risk_keys: dict[str, str] = Field(default_factory=dict)
    follow_up_ticket_id: str | None = None
    helpful: int = 0  # customers who found it helpful (one vote each)
    entries: list[Entry] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    version: int = 1  # of the stored item (optimistic lock)

    @property
    def published(self) -> bool:
        return self.status is ReviewStatus.PUBLISHED


class RatingStats(DomainModel):
    """The published reviews of one sku: count per star and their average."""

    sku: str
    counts: dict[int, int] = Field(default_factory=lambda: {star: 0 for star in range(1, 6)})

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def average(self) -> float | None:
        total = self.total
        return round(sum(star * n for star, n in self.counts.items()) / total, 2) if total else None


class Quote(DomainModel):
    """A published review's sentence that shows one negative cause (sentiment.causes)."""

    code: str
    review_id: str
    text: str
    at: datetime
    batch: str | None = None


class Projection(DomainModel):
    """What a write moves in the sku's projections: star counters, and cause counters with their
    quotes; `at` (the review's created_at) and `batch` place it in the period counters."""

    ratings: dict[int, int] = Field(default_factory=dict)
    at: datetime | None = None
    batch: str | None = None
    quotes_added: list[Quote] = Field(default_factory=list)
    quotes_removed: list[Quote] = Field(default_factory=list)

    @property
    def causes(self) -> dict[str, int]:
        change: dict[str, int] = {}
        for quote in self.quotes_added:
            change[quote.code] = change.get(quote.code, 0) + 1
        for quote in self.quotes_removed:
            change[quote.code] = change.get(quote.code, 0) - 1
        return {code: n for code, n in change.items() if n}

    def __bool__(self) -> bool:
        return bool(self.ratings or self.quotes_added or self.quotes_removed)


class ProductInsights(DomainModel):
    """Negative causes of a sku's published reviews: how many reviews name each, a few quotes each."""

    sku: str
    causes: dict[str, int] = Field(default_factory=dict)
    quotes: dict[str, list[Quote]] = Field(default_factory=dict)
