"""Product review routes: write and edit a review (customer, or the storefront on the customer's
behalf), read one, the public listing of a product with its rating histogram, the staff listing
and moderation queue, staff decisions and the merchant's public reply."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import ConfigDict, Field, StrictInt

from aftersales.core.i18n import translate
from aftersales.core.model import DomainModel
from aftersales.core.text import free_text, label
from aftersales.http.context import CURSOR_MAX_LENGTH, RequestContext, json_response
from aftersales.orders.domain import Identifier
from aftersales.reviews import domain
from aftersales.reviews.model import (
    MAX_MEDIA,
    MAX_REASON,
    MAX_REPLY,
    MAX_TEXT,
    MAX_TITLE,
    Content,
    RatingStats,
    Review,
    ReviewStatus,
)
from aftersales.reviews.service import Draft
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Role
from aftersales.wiring import services

if TYPE_CHECKING:
    from aftersales.media.service import Shown

router = Router()
request = RequestContext(router)

STAFF = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
Locale = Annotated[str, Field(min_length=2, max_length=35, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
                              examples=["zh-Hans", "en"])]


class ReviewContent(DomainModel):
    model_config = ConfigDict(extra="forbid")
    rating: StrictInt = Field(ge=1, le=5)
    title: label(MAX_TITLE) | None = None
    text: free_text(MAX_TEXT, min_length=1)
    locale: Locale
    media_ids: list[Identifier] = Field(default_factory=list, max_length=MAX_MEDIA,
                                        description="The author's own ready media of purpose review (POST /media)")

    def draft(self) -> Draft:
        return Draft(rating=self.rating, text=self.text, locale=self.locale, title=self.title,
                     media_ids=tuple(self.media_ids))


class CreateReviewRequest(ReviewContent):
    order_id: Identifier
    line_id: Identifier
    customer_id: Identifier | None = Field(default=None, description="Storefront calls: checked against the order")


class DecisionRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    verdict: Literal["publish", "reject"]
    reason: free_text(MAX_REASON, min_length=1)


class ReviewReplyRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    text: free_text(MAX_REPLY, min_length=1)


def review_view(review: Review, who: Actor, media: Sequence[Shown] = ()) -> dict:
    """The public view, with the ready media the review shows; its author (or the storefront) also
    sees status, moderation and versions, staff also the audit entries."""
    body = {"id": review.review_id, "sku": review.sku, "verified_buyer": review.verified_buyer,
            **{k: v for k, v in _content_of(review.content).items() if k not in ("version", "at")},
            "media": [_media_of(shown) for shown in media],
            "created_at": review.created_at, "edited": bool(review.previous), "updated_at": review.updated_at,
            "helpful": review.helpful,
            "reply": review.reply.model_dump(mode="json", exclude={"by"}) if review.reply else None}
    staff = bool(who.roles & domain.STAFF)
    if staff or domain.is_author(review, who):
        body |= {"status": review.status.value, "order_id": review.order_id, "line_id": review.line_id,
                 "customer_id": review.customer_id, "version": review.version,
                 "content_version": review.content.version,
                 "previous_versions": [_content_of(c) for c in review.previous],
                 "moderation": review.moderation.model_dump(mode="json", exclude={"content_version"})
                 if review.moderation else None,
                 "follow_up_ticket_id": review.follow_up_ticket_id if staff else None}
    if staff:
        body["entries"] = [e.model_dump(mode="json") for e in review.entries]
    return body


def _views(reviews: list[Review], who: Actor) -> list[dict]:
    """The views of a list of reviews: their media read in one batch for the whole list."""
    media = services().reviews.media_of(request.tenant(), reviews, who)
    return [review_view(r, who, media.get(r.review_id, ())) for r in reviews]


def _view(review: Review, who: Actor) -> dict:
    return _views([review], who)[0]


def _media_of(shown: Shown) -> dict:
    """What a review shows of one ready item: its type, size on screen and a short-lived URL."""
    item, meta = shown.item, shown.item.metadata
    return {"id": item.id, "content_type": ((meta.stored_type if meta else None) or item.content_type).value,
            "width": meta.width if meta else None, "height": meta.height if meta else None,
            "duration_s": meta.duration_s if meta else None, "url": shown.url, "url_expires_in": shown.expires_in}


def _content_of(content: Content) -> dict:
    return {"version": content.version, "rating": content.rating, "title": content.title, "text": content.text,
            "locale": content.locale, "media_ids": content.media_ids, "at": content.at}


def _stats(stats: RatingStats) -> dict:
    return {"counts": {str(star): n for star, n in sorted(stats.counts.items())}, "total": stats.total,
            "average": stats.average}


def _etag(review: Review) -> dict[str, str]:
    return {"ETag": f'"{review.version}"'}


@router.post("/reviews", tags=["reviews"], status_code=201,
             summary="Write a product review of an order line (stored pending, then moderated)")
def create_review(body: CreateReviewRequest) -> Response[dict]:
    who = request.actor()

    def compute() -> dict:
        review = services().reviews.submit(request.tenant(), who, order_id=body.order_id, line_id=body.line_id,
                                           draft=body.draft(), customer_id=body.customer_id,
                                           risk_keys=request.risk_keys(who))
        return _view(review, who)

    return request.idempotent_post(201, compute)


@router.put("/reviews/<review_id>", tags=["reviews"],
            summary="Edit a review (its author): the previous version is kept, the new one moderated")
def edit_review(review_id: Annotated[str, Path(max_length=128)], body: ReviewContent) -> Response[dict]:
    who = request.actor()
    review = services().reviews.edit(request.tenant(), review_id, who, body.draft(),
                                     expected_version=request.if_match())
    return json_response(200, _view(review, who), _etag(review))


@router.get("/reviews/<review_id>", tags=["reviews"],
            summary="A review: anyone of the tenant once published; its author and staff before")
def get_review(review_id: Annotated[str, Path(max_length=128)]) -> Response[dict]:
    who = request.actor()
    review = services().reviews.get(request.tenant(), review_id, who)
    return json_response(200, _view(review, who), _etag(review))


@router.get("/products/<sku>/reviews", tags=["reviews"],
            summary="A product's published reviews, newest or most helpful first, with its rating histogram")
def product_reviews(sku: Annotated[str, Path(min_length=1, max_length=128)],
                    sort: Annotated[Literal["newest", "helpful"], Query()] = "newest",
                    limit: Annotated[int, Query(ge=1, le=100)] = 20,
                    cursor: Annotated[str | None, Query(max_length=CURSOR_MAX_LENGTH)] = None) -> dict:
    who = request.actor()
    listing = request.listing("product-reviews", sku, sort)
    found = services().reviews.for_product(request.tenant(), sku, limit=limit, cursor=listing.position(cursor),
                                           sort=sort)
    return {"sku": sku, "rating": _stats(found.stats), "items": _views(found.page.items, who),
            "next_cursor": listing.cursor(found.page.cursor)}


def _by_status(status: ReviewStatus, limit: int, cursor: str | None) -> dict:
    request.require(*STAFF)
    who = request.actor()
    listing = request.listing("reviews", status.value)
    page = services().reviews.by_status(request.tenant(), who, status, limit=limit, cursor=listing.position(cursor))
    return {"items": _views(page.items, who), "next_cursor": listing.cursor(page.cursor)}


@router.get("/reviews", tags=["reviews"], summary="Reviews in a status, oldest change first (staff)")
def list_reviews(status: Annotated[ReviewStatus, Query()],
                 limit: Annotated[int, Query(ge=1, le=100)] = 50,
                 cursor: Annotated[str | None, Query(max_length=CURSOR_MAX_LENGTH)] = None) -> dict:
    return _by_status(status, limit, cursor)


@router.get("/moderation/queue", tags=["reviews"],
            summary="Reviews moderation sent to a person (pending_review), oldest first (staff)")
def moderation_queue(limit: Annotated[int, Query(ge=1, le=100)] = 50,
                     cursor: Annotated[str | None, Query(max_length=CURSOR_MAX_LENGTH)] = None) -> dict:
    return _by_status(ReviewStatus.PENDING_REVIEW, limit, cursor)


@router.post("/reviews/<review_id>/moderation", tags=["reviews"],
             summary="Publish or reject a review (agent, supervisor, admin), the decision audited")
def decide_review(review_id: Annotated[str, Path(max_length=128)], body: DecisionRequest) -> Response[dict]:
    request.require(*STAFF)
    who, expected = request.actor(), request.if_match()
    return request.idempotent_post(200, lambda: _view(services().reviews.decide(
        request.tenant(), review_id, who, publish=body.verdict == "publish", reason=body.reason,
        expected_version=expected), who))


class HelpfulRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: Identifier | None = Field(default=None, description="Storefront calls: the customer who votes")


@router.post("/reviews/<review_id>/helpful", tags=["reviews"],
             summary="A customer found a published review helpful (once each; not its author)")
def vote_helpful(review_id: Annotated[str, Path(max_length=128)], body: HelpfulRequest) -> Response[dict]:
    who = request.actor()
    review = services().reviews.vote_helpful(request.tenant(), review_id, who, body.customer_id)
    return json_response(200, _view(review, who))


@router.post("/reviews/<review_id>/reply", tags=["reviews"], summary="The merchant's public reply (staff)")
def reply_to_review(review_id: Annotated[str, Path(max_length=128)], body: ReviewReplyRequest) -> Response[dict]:
    request.require(*STAFF)
    who = request.actor()
    return request.idempotent_post(200, lambda: _view(services().reviews.reply(
        request.tenant(), review_id, who, body.text), who))



@router.get("/insights/products/<sku>", tags=["reviews"],
            summary="Why a product disappoints: negative review causes and return reasons per cause in a week or "
                    "month (or one batch), their trend against the previous period, quotes, and suggestions routed "
                    "to an owner (staff)")
def product_insights(sku: Annotated[str, Path(min_length=1, max_length=128)],
                     period: Annotated[Literal["week", "month"], Query()] = "week",
                     of: Annotated[str | None, Query(max_length=8, description="The period: 2026-W49 or 2026-12; "
                                                     "default the current one (UTC)")] = None,
                     batch: Annotated[str | None, Query(min_length=1, max_length=128,
                                                        pattern=r"^[A-Za-z0-9._:\-]+$")] = None,
                     quotes: Annotated[int, Query(ge=0, le=10)] = 3) -> dict:
    request.require(*STAFF)
    found = services().product_insights.read(request.tenant(), sku, request.actor(), kind=period, period=of,
                                             batch=batch, quotes_per_cause=quotes)
    locale = request.locale()
    return {"sku": sku, "period": {"kind": found.kind, "id": found.period, "previous": found.previous,
                                   "timezone": "UTC"},
            "batch": found.batch, "reviews": found.reviews, "previous_reviews": found.previous_reviews,
            "clusters": [{"cause": c.cause, "label": translate(f"cause.{c.cause}", locale), "reviews": c.reviews,
                          "returns": c.returns, "share": c.share,
                          "previous": {"reviews": c.previous_reviews, "returns": c.previous_returns},
                          "trend": c.trend.model_dump(),
                          "quotes": [{"review_id": q.review_id, "text": q.text, "at": q.at.isoformat()}
                                     for q in c.quotes]}
                         for c in found.clusters],
            "suggestions": [{"cause": s.cause, "owner": s.owner.value, "trigger": s.trigger,
                             "message_id": s.message_id, "message": translate(s.message_id, locale, **s.params)}
                            for s in found.suggestions]}
