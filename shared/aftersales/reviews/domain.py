"""Pure review rules: who wrote it and whether they bought it, edits that keep versions, the
moderation outcome, staff decisions, the reply, who may see what, and the rating projection's
change. No I/O, no clock: every function takes `at`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aftersales.core.errors import Conflict, Forbidden, IllegalTransition, InvalidRequest, NotFound
from aftersales.orders.domain import Order
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Role

from .model import MAX_ENTRIES, MAX_VERSIONS, Content, Entry, Moderation, Projection, Quote, Reply, Review, ReviewStatus

STAFF = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
NEGATIVE_RATING = 2  # at or below: a negative review
NEGATIVE_CONFIDENCE = 0.8  # the text's sentiment is "clearly" negative at or above this
DEFECT_CAUSE = "quality"  # the cause code that says the product itself is faulty
UPDATE_INVITED = "review.update_invited"
DECIDABLE = frozenset({ReviewStatus.PENDING_REVIEW, ReviewStatus.PUBLISHED, ReviewStatus.REJECTED})


def author_of(order: Order, actor: Actor, customer_id: str | None) -> str:
    """The review's author: the customer calling, or the order's customer when the storefront
    writes on their behalf. Another customer's order is as unknown as a missing one."""
    if actor.is_customer:
        if order.customer.id != actor.customer_id:
            raise InvalidRequest("error.unknown_order", field="order_id", order_id=order.order_id)
        return order.customer.id
    if Role.STOREFRONT not in actor.roles:
        raise Forbidden("error.role_not_permitted")
    if customer_id is not None and customer_id != order.customer.id:
        raise InvalidRequest("error.customer_mismatch", field="customer_id")
    return order.customer.id


def line_of(order: Order, line_id: str) -> tuple[str, bool, bool]:
    """(sku, verified buyer, delivered) of the order line (422 at line_id when the order has no such line)."""
    line = next((ln for ln in order.lines if ln.line_id == line_id), None)
    if line is None:
        raise InvalidRequest("reviews.unknown_line", field="line_id", line_id=line_id)
    status = order.fulfilment.status if order.fulfilment else None
    return line.sku, status != "cancelled", status == "delivered"


def _entry(review: Review | None, *, event: str, actor: Actor, at: datetime, to_status: ReviewStatus,
           reason: str | None = None, data: dict[str, Any] | None = None) -> Entry:
    return Entry(seq=len(review.entries) + 1 if review else 1, at=at, event=event, actor_id=actor.id,
                 actor_role=actor.primary_role.value, from_status=review.status if review else None,
                 to_status=to_status, reason=reason, data=data or {})


def submit(*, review_id: str, tenant_id: str, order: Order, line_id: str, content: Content, actor: Actor,
           customer_id: str | None, risk_keys: dict[str, str], at: datetime) -> Review:
    author = author_of(order, actor, customer_id)
    sku, verified, delivered = line_of(order, line_id)
    bought = order.line(line_id)
    draft = Review(tenant_id=tenant_id, review_id=review_id, order_id=order.order_id, line_id=line_id, sku=sku,
                   batch=bought.batch if bought else None, customer_id=author, verified_buyer=verified,
                   delivered=delivered,
                   account_created_at=order.customer.account_created_at, status=ReviewStatus.PENDING,
                   content=content, risk_keys=risk_keys, created_at=at, updated_at=at)
    entry = _entry(None, event="review.submitted", actor=actor, at=at, to_status=ReviewStatus.PENDING,
                   data={"content_version": content.version, "verified_buyer": verified})
    return draft.model_copy(update={"entries": [entry]})


def _room_for_entries(review: Review) -> None:
    if len(review.entries) >= MAX_ENTRIES:
        raise Conflict("reviews.too_many_changes", max=MAX_ENTRIES)


def is_author(review: Review, actor: Actor) -> bool:
    if actor.is_customer:
        return actor.customer_id == review.customer_id
    return Role.STOREFRONT in actor.roles


