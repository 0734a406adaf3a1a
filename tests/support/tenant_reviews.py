"""Star-rated reviews of a tenant whose customers praise with "绝绝子" and complain with "踩雷" (words a
model fitted on generic praise and complaints never saw), and a small model fitted on those generic
words: a refit on the tenant's reviews beats it on the held-back slice."""

from __future__ import annotations

from aftersales.sentiment.linear import SentimentModel, Training, empty, fit
from aftersales.sentiment.refit import RatedReview

POSITIVE = ("绝绝子", "真的绝绝子", "绝绝子回购", "这次也绝绝子", "整体绝绝子", "绝绝子呀")
NEGATIVE = ("踩雷", "又踩雷", "踩雷了", "这次踩雷", "彻底踩雷", "踩雷呀")
GENERIC = (("很好", 5), ("满意", 4), ("很差", 1), ("失望", 2))
FAST_TRAINING = Training(epochs=6, learning_rate=0.2)  # for the small model: the shipped one's refit is gentler


def slang_reviews(copies: int = 10, prefix: str = "r") -> list[RatedReview]:
    reviews = []
    for n in range(copies):
        reviews += [RatedReview(f"{prefix}p{n}-{i}", text, 5) for i, text in enumerate(POSITIVE)]
        reviews += [RatedReview(f"{prefix}n{n}-{i}", text, 1) for i, text in enumerate(NEGATIVE)]
    return reviews


def generic_reviews(copies: int = 30, prefix: str = "g") -> list[RatedReview]:
    return [RatedReview(f"{prefix}{n}-{i}", text, stars) for n in range(copies) for i, (text, stars) in
            enumerate(GENERIC)]


def generic_model(version: str = "shipped-1") -> SentimentModel:
    zh = fit(empty("zh", 12), [(text, int(stars > 3)) for text, stars in GENERIC] * 3, Training(epochs=3))
    return SentimentModel(version, {"zh": zh})


def store_published(store, tenant_id: str, reviews: list[RatedReview], at) -> None:
    """Each rated review as a published review of its own order line, through `store.create`
    (a ReviewStore: the DynamoDB adapter or its fake)."""
    from aftersales.reviews.model import Content, Review, ReviewStatus

    for n, rated in enumerate(reviews):
        content = Content(version=1, rating=rated.stars, text=rated.text, locale="zh-Hans", at=at)
        store.create(Review(tenant_id=tenant_id, review_id=rated.review_id, order_id=f"O-{n}", line_id="1",
                            sku="MUG", customer_id=f"cust-{n}", verified_buyer=True, delivered=True,
                            status=ReviewStatus.PUBLISHED, content=content, created_at=at, updated_at=at))
