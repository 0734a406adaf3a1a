"""The reviews store over dicts, with the DynamoDB adapter's rules (adapters/dynamo/reviews.py): a
review is created once and claims its order line once; a save is conditional on the stored version
and moves the sku's rating counters with it; the published listing is newest first, the status
listing oldest change first, both paged by an opaque cursor."""

from __future__ import annotations

from datetime import UTC, datetime

from aftersales.core.errors import ConcurrentModification, Conflict
from aftersales.reviews.insights import Tally, review_tallies
from aftersales.reviews.model import ProductInsights, Projection, Quote, RatingStats, Review, ReviewStatus
from aftersales.reviews.ports import Page, Sort


class InMemoryReviewStore:
    def __init__(self) -> None:
        self.reviews: dict[tuple[str, str], Review] = {}
        self.lines: dict[tuple[str, str, str], str] = {}
        self.counters: dict[tuple[str, str], dict[int, int]] = {}
        self.causes: dict[tuple[str, str], dict[str, int]] = {}
        self.quotes: dict[tuple[str, str], dict[tuple, Quote]] = {}
        self.votes: set[tuple[str, str, str]] = set()
        self.activity_counts: dict[tuple[str, str, str], int] = {}
        self.tallies: dict[tuple[str, str], dict[Tally, int]] = {}  # (tenant, sku): period counters
        self.writes = 0

    def __len__(self) -> int:
        return len(self.reviews)

    def __contains__(self, review_id: object) -> bool:
        return any(key[1] == review_id for key in self.reviews)

    def create(self, review: Review) -> None:
        line = (review.tenant_id, review.order_id, review.line_id)
        if line in self.lines:
            raise Conflict("reviews.already_reviewed", review_id=self.lines[line])
        if (review.tenant_id, review.review_id) in self.reviews:
            raise Conflict("reviews.exists", review_id=review.review_id)
        self.lines[line] = review.review_id
        for bucket in (review.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H"),
                       review.created_at.astimezone(UTC).strftime("%Y-%m-%d")):
            key = (review.tenant_id, review.customer_id, bucket)
            self.activity_counts[key] = self.activity_counts.get(key, 0) + 1
        self.reviews[(review.tenant_id, review.review_id)] = review.model_copy(update={"version": 1})
        self.writes += 1

    def activity(self, tenant_id: str, customer_id: str, at: datetime) -> tuple[int, int]:
        hour, day = at.astimezone(UTC).strftime("%Y-%m-%dT%H"), at.astimezone(UTC).strftime("%Y-%m-%d")
        return (self.activity_counts.get((tenant_id, customer_id, hour), 0),
                self.activity_counts.get((tenant_id, customer_id, day), 0))

    def get(self, tenant_id: str, review_id: str) -> Review | None:
        return self.reviews.get((tenant_id, review_id))

    def save(self, review: Review, expected_version: int, change: Projection) -> Review:
        current = self.reviews.get((review.tenant_id, review.review_id))
        if current is None or current.version != expected_version:
            raise ConcurrentModification("error.concurrent_modification")
        saved = review.model_copy(update={"version": expected_version + 1})
        self.reviews[(review.tenant_id, review.review_id)] = saved
        counts = self.counters.setdefault((review.tenant_id, review.sku), {})
        for star, n in change.ratings.items():
            counts[star] = counts.get(star, 0) + n
        causes = self.causes.setdefault((review.tenant_id, review.sku), {})
        for code, n in change.causes.items():
            causes[code] = causes.get(code, 0) + n
        quotes = self.quotes.setdefault((review.tenant_id, review.sku), {})
        for quote in change.quotes_removed:
            quotes.pop((quote.code, quote.at, quote.review_id), None)
        for quote in change.quotes_added:
            quotes[(quote.code, quote.at, quote.review_id)] = quote
        tallies = self.tallies.setdefault((review.tenant_id, review.sku), {})
        for tally, n in review_tallies(change).items():
            tallies[tally] = tallies.get(tally, 0) + n
        self.writes += 1
        return saved

    def _page(self, items: list[Review], limit: int, cursor: str | None) -> Page:
        start = int(cursor) if cursor else 0
        end = start + limit
        return Page(items=items[start:end], cursor=str(end) if end < len(items) else None)

    def published(self, tenant_id: str, sku: str, *, sort: Sort, limit: int, cursor: str | None) -> Page:
        items = [r for (t, _), r in self.reviews.items() if t == tenant_id and r.sku == sku and r.published]
        items.sort(key=lambda r: ((r.helpful,) if sort == "helpful" else ()) + (r.created_at, r.review_id),
                   reverse=True)
        return self._page(items, limit, cursor)

    def vote(self, review: Review, expected_version: int, voter: str) -> Review:
        key = (review.tenant_id, review.review_id, voter)
        if key in self.votes:
            raise Conflict("reviews.already_voted", review_id=review.review_id)
        saved = self.save(review, expected_version, Projection())
        self.votes.add(key)
        return saved

    def by_status(self, tenant_id: str, status: ReviewStatus, *, limit: int, cursor: str | None) -> Page:
        items = [r for (t, _), r in self.reviews.items() if t == tenant_id and r.status is status]
        items.sort(key=lambda r: (r.updated_at, r.review_id))
        return self._page(items, limit, cursor)

    def stats(self, tenant_id: str, sku: str) -> RatingStats:
        counts = self.counters.get((tenant_id, sku), {})
        return RatingStats(sku=sku, counts={star: counts.get(star, 0) for star in range(1, 6)})

    def insights(self, tenant_id: str, sku: str, *, quotes_per_cause: int) -> ProductInsights:
        causes = {code: n for code, n in self.causes.get((tenant_id, sku), {}).items() if n > 0}
        stored = self.quotes.get((tenant_id, sku), {})
        quotes = {code: sorted((q for key, q in stored.items() if key[0] == code),
                               key=lambda q: (q.at, q.review_id), reverse=True)[:quotes_per_cause]
                  for code in causes}
        return ProductInsights(sku=sku, causes=causes, quotes=quotes)