def edit(review: Review, *, rating: int, title: str | None, text: str, locale: str, media_ids: list[str],
         actor: Actor, at: datetime) -> Review:
    """The author's new version: the current one is kept in `previous`, the review goes back to pending."""
    if not is_author(review, actor):
        raise NotFound("reviews.not_found", review_id=review.review_id)
    if len(review.previous) + 1 >= MAX_VERSIONS:
        raise Conflict("reviews.too_many_versions", max=MAX_VERSIONS)
    content = Content(version=review.content.version + 1, rating=rating, title=title, text=text, locale=locale,
                      media_ids=media_ids, at=at)
    entry = _entry(review, event="review.edited", actor=actor, at=at, to_status=ReviewStatus.PENDING,
                   data={"content_version": content.version})
    return review.model_copy(update={"content": content, "previous": [*review.previous, review.content],
                                     "status": ReviewStatus.PENDING, "moderation": None, "updated_at": at,
                                     "entries": [*review.entries, entry]})


def unchanged(review: Review, rating: int, title: str | None, text: str, locale: str, media_ids: list[str]) -> bool:
    c = review.content
    return (c.rating, c.title, c.text, c.locale, c.media_ids) == (rating, title, text, locale, media_ids)


def moderated(review: Review, moderation: Moderation, actor: Actor) -> Review | None:
    """The consumer's verdict on the version it read; None when the review moved on meanwhile
    (edited again, or already moderated: a redelivered message)."""
    if review.status is not ReviewStatus.PENDING or review.content.version != moderation.content_version:
        return None
    entry = _entry(review, event="review.moderated", actor=actor, at=moderation.at, to_status=moderation.status,
                   data={"content_version": moderation.content_version,
                         "reasons": sorted({r["code"] for r in moderation.reasons})})
    return review.model_copy(update={"status": moderation.status, "moderation": moderation,
                                     "updated_at": moderation.at, "entries": [*review.entries, entry]})


def decide(review: Review, *, publish: bool, reason: str, actor: Actor, at: datetime) -> Review:
    """A person's verdict (agent, supervisor, admin): publish or reject, with the reason audited."""
    if not actor.roles & STAFF:
        raise Forbidden("error.role_not_permitted", required=sorted(r.value for r in STAFF))
    _room_for_entries(review)
    target = ReviewStatus.PUBLISHED if publish else ReviewStatus.REJECTED
    if review.status not in DECIDABLE or review.status is target:
        raise IllegalTransition("reviews.illegal_decision", status=review.status.value, to=target.value)
    entry = _entry(review, event="review.published_by_staff" if publish else "review.rejected_by_staff",
                   actor=actor, at=at, to_status=target, reason=reason)
    return review.model_copy(update={"status": target, "updated_at": at, "entries": [*review.entries, entry]})


def reply(review: Review, *, text: str, actor: Actor, at: datetime) -> Review:
    """The merchant's public answer (one; a new reply replaces it, both audited)."""
    if not actor.roles & STAFF:
        raise Forbidden("error.role_not_permitted", required=sorted(r.value for r in STAFF))
    _room_for_entries(review)
    entry = _entry(review, event="review.replied", actor=actor, at=at, to_status=review.status,
                   data={"replaced": review.reply is not None})
    return review.model_copy(update={"reply": Reply(text=text, by=actor.id, at=at), "updated_at": at,
                                     "entries": [*review.entries, entry]})


def helpful_vote(review: Review, voter: str) -> Review:
    """One more customer found the published review helpful (not its author; not audited: votes
    are not decisions)."""
    if not review.published:
        raise NotFound("reviews.not_found", review_id=review.review_id)
    if voter == review.customer_id:
        raise Conflict("reviews.own_review", review_id=review.review_id)
    return review.model_copy(update={"helpful": review.helpful + 1})


def follow_up_opened(review: Review, ticket_id: str, actor: Actor, at: datetime) -> Review:
    entry = _entry(review, event="review.follow_up", actor=actor, at=at, to_status=review.status,
                   data={"ticket_id": ticket_id})
    return review.model_copy(update={"follow_up_ticket_id": ticket_id, "entries": [*review.entries, entry]})


def can_view(review: Review, actor: Actor) -> bool:
    """Published: anyone of the tenant. Otherwise its author (or the storefront) and staff."""
    return review.published or bool(actor.roles & STAFF) or is_author(review, actor)


