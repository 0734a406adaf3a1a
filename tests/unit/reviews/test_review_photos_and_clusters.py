"""Photos on reviews and the cross-account signals of the moderation consumer, on in-memory fakes
with the real media and risk services: a published review shows its ready media (with a short-lived
URL) to anyone of the tenant and, before that, to its author and staff only; a listing page reads its
media in one batch; a photo nearly copying another account's, and five-star bursts from accounts
sharing a device, are reasons in the verdict; a negative review is never penalised by them."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

import pytest

from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.adapters.media_inspector import PillowInspector
from aftersales.core.clock import FixedClock
from aftersales.media.model import MediaStatus, Purpose, Screening
from aftersales.media.service import MediaService
from aftersales.moderation.service import ModerationService
from aftersales.reviews.model import ReviewStatus
from aftersales.reviews.service import Draft, ReviewModeration, ReviewService
from aftersales.risk.service import RiskService
from aftersales.sentiment.analyzers import SharedModel, TenantAnalyzer
from aftersales.sentiment.shipped import shipped_model
from aftersales.tickets.model import Role
from aftersales.tickets.ports import StoredOrder
from tests.support.fakes.media import InMemoryMediaObjects, InMemoryMediaStore, ScriptedModeration
from tests.support.fakes.moderation import InMemoryLexiconStore, InMemorySignatureIndex
from tests.support.fakes.money import InMemoryCounterStore
from tests.support.fakes.reviews import InMemoryReviewStore, StoredOrders
from tests.support.media_files import image_bytes, photo_like
from tests.support.ticket_factories import AGENT, STOREFRONT, actor, order

NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)
DELIVERED = {"status": "delivered", "delivered_at": "2026-11-25T10:00:00+08:00"}
CUSTOMERS = [f"cust-{n}" for n in range(1, 5)]
PRAISE = ["保温效果很好，一整天水都是热的", "颜色好看，做工精细，送人很体面", "容量刚好，带去办公室很方便",
          "杯盖密封严实，放包里也不漏", "手感细腻，清洗起来也简单"]
COMPLAINTS = ["质量太差了，用了两天就坏了，非常失望", "杯盖漏水严重，弄湿了整个包，很生气",
              "做工粗糙，边缘划手，退货了", "保温完全没用，一小时就凉了，太差"]


def who(customer_id: str):
    return actor(Role.CUSTOMER, id=customer_id, customer_id=customer_id)


@pytest.fixture
def rig():
    clock = FixedClock(NOW)
    media_store, objects = InMemoryMediaStore(), InMemoryMediaObjects()
    ids = count(1)
    media = MediaService(media_store, objects, PillowInspector(), ScriptedModeration(Screening.PASSED), clock,
                         id_factory=lambda: f"med_{next(ids)}")
    orders = StoredOrders({("acme", f"O-{c}"): StoredOrder(order(order_id=f"O-{c}", fulfilment=DELIVERED, customer={
        "id": c, "account_created_at": "2025-01-01T00:00:00+00:00"}), rev=1) for c in CUSTOMERS})
    store, counters = InMemoryReviewStore(), InMemoryCounterStore()
    review_ids = (f"rev_{n}" for n in count(1))
    reviews = ReviewService(store, orders, media, RecordingPublisher(), clock, id_factory=lambda: next(review_ids))
    consumer = ReviewModeration(store, ModerationService(InMemoryLexiconStore(), InMemorySignatureIndex(), clock),
                                TenantAnalyzer(SharedModel(shipped_model())), clock,
                                photos=media, clusters=RiskService(counters, clock))

    def upload(customer_id: str, content: bytes, content_type: str = "image/png", check: bool = True,
               purpose: Purpose = Purpose.REVIEW) -> str:
        grant = media.request_upload("acme", who(customer_id), purpose=purpose, content_type=content_type,
                                     size=len(content))
        objects.uploads[grant.item.upload_key] = content
        if check:
            media.check_upload("acme", grant.item.id, len(content))
        return grant.item.id

    def write(customer_id: str, text: str, rating: int = 5, line_id: str = "L1", media_ids=(), keys=None):
        review = reviews.submit("acme", who(customer_id), order_id=f"O-{customer_id}", line_id=line_id,
                                draft=Draft(rating=rating, text=text, locale="zh-Hans", media_ids=tuple(media_ids)),
                                risk_keys=keys if keys is not None else {})
        consumer.moderate("acme", review.review_id, 1)
        return store.get("acme", review.review_id)

    return {"reviews": reviews, "consumer": consumer, "media": media, "media_store": media_store, "store": store,
            "upload": upload, "write": write, "counters": counters}


def codes(review) -> set[str]:
    return {r["code"] for r in review.moderation.reasons}


# ---------------------------------------------------------------------- photos shown on the review
def test_a_published_reviews_ready_photo_shows_to_anyone_of_the_tenant_with_a_url(rig):
    photo = rig["upload"]("cust-1", photo_like(1))
    review = rig["write"]("cust-1", PRAISE[0], media_ids=[photo])
    assert review.status is ReviewStatus.PUBLISHED
    for reader in (who("cust-2"), STOREFRONT, AGENT):
        [shown] = rig["reviews"].media_of("acme", [review], reader)[review.review_id]
        assert shown.item.id == photo and shown.url == f"https://media.example/media/acme/{photo}?expires=300"
        assert (shown.item.metadata.width, shown.item.metadata.height) == (256, 192)
    assert rig["reviews"].media_of("other", [review], who("cust-2")) == {}  # another tenant sees nothing


def test_before_publication_only_its_author_and_staff_see_the_photos(rig):
    photo = rig["upload"]("cust-1", photo_like(1))
    review = rig["reviews"].submit("acme", who("cust-1"), order_id="O-cust-1", line_id="L1",
                                   draft=Draft(rating=5, text=PRAISE[0], locale="zh-Hans", media_ids=(photo,)))
    assert review.status is ReviewStatus.PENDING
    assert [s.item.id for s in rig["reviews"].media_of("acme", [review], who("cust-1"))[review.review_id]] == [photo]
    assert [s.item.id for s in rig["reviews"].media_of("acme", [review], AGENT)[review.review_id]] == [photo]
    assert rig["reviews"].media_of("acme", [review], who("cust-2")) == {}


def test_only_ready_review_media_is_ever_shown(rig):
    ready = rig["upload"]("cust-1", photo_like(1))
    pending = rig["upload"]("cust-1", photo_like(2), check=False)
    rejected = rig["upload"]("cust-1", image_bytes("JPEG"), content_type="image/png")  # bytes of another type
    evidence = rig["upload"]("cust-1", photo_like(3), purpose=Purpose.TICKET_EVIDENCE)
    statuses = [i.status for i in rig["media_store"].get_many("acme", [pending, rejected])]
    assert statuses == [MediaStatus.PENDING, MediaStatus.REJECTED]
    review = rig["write"]("cust-1", PRAISE[0], media_ids=[ready])
    stored = review.model_copy(update={"content": review.content.model_copy(update={
        "media_ids": [pending, ready, rejected, "med_unknown", evidence]})})
    shown = rig["reviews"].media_of("acme", [stored], who("cust-2"))[review.review_id]
    assert [s.item.id for s in shown] == [ready]


def test_a_listing_page_reads_its_media_in_one_batch(rig):
    for n, customer in enumerate(CUSTOMERS[:3]):
        photos = [rig["upload"](customer, photo_like(10 * n + k)) for k in range(2)]
        rig["write"](customer, PRAISE[n], media_ids=photos)
    rig["write"]("cust-4", PRAISE[3])  # no photos
    page = rig["reviews"].for_product("acme", "MUG", limit=20, cursor=None).page
    assert len(page.items) == 4
    rig["media_store"].batches.clear()
    shown = rig["reviews"].media_of("acme", page.items, who("cust-4"))
    assert len(rig["media_store"].batches) == 1 and len(rig["media_store"].batches[0]) == 6
    assert sorted(len(v) for v in shown.values()) == [0, 2, 2, 2]


# ---------------------------------------------------------------------- near-duplicate photos
def test_a_photo_nearly_copying_another_accounts_holds_the_review_with_its_reason(rig):
    original = rig["upload"]("cust-1", photo_like(5))
    assert rig["write"]("cust-1", PRAISE[0], media_ids=[original]).status is ReviewStatus.PUBLISHED
    copied = rig["upload"]("cust-2", photo_like(5, fmt="JPEG"), content_type="image/jpeg")  # re-encoded
    held = rig["write"]("cust-2", PRAISE[1], media_ids=[copied])
    assert held.status is ReviewStatus.PENDING_REVIEW
    assert codes(held) == {"photo_near_duplicate"} and held.moderation.scores["fake"] >= 0.5


def test_the_authors_own_photo_again_and_an_unrelated_one_are_no_signal(rig):
    mine = rig["upload"]("cust-1", photo_like(5))
    rig["write"]("cust-1", PRAISE[0], media_ids=[mine])
    again = rig["write"]("cust-1", PRAISE[1], line_id="L2", media_ids=[rig["upload"]("cust-1", photo_like(5))])
    other = rig["write"]("cust-2", PRAISE[2], media_ids=[rig["upload"]("cust-2", photo_like(6))])
    assert (again.status, other.status) == (ReviewStatus.PUBLISHED, ReviewStatus.PUBLISHED)
    assert "photo_near_duplicate" not in codes(again) | codes(other)


# ---------------------------------------------------------------------- accounts sharing a device
def test_five_stars_from_accounts_sharing_a_device_are_held_as_a_burst(rig):
    device = {"device": "dev-1", "ip": "ip-1"}
    first, second, third = (rig["write"](c, PRAISE[n], keys=device) for n, c in enumerate(CUSTOMERS[:3]))
    assert (first.status, second.status) == (ReviewStatus.PUBLISHED, ReviewStatus.PUBLISHED)
    assert third.status is ReviewStatus.PENDING_REVIEW
    assert codes(third) == {"shared_device_cluster", "cluster_five_star_burst"}
    details = {r["code"]: r["detail"] for r in third.moderation.reasons}
    assert details["shared_device_cluster"].startswith("3 accounts on this device")


def test_one_star_reviews_from_one_device_are_not_penalised_for_their_rating(rig):
    device = {"device": "dev-1"}
    reviews = [rig["write"](c, COMPLAINTS[n], rating=1, keys=device) for n, c in enumerate(CUSTOMERS[:3])]
    assert [r.status for r in reviews] == [ReviewStatus.PUBLISHED] * 3
    assert codes(reviews[2]) == {"shared_device_cluster"}  # the cluster is named; the rating adds nothing
    assert reviews[2].moderation.scores["fake"] < 0.5


def test_an_edited_review_moderated_again_is_counted_once(rig):
    device = {"device": "dev-1"}
    review = rig["write"]("cust-1", PRAISE[0], keys=device)
    before = dict(rig["counters"].counters)
    edited = rig["reviews"].edit("acme", review.review_id, who("cust-1"),
                                 Draft(rating=5, text=PRAISE[1], locale="zh-Hans"))
    assert rig["consumer"].moderate("acme", review.review_id, edited.content.version) == "published"
    assert rig["counters"].counters == before  # the same review: its counters did not move