class StoredOrders:
    """The Orders port over the tickets fake's orders (or a dict)."""

    def __init__(self, orders: dict | None = None) -> None:
        self.orders = orders if orders is not None else {}

    def __len__(self) -> int:
        return len(self.orders)

    def __contains__(self, order_id: object) -> bool:
        return any(key[1] == order_id for key in self.orders)

    def get_order(self, tenant_id: str, order_id: str):
        return self.orders.get((tenant_id, order_id))


class CheckedMedia:
    """The ReviewMedia port: ids in `ready` (per customer) pass, anything else is 422 at its index."""

    def __init__(self, ready: dict[str, set[str]] | None = None) -> None:
        self.ready = ready or {}
        self.checked: list[list[str]] = []

    def __len__(self) -> int:
        return len(self.checked)

    def __contains__(self, media_id: object) -> bool:
        return any(media_id in ids for ids in self.checked)

    def check_review_media(self, tenant_id: str, customer_id: str, media_ids: list[str]) -> None:
        from aftersales.core.errors import InvalidRequest

        self.checked.append(list(media_ids))
        for index, media_id in enumerate(media_ids):
            if media_id not in self.ready.get(customer_id, set()):
                raise InvalidRequest("media.unknown", field=f"media_ids[{index}]")


class RecordingFollowUps:
    """The FollowUps port: one ticket per order line, joined while it exists."""

    def __init__(self) -> None:
        self.tickets: dict[tuple[str, str, str], str] = {}
        self.calls: list[str] = []
        self.links: dict[tuple[str, str], list[str]] = {}
        self.failing = False  # the next calls raise, as an unavailable tickets store would

    def __len__(self) -> int:
        return len(self.tickets)

    def __contains__(self, ticket_id: object) -> bool:
        return ticket_id in self.tickets.values()

    def open_follow_up(self, review: Review) -> str:
        self.calls.append(review.review_id)
        if self.failing:
            raise RuntimeError("tickets unavailable")
        key = (review.tenant_id, review.order_id, review.line_id)
        ticket_id = self.tickets.setdefault(key, f"tkt_{len(self.tickets) + 1}")
        linked = self.links.setdefault((review.tenant_id, ticket_id), [])
        if review.review_id not in linked:
            linked.append(review.review_id)
        return ticket_id

    def linked_reviews(self, tenant_id: str, ticket_id: str) -> list[str]:
        return list(self.links.get((tenant_id, ticket_id), []))