def is_negative(review: Review) -> bool:
    """1-2 stars, or a clearly negative text."""
    if review.content.rating <= NEGATIVE_RATING:
        return True
    sentiment = review.moderation.sentiment if review.moderation else None
    return bool(sentiment and sentiment.get("polarity") == "negative"
                and float(sentiment.get("confidence", 0.0)) >= NEGATIVE_CONFIDENCE)


def mentions_defect(review: Review) -> bool:
    """The moderation found the quality cause (broken, faulty, does not work ...) in the text."""
    sentiment = review.moderation.sentiment if review.moderation else None
    return any(cause.get("code") == DEFECT_CAUSE for cause in (sentiment or {}).get("causes", []))


def needs_follow_up(review: Review) -> bool:
    """A published review of a delivered line that after-sales should see: a negative one (it opens
    or joins a complaint), or one that mentions a defect (it joins an open return of the line)."""
    if not review.published or not review.delivered or review.follow_up_ticket_id:
        return False
    return is_negative(review) or mentions_defect(review)


def update_invited(review: Review, ticket_id: str, actor: Actor, at: datetime) -> Review | None:
    """The review's follow-up ticket closed: its author is invited to update it, once per ticket."""
    if invited_for(review, ticket_id):
        return None
    entry = _entry(review, event=UPDATE_INVITED, actor=actor, at=at, to_status=review.status,
                   data={"ticket_id": ticket_id})
    return review.model_copy(update={"entries": [*review.entries, entry], "updated_at": at})


def invited_for(review: Review, ticket_id: str) -> bool:
    return any(e.event == UPDATE_INVITED and e.data.get("ticket_id") == ticket_id for e in review.entries)


def quotes(review: Review) -> list[Quote]:
    """The review's negative causes, one quote each (the sentence of the cause's first evidence)."""
    sentiment = review.moderation.sentiment if review.moderation else None
    return [Quote(code=cause["code"], review_id=review.review_id, text=cause["quote"], at=review.created_at,
                  batch=review.batch)
            for cause in (sentiment or {}).get("causes", []) if cause.get("quote")]


def projection_change(before: Review | None, after: Review) -> Projection:
    """What the sku's projections gain and lose when `before` becomes `after`: only published
    reviews count, so a status change moves them and nothing else does."""
    ratings: dict[int, int] = {}
    removed = quotes(before) if before is not None and before.published else []
    added = quotes(after) if after.published else []
    if before is not None and before.published:
        ratings[before.content.rating] = ratings.get(before.content.rating, 0) - 1
    if after.published:
        ratings[after.content.rating] = ratings.get(after.content.rating, 0) + 1
    same = {(q.code, q.text) for q in removed} & {(q.code, q.text) for q in added}
    return Projection(ratings={star: n for star, n in ratings.items() if n}, at=after.created_at, batch=after.batch,
                      quotes_added=[q for q in added if (q.code, q.text) not in same],
                      quotes_removed=[q for q in removed if (q.code, q.text) not in same])


SENTENCE_ENDS = "。！？!?.\n；;"
MAX_QUOTE = 140


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding text[start:end], at most MAX_QUOTE characters around it."""
    first = max((text.rfind(c, 0, start) for c in SENTENCE_ENDS), default=-1) + 1
    stops = [i for i in (text.find(c, end) for c in SENTENCE_ENDS) if i != -1]
    last = min(stops) + 1 if stops else len(text)
    first, last = max(first, start - MAX_QUOTE // 2), min(last, end + MAX_QUOTE // 2)
    return text[first:last].strip()


def sentiment_score(polarity: str, confidence: float) -> float | None:
    """The text's sentiment from -1 (negative) to 1 (positive); None when no model read it."""
    if polarity == "positive":
        return round(2 * confidence - 1, 4)
    if polarity == "negative":
        return round(1 - 2 * confidence, 4)
    if polarity in ("neutral", "mixed"):
        return 0.0
    return None


def account_age_days(account_created_at: datetime | None, at: datetime) -> int | None:
    if account_created_at is None:
        return None
    return max(0, (at - account_created_at).days)
