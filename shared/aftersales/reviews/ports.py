"""What the reviews service needs from outside."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from aftersales.moderation.service import Moderation as TextVerdict
from aftersales.moderation.verdict import Signals
from aftersales.sentiment.model import SentimentResult
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Actor, OpenTicket, Ticket
from aftersales.tickets.ports import StoredOrder

from .insights import ReturnLine, Tally
from .model import ProductInsights, Projection, Quote, RatingStats, Review, ReviewStatus

if TYPE_CHECKING:  # the media and risk contexts load only where they are used
    from aftersales.media.service import NearDuplicate, Shown
    from aftersales.risk.service import ReviewCluster

Sort = Literal["newest", "helpful"]


@dataclass
class Page:
    items: list[Review]
    cursor: str | None


class ReviewStore(Protocol):
    def create(self, review: Review) -> None:
        """Stores a new review, claims its order line and counts it in its author's hour and day
        (UTC, of `created_at`); `Conflict("reviews.already_reviewed", review_id=<the line's review>)`
        when the line already has one."""

    def activity(self, tenant_id: str, customer_id: str, at: datetime) -> tuple[int, int]:
        """Reviews the customer wrote in the UTC hour and the UTC day of `at`."""
        ...

    def get(self, tenant_id: str, review_id: str) -> Review | None: ...

    def save(self, review: Review, expected_version: int, change: Projection) -> Review:
        """Writes `review` at expected_version + 1 and applies `change` to its sku's projections (star
        and cause counters, quotes, the period counters of `insights.review_tallies`) in the same
        transaction; ConcurrentModification when the stored
        version moved on."""
        ...

    def published(self, tenant_id: str, sku: str, *, sort: Sort, limit: int, cursor: str | None) -> Page:
        """The sku's published reviews, newest first, or most helpful first (ties: newest first)."""
        ...

    def vote(self, review: Review, expected_version: int, voter: str) -> Review:
        """Records `voter`'s helpful vote and writes `review` (its count already raised) at
        expected_version + 1, in one transaction; `Conflict("reviews.already_voted")` when the voter
        voted before, ConcurrentModification when the stored version moved on."""
        ...

    def by_status(self, tenant_id: str, status: ReviewStatus, *, limit: int, cursor: str | None) -> Page:
        """Reviews in a status, oldest change first."""
        ...

    def stats(self, tenant_id: str, sku: str) -> RatingStats: ...

    def insights(self, tenant_id: str, sku: str, *, quotes_per_cause: int) -> ProductInsights:
        """Cause counters of the sku and the newest quotes of each cause counted."""
        ...


class Orders(Protocol):
    def get_order(self, tenant_id: str, order_id: str) -> StoredOrder | None: ...


class ReviewMedia(Protocol):
    def check_review_media(self, tenant_id: str, customer_id: str, media_ids: list[str]) -> None:
        """422 at media_ids[i] unless every id is the customer's own ready review media."""

    def show_review_media(self, tenant_id: str, media_ids: Sequence[str]) -> list[Shown]:
        """The ready review media among `media_ids` in one batch read, in the order asked, each with
        a short-lived download URL; anything not ready (pending, rejected, gone) is left out."""
        ...


class PhotoCopies(Protocol):
    def near_duplicates(self, tenant_id: str, media_id: str, *, other_customers_only: bool = True
                        ) -> list[NearDuplicate]:
        """Ready media of the tenant whose perceptual hash nearly matches this item's (of other
        customers only, by default), nearest first."""
        ...


class ReviewClusters(Protocol):
    def record_review(self, tenant_id: str, *, review_id: str, account_id: str, sku: str, rating: int,
                      written_at: datetime, keys: Mapping[str, str], now: datetime | None = None) -> ReviewCluster:
        """Counts the review's author under its risk keys (idempotent per review) and answers how many
        accounts are behind them, and behind them gave the sku five stars lately."""
        ...


class TextModeration(Protocol):
    def moderate(self, tenant_id: str, review_id: str, text: str, signals: Signals) -> TextVerdict: ...


class Sentiment(Protocol):
    def analyse(self, tenant_id: str, texts: Sequence[str]) -> list[SentimentResult]:
        """One result per text, read with the model current for the tenant (its refit or the shipped one)."""
        ...


class FollowUps(Protocol):
    def open_follow_up(self, review: Review) -> str | None:
        """The id of the ticket the review joined: the open request about a defect it names, or the
        line's open complaint (opened, or joined) when it is negative; None when neither applies."""
        ...

    def linked_reviews(self, tenant_id: str, ticket_id: str) -> list[str]:
        """Ids of the reviews linked to the ticket, in linking order."""
        ...


class Tickets(Protocol):
    """What a follow-up needs of the tickets context (TicketService)."""

    def open(self, tenant_id: str, request: OpenTicket, actor: Actor) -> Ticket: ...

    def get(self, tenant_id: str, ticket_id: str, actor: Actor) -> Ticket: ...

    def note(self, tenant_id: str, ticket_id: str, event: str, actor: Actor, *,
             reason: str | None = None, data: dict[str, Any] | None = None) -> Ticket: ...

    def audit(self, tenant_id: str, ticket_id: str, actor: Actor) -> list[AuditEntry]: ...


class InsightSignals(Protocol):
    def review_counted(self, tenant_id: str, sku: str, change: Projection) -> list[str]:
        """A review's save moved the sku's period counters by `change` (ProductInsightService)."""
        ...


class InsightStore(Protocol):
    """Period counters of a sku (written by `ReviewStore.save` for reviews, by `count_return` for
    return requests) and what the suggestions have announced."""

    def period(self, tenant_id: str, sku: str, period: str, batch: str | None) -> dict[str, int]:
        """Counter -> n of the sku (or its batch) in the period (`reviews`, `cause:<c>`, `return:<c>`)."""
        ...

    def tallies(self, tenant_id: str, sku: str, keys: Sequence[Tally]) -> dict[Tally, int]:
        """The named counters of the sku (missing ones are absent)."""
        ...

    def quotes(self, tenant_id: str, sku: str, cause: str, batch: str | None, start: datetime, end: datetime,
               *, limit: int) -> list[Quote]:
        """The newest quotes of the cause from reviews created in [start, end) (of the batch when given)."""
        ...

    def count_return(self, tenant_id: str, line: ReturnLine, tallies: dict[Tally, int]) -> bool:
        """Adds `tallies` for one return request line, once per (ticket, line): False when it was
        counted before."""
        ...

    def claim_suggestion(self, tenant_id: str, sku: str, cause: str, period: str) -> bool:
        """Records that the suggestion of the sku's cause in the period is announced: False when it already was."""
        ...

    def release_suggestion(self, tenant_id: str, sku: str, cause: str, period: str) -> None:
        """Forgets a claim whose event could not be published, so the next signal announces it."""
        ...
