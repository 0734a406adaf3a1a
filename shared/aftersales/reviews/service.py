"""Review use cases: submit and edit (stored pending, then put on the moderation queue through a
`review.submitted` event), moderate (the consumer), read and list, staff decisions, the reply.

Every write goes through `ReviewStore.save` with the item version it read and the change to the
sku's rating counters, in one transaction: the projection moves only with a status change."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from aftersales.core.clock import Clock
from aftersales.core.errors import ConcurrentModification, Conflict, Forbidden, InvalidRequest, NotFound
from aftersales.core.ids import new_id
from aftersales.events.ports import EventPublisher
from aftersales.moderation.verdict import Signals
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Role

from . import domain
from .model import (
    MAX_EVIDENCE,
    MAX_STORED_REASONS,
    Content,
    Moderation,
    ProductInsights,
    Projection,
    RatingStats,
    Review,
    ReviewStatus,
)
from .ports import (
    FollowUps,
    InsightSignals,
    Orders,
    Page,
    PhotoCopies,
    ReviewClusters,
    ReviewMedia,
    ReviewStore,
    Sentiment,
    Sort,
    TextModeration,
)

if TYPE_CHECKING:
    from aftersales.media.service import Shown

logger = Logger(child=True)

SOURCE = "aftersales.reviews"
SUBMITTED = "review.submitted"
UPDATE_INVITED = domain.UPDATE_INVITED
MAX_ATTEMPTS = 4
SYSTEM = Actor(id="review-moderation", roles=frozenset({Role.SYSTEM}))
STATUS_BY_VERDICT = {"publish": ReviewStatus.PUBLISHED, "pending_review": ReviewStatus.PENDING_REVIEW,
                     "reject": ReviewStatus.REJECTED}


@dataclass(frozen=True)
class Draft:
    """What the author writes (validated by the route's request model)."""

    rating: int
    text: str
    locale: str
    title: str | None = None
    media_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProductReviews:
    page: Page
    stats: RatingStats


class ReviewService:
    def __init__(self, store: ReviewStore, orders: Orders, media: ReviewMedia, events: EventPublisher,
                 clock: Clock, id_factory: Callable[[], str] | None = None,
                 follow_ups: FollowUps | None = None, insights: InsightSignals | None = None) -> None:
        self._store = store
        self._follow_ups = follow_ups
        self._insights = insights
        self._orders = orders
        self._media = media
        self._events = events
        self._clock = clock
        self._new_id = id_factory or (lambda: new_id("rev", self._clock.now()))

    # ------------------------------------------------------------------ intake
    def submit(self, tenant_id: str, actor: Actor, *, order_id: str, line_id: str, draft: Draft,
               customer_id: str | None = None, risk_keys: dict[str, str] | None = None) -> Review:
        stored = self._orders.get_order(tenant_id, order_id)
        if stored is None:
            raise InvalidRequest("error.unknown_order", field="order_id", order_id=order_id)
        at = self._clock.now()
        review = domain.submit(review_id=self._new_id(), tenant_id=tenant_id, order=stored.order, line_id=line_id,
                               content=self._content(draft, 1, at), actor=actor, customer_id=customer_id,
                               risk_keys=risk_keys or {}, at=at)
        self._check_media(tenant_id, review.customer_id, draft)
        try:
            self._store.create(review)
        except Conflict as exc:
            existing = self._store.get(tenant_id, str(exc.details.get("review_id")))
            if existing is not None and existing.status is ReviewStatus.PENDING:
                self._queue(existing)  # a retry after the queue refused: it gets there now
            raise
        self._queue(review)
        return review

    def edit(self, tenant_id: str, review_id: str, actor: Actor, draft: Draft,
             expected_version: int | None = None) -> Review:
        def change(review: Review) -> Review:
            self._check_media(tenant_id, review.customer_id, draft)
            return domain.edit(review, rating=draft.rating, title=draft.title, text=draft.text, locale=draft.locale,
                               media_ids=list(draft.media_ids), actor=actor, at=self._clock.now())

        current = self.get(tenant_id, review_id, actor)
        if domain.is_author(current, actor) and domain.unchanged(current, draft.rating, draft.title, draft.text,
                                                                draft.locale, list(draft.media_ids)):
            return current  # a repeated PUT: no new version, nothing to moderate again
        review = self._mutate(tenant_id, review_id, actor, change, expected_version)
        self._queue(review)
        return review

    def _content(self, draft: Draft, version: int, at: datetime) -> Content:
        return Content(version=version, rating=draft.rating, title=draft.title, text=draft.text, locale=draft.locale,
                       media_ids=list(draft.media_ids), at=at)

    def _check_media(self, tenant_id: str, customer_id: str, draft: Draft) -> None:
        if draft.media_ids:
            self._media.check_review_media(tenant_id, customer_id, list(draft.media_ids))

    def _queue(self, review: Review) -> None:
        self._events.publish(SOURCE, SUBMITTED, {"tenant_id": review.tenant_id, "review_id": review.review_id,
                                                 "content_version": review.content.version,
                                                 "sku": review.sku})

    # ------------------------------------------------------------------ reads
    def get(self, tenant_id: str, review_id: str, actor: Actor) -> Review:
        review = self._store.get(tenant_id, review_id)
        if review is None or not domain.can_view(review, actor):
            raise NotFound("reviews.not_found", review_id=review_id)
        return review

    def for_product(self, tenant_id: str, sku: str, *, limit: int, cursor: str | None,
                    sort: Sort = "newest") -> ProductReviews:
        return ProductReviews(self._store.published(tenant_id, sku, sort=sort, limit=limit, cursor=cursor),
                              self._store.stats(tenant_id, sku))

    def media_of(self, tenant_id: str, reviews: Sequence[Review], actor: Actor) -> dict[str, list[Shown]]:
        """The ready photos and videos each review shows `actor` (whoever may see the review: anyone
        of the tenant once published, its author and staff before), by review id, read in one batch
        for the whole list (a listing page is one read, not one per review)."""
        visible = [r for r in reviews if r.tenant_id == tenant_id and domain.can_view(r, actor)]
        wanted = list(dict.fromkeys(m for r in visible for m in r.content.media_ids))
        if not wanted:
            return {}
        shown = {s.item.id: s for s in self._media.show_review_media(tenant_id, wanted)}
        return {r.review_id: [shown[m] for m in r.content.media_ids
                              if m in shown and shown[m].item.customer_id == r.customer_id] for r in visible}

    def vote_helpful(self, tenant_id: str, review_id: str, actor: Actor, customer_id: str | None = None) -> Review:
        """A customer (or the storefront naming one) found a published review helpful; once each."""
        if actor.is_customer:
            voter = actor.customer_id
        elif Role.STOREFRONT in actor.roles and customer_id:
            voter = customer_id
        elif Role.STOREFRONT in actor.roles:
            raise InvalidRequest("error.field_required", field="customer_id")
        else:
            raise Forbidden("error.role_not_permitted")
        for _ in range(MAX_ATTEMPTS):
            review = self.get(tenant_id, review_id, actor)
            try:
                return self._store.vote(domain.helpful_vote(review, str(voter)), review.version, str(voter))
            except ConcurrentModification:
                continue
            except Conflict as exc:
                if exc.message_id == "reviews.already_voted":
                    return review  # a repeated vote counts once
                raise
        raise ConcurrentModification("error.concurrent_modification")

    def insights(self, tenant_id: str, sku: str, actor: Actor, *, quotes_per_cause: int = 3) -> ProductInsights:
        """Negative causes of the sku's published reviews with a few recent quotes each (staff)."""
        if not actor.roles & domain.STAFF:
            raise Forbidden("error.role_not_permitted")
        return self._store.insights(tenant_id, sku, quotes_per_cause=quotes_per_cause)

    def by_status(self, tenant_id: str, actor: Actor, status: ReviewStatus, *, limit: int,
                  cursor: str | None) -> Page:
        if not actor.roles & domain.STAFF:
            raise Forbidden("error.role_not_permitted")
        return self._store.by_status(tenant_id, status, limit=limit, cursor=cursor)

    # ------------------------------------------------------------------ staff
    def decide(self, tenant_id: str, review_id: str, actor: Actor, *, publish: bool, reason: str,
               expected_version: int | None = None) -> Review:
        """A person's verdict; a negative review they publish gets its follow-up as the consumer's do."""
        review = self._mutate(tenant_id, review_id, actor, lambda r: domain.decide(
            r, publish=publish, reason=reason, actor=actor, at=self._clock.now()), expected_version)
        return follow_up(self._store, self._follow_ups, review, self._clock)

    def invite_update(self, tenant_id: str, ticket_id: str) -> list[str]:
        """A ticket a review joined was resolved or closed: each such review's author is invited,
        once per ticket, to update it (`review.update_invited`, which notifications deliver). The
        ids of the reviews invited now."""
        if self._follow_ups is None:
            return []
        invited = []
        for review_id in self._follow_ups.linked_reviews(tenant_id, ticket_id):
            for _ in range(MAX_ATTEMPTS):
                review = self._store.get(tenant_id, review_id)
                changed = domain.update_invited(review, ticket_id, SYSTEM, self._clock.now()) if review else None
                if changed is None:
                    break
                # published before the save: a redelivery after a failed save publishes it again,
                # and notifications send once per dedup_key
                self._events.publish(SOURCE, UPDATE_INVITED, {
                    "tenant_id": tenant_id, "review_id": review_id, "ticket_id": ticket_id,
                    "customer_id": review.customer_id, "sku": review.sku,
                    "dedup_key": f"{review_id}#{UPDATE_INVITED}#{ticket_id}"})
                try:
                    self._store.save(changed, review.version, Projection())
                except ConcurrentModification:
                    continue
                invited.append(review_id)
                break
        return invited

    def reply(self, tenant_id: str, review_id: str, actor: Actor, text: str) -> Review:
        return self._mutate(tenant_id, review_id, actor, lambda r: domain.reply(
            r, text=text, actor=actor, at=self._clock.now()), None)

    def _mutate(self, tenant_id: str, review_id: str, actor: Actor, make: Callable[[Review], Review],
                expected_version: int | None) -> Review:
        for _ in range(MAX_ATTEMPTS):
            review = self.get(tenant_id, review_id, actor)
            if expected_version is not None and review.version != expected_version:
                raise ConcurrentModification("error.concurrent_modification")
            changed = make(review)
            change = domain.projection_change(review, changed)
            try:
                saved = self._store.save(changed, review.version, change)
            except ConcurrentModification:
                if expected_version is not None:
                    raise
                continue
            return counted(self._insights, saved, change)
        raise ConcurrentModification("error.concurrent_modification")


class ReviewModeration:
    """The moderation consumer's use case: text checks, sentiment and behaviour signals -> status."""

    def __init__(self, store: ReviewStore, text: TextModeration, sentiment: Sentiment, clock: Clock,
                 follow_ups: FollowUps | None = None, photos: PhotoCopies | None = None,
                 clusters: ReviewClusters | None = None, insights: InsightSignals | None = None) -> None:
        self._insights = insights
        self._photos = photos
        self._clusters = clusters
        self._store = store
        self._text = text
        self._sentiment = sentiment
        self._clock = clock
        self._follow_ups = follow_ups

    def moderate(self, tenant_id: str, review_id: str, content_version: int) -> str:
        """What happened: published | pending_review | rejected | stale | unknown."""
        for _ in range(MAX_ATTEMPTS):
            review = self._store.get(tenant_id, review_id)
            if review is None:
                return "unknown"
            if review.content.version != content_version:
                return "stale"  # edited again: its own message follows
            if review.status is not ReviewStatus.PENDING:
                # already moderated (a redelivery): finish a follow-up that failed after the save
                healed = domain.needs_follow_up(review) and self._follow_ups is not None
                follow_up(self._store, self._follow_ups, review, self._clock)
                return "follow_up" if healed else "stale"
            outcome = self._outcome(review)
            changed = domain.moderated(review, outcome, SYSTEM)
            if changed is None:
                return "stale"
            change = domain.projection_change(review, changed)
            try:
                saved = counted(self._insights, self._store.save(changed, review.version, change), change)
            except ConcurrentModification:
                continue
            logger.info("review moderated", extra={"tenant_id": tenant_id, "review_id": review_id,
                                                   "status": saved.status.value,
                                                   "reasons": [r["code"] for r in outcome.reasons]})
            follow_up(self._store, self._follow_ups, saved, self._clock)
            return saved.status.value
        raise ConcurrentModification("error.concurrent_modification")

    def _outcome(self, review: Review) -> Moderation:
        now = self._clock.now()
        content = review.content
        text = f"{content.title}\n{content.text}" if content.title else content.text
        sentiment = self._sentiment.analyse(review.tenant_id, [text])[0]
        hour, day = self._store.activity(review.tenant_id, review.customer_id, review.created_at)
        signals = Signals(verified_buyer=review.verified_buyer, reviews_last_hour=hour, reviews_last_day=day,
                          account_age_days=domain.account_age_days(review.account_created_at, now),
                          rating=content.rating,
                          sentiment=domain.sentiment_score(sentiment.polarity.value, sentiment.confidence),
                          **self._across_accounts(review, now))
        checked = self._text.moderate(review.tenant_id, review.review_id, text, signals)
        verdict = checked.verdict
        return Moderation(
            status=STATUS_BY_VERDICT[verdict.status.value],
            reasons=[{"code": r.code, "detail": r.detail} for r in verdict.reasons[:MAX_STORED_REASONS]],
            scores=dict(verdict.scores), model_version=sentiment.model_version, content_version=content.version,
            at=now,
            sentiment={"polarity": sentiment.polarity.value, "confidence": round(sentiment.confidence, 4),
                       "language": sentiment.language, "lexicon_version": checked.lexicon_version,
                       "causes": [{"code": c.code, "evidence": [e.text for e in c.evidence[:MAX_EVIDENCE]],
                                   "quote": domain.sentence_around(text, c.evidence[0].start, c.evidence[0].end)
                                   if c.evidence else None}
                                  for c in sentiment.causes]})

    def _across_accounts(self, review: Review, now: datetime) -> dict[str, int]:
        """Signals across accounts: photos nearly copying another account's, and the accounts behind
        the review's IP and device keys (the review is counted there first, once per review)."""
        found: dict[str, int] = {}
        if self._photos is not None and review.content.media_ids:
            photos = dict.fromkeys(review.content.media_ids)
            found["photo_copied_from_other_accounts"] = sum(_copied(self._photos, review.tenant_id, m) for m in photos)
        if self._clusters is not None and review.risk_keys:
            cluster = self._clusters.record_review(
                review.tenant_id, review_id=review.review_id, account_id=review.customer_id, sku=review.sku,
                rating=review.content.rating, written_at=review.created_at, keys=review.risk_keys, now=now)
            found |= {"device_accounts": cluster.accounts.get("device", 0),
                      "ip_accounts": cluster.accounts.get("ip", 0),
                      "device_five_star_accounts": cluster.five_star_accounts.get("device", 0),
                      "ip_five_star_accounts": cluster.five_star_accounts.get("ip", 0)}
        return found


def _copied(photos: PhotoCopies, tenant_id: str, media_id: str) -> bool:
    """The photo nearly copies another customer's."""
    try:
        return bool(photos.near_duplicates(tenant_id, media_id, other_customers_only=True))
    except NotFound:
        return False  # no such item any more: nothing to compare


def counted(insights: InsightSignals | None, saved: Review, change: Projection) -> Review:
    """Lets product insights check the clusters a save moved (announcing those over a threshold)."""
    if insights is not None and change.causes:
        insights.review_counted(saved.tenant_id, saved.sku, change)
    return saved


def follow_up(store: ReviewStore, follow_ups: FollowUps | None, review: Review, clock: Clock) -> Review:
    """Opens (or joins) the complaint of a review that needs one and records its id on the review."""
    if follow_ups is None or not domain.needs_follow_up(review):
        return review
    ticket_id = follow_ups.open_follow_up(review)
    if ticket_id is None:
        return review
    for _ in range(MAX_ATTEMPTS):
        current = store.get(review.tenant_id, review.review_id)
        if current is None or current.follow_up_ticket_id:
            return current or review
        try:
            return store.save(domain.follow_up_opened(current, ticket_id, SYSTEM, clock.now()), current.version,
                              Projection())
        except ConcurrentModification:
            continue
    return review
