"""Review use cases on in-memory fakes: intake (verified buyer, one review per line, media, risk
keys, the queue event), edits that keep versions, the moderation consumer with the real text checks
and the shipped sentiment model, the rating projection, staff decisions and replies, follow-ups."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.core.clock import FixedClock
from aftersales.core.errors import (
    ConcurrentModification,
    Conflict,
    EventNotPublished,
    Forbidden,
    IllegalTransition,
    InvalidRequest,
    NotFound,
)
from aftersales.moderation.service import ModerationService
from aftersales.reviews.model import ReviewStatus
from aftersales.reviews.service import SUBMITTED, Draft, ReviewModeration, ReviewService
from aftersales.sentiment.analyzers import SharedModel, TenantAnalyzer
from aftersales.sentiment.shipped import shipped_model
from aftersales.tickets.model import Role
from aftersales.tickets.ports import StoredOrder
from tests.support.fakes.moderation import InMemoryLexiconStore, InMemorySignatureIndex
from tests.support.fakes.reviews import CheckedMedia, InMemoryReviewStore, RecordingFollowUps, StoredOrders
from tests.support.ticket_factories import AGENT, CUSTOMER, STOREFRONT, actor, order

NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)
GOOD = "保温效果很好，一整天水都是热的，颜色也好看，很满意"
BAD = "质量太差了，用了两天就坏了，漏水严重，非常失望"
OTHER = actor(Role.CUSTOMER, id="cust-2", customer_id="cust-2")
DELIVERED = {"status": "delivered", "delivered_at": "2026-11-25T10:00:00+08:00"}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store() -> InMemoryReviewStore:
    return InMemoryReviewStore()


@pytest.fixture
def orders() -> StoredOrders:
    old = {"id": "cust-1", "account_created_at": "2025-01-01T00:00:00+00:00"}
    return StoredOrders({
        ("acme", "O-1"): StoredOrder(order(customer=old, fulfilment=DELIVERED), rev=1),
        ("acme", "O-2"): StoredOrder(order(order_id="O-2", customer=old, fulfilment=DELIVERED), rev=1),
        ("acme", "O-X"): StoredOrder(order(order_id="O-X", customer=old, fulfilment={"status": "cancelled"}), rev=1),
        ("acme", "O-N"): StoredOrder(order(order_id="O-N", customer={"id": "cust-1",
                                                                      "account_created_at": "2026-12-02T06:00:00Z"},
                                           fulfilment={"status": "cancelled"}), rev=1)})


@pytest.fixture
def events() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
def media() -> CheckedMedia:
    return CheckedMedia({"cust-1": {"med_1"}})


@pytest.fixture
def follow_ups() -> RecordingFollowUps:
    return RecordingFollowUps()


@pytest.fixture
def service(store, orders, media, events, clock, follow_ups) -> ReviewService:
    ids = iter(f"rev_{n}" for n in range(1, 100))
    return ReviewService(store, orders, media, events, clock, id_factory=lambda: next(ids), follow_ups=follow_ups)


@pytest.fixture
def consumer(store, clock, follow_ups) -> ReviewModeration:
    text = ModerationService(InMemoryLexiconStore(), InMemorySignatureIndex(), clock)
    return ReviewModeration(store, text, TenantAnalyzer(SharedModel(shipped_model())), clock, follow_ups)


def _submit(service, text=GOOD, rating=5, order_id="O-1", line_id="L1", who=CUSTOMER, **kw):
    return service.submit("acme", who, order_id=order_id, line_id=line_id,
                          draft=Draft(rating=rating, text=text, locale="zh-Hans", **kw), risk_keys={"ip": "h1"})


def _moderate(consumer, review):
    return consumer.moderate("acme", review.review_id, review.content.version)


# ---------------------------------------------------------------------- intake
def test_a_review_is_stored_pending_from_the_order_line_and_queued(service, store, events):
    review = _submit(service)
    assert review.status is ReviewStatus.PENDING and review.sku == "MUG" and review.customer_id == "cust-1"
    assert review.verified_buyer and review.delivered and review.risk_keys == {"ip": "h1"}
    assert review.review_id in store
    assert events.events == [(SUBMITTED, {"tenant_id": "acme", "review_id": "rev_1", "content_version": 1,
                                          "sku": "MUG"})]
    assert [e.event for e in review.entries] == ["review.submitted"]


def test_a_cancelled_order_is_accepted_but_not_a_verified_buyer(service):
    assert not _submit(service, order_id="O-X").verified_buyer


def test_a_second_review_of_the_line_is_a_conflict_naming_the_first(service, store):
    first = _submit(service)
    with pytest.raises(Conflict) as caught:
        _submit(service, text="again")
    assert caught.value.details["review_id"] == first.review_id and len(store) == 1


def test_the_storefront_writes_on_the_order_customers_behalf(service):
    assert _submit(service, who=STOREFRONT, line_id="L2").customer_id == "cust-1"
    with pytest.raises(InvalidRequest) as caught:
        service.submit("acme", STOREFRONT, order_id="O-1", line_id="L1", customer_id="cust-9",
                       draft=Draft(rating=4, text=GOOD, locale="en"))
    assert caught.value.details["field"] == "customer_id"


@pytest.mark.parametrize(("kw", "field"), [({"order_id": "O-404"}, "order_id"), ({"line_id": "L9"}, "line_id"),
                                           ({"who": OTHER}, "order_id"), ({"media_ids": ("med_2",)}, "media_ids[0]")])
def test_bad_references_are_422_at_their_field(service, store, kw, field):
    with pytest.raises(InvalidRequest) as caught:
        _submit(service, **kw)
    assert caught.value.details["field"] == field and len(store) == 0


def test_staff_cannot_write_a_review(service):
    with pytest.raises(Forbidden):
        _submit(service, who=AGENT)


def test_an_edit_keeps_the_previous_version_and_goes_back_to_moderation(service, consumer, events):
    review = _submit(service)
    assert _moderate(consumer, review) == "published"
    edited = service.edit("acme", review.review_id, CUSTOMER, Draft(rating=2, text=BAD, locale="zh-Hans",
                                                                    media_ids=("med_1",)))
    assert edited.status is ReviewStatus.PENDING and edited.content.version == 2 and edited.moderation is None
    assert [c.text for c in edited.previous] == [GOOD] and edited.content.media_ids == ["med_1"]
    assert events.events[-1][1]["content_version"] == 2
    assert service.for_product("acme", "MUG", limit=10, cursor=None).stats.total == 0  # left the public view


def test_only_the_author_edits(service):
    review = _submit(service)
    with pytest.raises(NotFound):
        service.edit("acme", review.review_id, OTHER, Draft(rating=1, text=BAD, locale="zh-Hans"))


def test_an_edit_against_a_stale_version_is_refused(service):
    review = _submit(service)
    with pytest.raises(ConcurrentModification):
        service.edit("acme", review.review_id, CUSTOMER, Draft(rating=1, text=BAD, locale="en"),
                     expected_version=review.version + 1)


# ---------------------------------------------------------------------- moderation
def test_a_negative_consistent_review_is_published_and_counted(service, consumer, store):
    review = _submit(service, text=BAD, rating=1)
    assert _moderate(consumer, review) == "published"
    stored = store.get("acme", review.review_id)
    assert stored.moderation.status is ReviewStatus.PUBLISHED and stored.moderation.reasons == []
    assert stored.moderation.sentiment["polarity"] == "negative" and stored.moderation.model_version
    listing = service.for_product("acme", "MUG", limit=10, cursor=None)
    assert listing.stats.counts[1] == 1 and listing.stats.average == 1.0
    assert [r.review_id for r in listing.page.items] == [review.review_id]


def test_abuse_is_rejected_with_its_reasons(service, consumer, store):
    review = _submit(service, text="傻逼卖家，操你妈，他妈的垃圾，fuck you", rating=1)
    assert _moderate(consumer, review) == "rejected"
    moderation = store.get("acme", review.review_id).moderation
    assert {r["code"] for r in moderation.reasons} == {"prohibited_term"} and moderation.scores["abuse"] >= 3
    assert service.for_product("acme", "MUG", limit=10, cursor=None).stats.total == 0


def test_an_unverified_new_account_contradicting_its_stars_goes_to_a_person(service, consumer, store, clock):
    first = _submit(service, order_id="O-N", text=BAD, rating=5)
    assert _moderate(consumer, first) == "pending_review"
    codes = {r["code"] for r in store.get("acme", first.review_id).moderation.reasons}
    assert codes == {"unverified_buyer", "new_account", "rating_contradicts_text"}


def test_a_copied_template_from_another_review_goes_to_a_person(service, consumer):
    template = "这款保温杯质量非常好，保温效果一流，颜色也很漂亮，物流很快，客服态度很好，五星好评推荐购买"
    assert _moderate(consumer, _submit(service, text=template)) == "published"
    assert _moderate(consumer, _submit(service, text=template + "！", line_id="L2")) == "pending_review"


def test_a_redelivered_or_outdated_message_changes_nothing(service, consumer, store):
    review = _submit(service)
    assert _moderate(consumer, review) == "published"
    writes = store.writes
    assert _moderate(consumer, review) == "stale" and consumer.moderate("acme", "rev_404", 1) == "unknown"
    assert store.writes == writes and service.for_product("acme", "MUG", limit=10, cursor=None).stats.total == 1


# ---------------------------------------------------------------------- reads
def test_unpublished_reviews_are_seen_only_by_author_and_staff(service):
    review = _submit(service)
    assert service.get("acme", review.review_id, CUSTOMER) == service.get("acme", review.review_id, AGENT)
    with pytest.raises(NotFound):
        service.get("acme", review.review_id, OTHER)


def test_the_product_listing_is_newest_first_and_paged(service, consumer, clock):
    for order_id, text in (("O-1", GOOD), ("O-2", "很好")):
        assert _moderate(consumer, _submit(service, order_id=order_id, text=text)) == "published"
        clock.advance(minutes=1)
    first = service.for_product("acme", "MUG", limit=1, cursor=None)
    second = service.for_product("acme", "MUG", limit=1, cursor=first.page.cursor)
    assert [r.order_id for r in first.page.items + second.page.items] == ["O-2", "O-1"]
    assert second.page.cursor is None


# ---------------------------------------------------------------------- staff
def test_staff_decide_a_held_review_and_each_decision_is_audited(service, consumer):
    review = _submit(service, order_id="O-N", text=BAD, rating=5)
    _moderate(consumer, review)
    queue = service.by_status("acme", AGENT, ReviewStatus.PENDING_REVIEW, limit=10, cursor=None)
    assert [r.review_id for r in queue.items] == [review.review_id]
    published = service.decide("acme", review.review_id, AGENT, publish=True, reason="real buyer, checked")
    assert published.status is ReviewStatus.PUBLISHED
    assert published.entries[-1].event == "review.published_by_staff"
    assert published.entries[-1].reason == "real buyer, checked" and published.entries[-1].actor_id == "agent-1"
    assert service.for_product("acme", "MUG", limit=10, cursor=None).stats.counts[5] == 1
    rejected = service.decide("acme", review.review_id, AGENT, publish=False, reason="second look")
    assert [e.seq for e in rejected.entries] == list(range(1, len(rejected.entries) + 1))
    assert service.for_product("acme", "MUG", limit=10, cursor=None).stats.total == 0
    with pytest.raises(IllegalTransition):
        service.decide("acme", review.review_id, AGENT, publish=False, reason="again")


def test_customers_neither_decide_nor_reply_nor_see_the_queue(service, consumer):
    review = _submit(service)
    with pytest.raises(Forbidden):
        service.decide("acme", review.review_id, CUSTOMER, publish=True, reason="mine")
    with pytest.raises(Forbidden):
        service.reply("acme", review.review_id, CUSTOMER, "thanks")
    with pytest.raises(Forbidden):
        service.by_status("acme", CUSTOMER, ReviewStatus.PENDING_REVIEW, limit=10, cursor=None)


def test_the_merchant_replies_publicly(service):
    review = service.reply("acme", _submit(service).review_id, AGENT, "谢谢您的支持")
    assert review.reply.text == "谢谢您的支持" and review.entries[-1].event == "review.replied"


# ---------------------------------------------------------------------- follow-up
def test_a_published_negative_review_of_a_delivered_line_opens_one_follow_up(service, consumer, store, follow_ups):
    review = _submit(service, text=BAD, rating=1)
    _moderate(consumer, review)
    stored = store.get("acme", review.review_id)
    assert stored.follow_up_ticket_id == "tkt_1" and stored.entries[-1].event == "review.follow_up"
    assert follow_ups.calls == [review.review_id]


def test_positive_or_undelivered_reviews_open_none(service, consumer, follow_ups):
    _moderate(consumer, _submit(service))
    _moderate(consumer, _submit(service, text=BAD, rating=1, order_id="O-N"))  # not delivered (and held)
    assert follow_ups.calls == []


def test_a_closed_follow_up_invites_its_reviews_authors_once(service, consumer, store, follow_ups, events):
    review = _submit(service, text=BAD, rating=1)
    _moderate(consumer, review)
    ticket_id = store.get("acme", review.review_id).follow_up_ticket_id
    before = len(events.events)
    assert service.invite_update("acme", ticket_id) == [review.review_id]
    assert service.invite_update("acme", ticket_id) == []  # a redelivered closure, or resolved then closed
    invitations = [e for e in events.events[before:] if e[0] == "review.update_invited"]
    assert len(invitations) == 1
    detail = invitations[0][1]
    assert detail["ticket_id"] == ticket_id and detail["customer_id"] == "cust-1"
    assert detail["dedup_key"] == f"{review.review_id}#review.update_invited#{ticket_id}"
    entries = store.get("acme", review.review_id).entries
    assert entries[-1].event == "review.update_invited" and entries[-1].data == {"ticket_id": ticket_id}
    assert service.invite_update("acme", "tkt_unrelated") == []


def test_a_three_star_review_naming_a_defect_is_handed_to_after_sales(service, consumer, store, follow_ups):
    review = _submit(service, text="用了两天就坏了，一直漏水", rating=3)
    _moderate(consumer, review)
    causes = store.get("acme", review.review_id).moderation.sentiment["causes"]
    assert "quality" in [c["code"] for c in causes]
    assert follow_ups.calls == [review.review_id]  # the port decides whether an open request joins it


# ---------------------------------------------------------------------- insights
def test_causes_of_published_negative_reviews_are_counted_with_quotes(service, consumer):
    review = _submit(service, text="物流很快。" + BAD, rating=1)
    _moderate(consumer, review)
    _moderate(consumer, _submit(service, text="做工粗糙，掉色严重，不推荐", rating=2, line_id="L2"))
    insights = service.insights("acme", "MUG", AGENT)
    assert insights.causes == {"quality": 1}
    assert [q.text for q in insights.quotes["quality"]] == ["质量太差了，用了两天就坏了，漏水严重，非常失望"]
    service.decide("acme", review.review_id, AGENT, publish=False, reason="not about the product")
    assert service.insights("acme", "MUG", AGENT).causes == {}
    with pytest.raises(Forbidden):
        service.insights("acme", "MUG", CUSTOMER)


# ---------------------------------------------------------------------- helpful votes
def test_helpful_votes_count_once_per_customer_and_order_the_listing(service, consumer):
    older = _submit(service, text=GOOD)
    _moderate(consumer, older)
    newer = _submit(service, order_id="O-2", text="很好")
    _moderate(consumer, newer)
    assert service.vote_helpful("acme", older.review_id, OTHER).helpful == 1
    assert service.vote_helpful("acme", older.review_id, OTHER).helpful == 1  # again: still one
    assert service.vote_helpful("acme", older.review_id, STOREFRONT, customer_id="cust-3").helpful == 2
    helpful = service.for_product("acme", "MUG", limit=10, cursor=None, sort="helpful").page.items
    newest = service.for_product("acme", "MUG", limit=10, cursor=None).page.items
    assert [r.order_id for r in helpful] == ["O-1", "O-2"] and [r.order_id for r in newest] == ["O-2", "O-1"]
    with pytest.raises(Conflict):
        service.vote_helpful("acme", older.review_id, CUSTOMER)  # its author
    with pytest.raises(InvalidRequest):
        service.vote_helpful("acme", older.review_id, STOREFRONT)
    with pytest.raises(Forbidden):
        service.vote_helpful("acme", older.review_id, AGENT)


def test_an_unpublished_review_takes_no_vote(service):
    with pytest.raises(NotFound):
        service.vote_helpful("acme", _submit(service).review_id, STOREFRONT, customer_id="cust-3")


# ---------------------------------------------------------------------- behaviour
def test_a_burst_of_reviews_from_one_account_is_a_signal(service, consumer, store, orders, clock):
    lines = [{"line_id": f"B{n}", "sku": f"SKU-{n}", "name": "Thing", "quantity": 1,
              "unit_price_paid": {"amount": 100, "currency": "CNY"}} for n in range(6)]
    orders.orders[("acme", "O-B")] = StoredOrder(order(order_id="O-B", lines=lines, fulfilment=DELIVERED,
                                                       customer={"id": "cust-1"}), rev=1)
    texts = ["很好", "不错", "满意", "喜欢", "好用", "推荐"]
    reviews = [_submit(service, order_id="O-B", line_id=f"B{n}", text=texts[n]) for n in range(6)]
    assert store.activity("acme", "cust-1", NOW) == (6, 6)
    _moderate(consumer, reviews[-1])
    reasons = {r["code"]: r["detail"] for r in store.get("acme", reviews[-1].review_id).moderation.reasons}
    assert set(reasons) == {"review_burst"} and reasons["review_burst"].startswith("6 reviews in the last hour")
    clock.advance(hours=1)
    assert store.activity("acme", "cust-1", clock.now()) == (0, 6)


def test_a_negative_review_staff_publish_gets_its_follow_up(service, consumer, store, follow_ups, orders):
    orders.orders[("acme", "O-3")] = StoredOrder(order(order_id="O-3", fulfilment=DELIVERED,
                                                       customer={"id": "cust-1"}), rev=1)
    review = _submit(service, order_id="O-3", text="傻逼卖家，质量太差了，用了两天就坏了", rating=1)
    assert _moderate(consumer, review) == "pending_review" and follow_ups.calls == []
    published = service.decide("acme", review.review_id, AGENT, publish=True, reason="quoting the courier")
    assert published.follow_up_ticket_id == "tkt_1" and follow_ups.calls == [review.review_id]


def test_a_follow_up_that_failed_is_finished_by_the_redelivered_message(service, consumer, store, follow_ups):
    review = _submit(service, text=BAD, rating=1)
    follow_ups.failing = True
    with pytest.raises(RuntimeError):
        _moderate(consumer, review)
    assert store.get("acme", review.review_id).published  # saved before the follow-up failed
    follow_ups.failing = False
    assert _moderate(consumer, review) == "follow_up"
    assert store.get("acme", review.review_id).follow_up_ticket_id == "tkt_1"
    assert _moderate(consumer, review) == "stale" and len(follow_ups) == 1


def test_a_repeated_edit_makes_no_new_version(service, events):
    review = _submit(service)
    draft = Draft(rating=2, text=BAD, locale="zh-Hans")
    first = service.edit("acme", review.review_id, CUSTOMER, draft)
    again = service.edit("acme", review.review_id, CUSTOMER, draft)
    assert again.content.version == first.content.version == 2 and again.version == first.version
    assert [d["content_version"] for _, d in events.events] == [1, 2]


class RefusingOnce(RecordingPublisher):
    """The bus refuses the first event, as an EventBridge outage would."""

    def __init__(self) -> None:
        super().__init__()
        self.refused = 0

    def publish(self, source: str, detail_type: str, detail) -> None:
        if not self.refused:
            self.refused += 1
            raise EventNotPublished("error.event_not_published", detail_type=detail_type)
        super().publish(source, detail_type, detail)


def test_a_review_the_bus_refused_is_queued_by_the_retried_post(store, orders, media, clock):
    events = RefusingOnce()
    service = ReviewService(store, orders, media, events, clock)
    with pytest.raises(EventNotPublished):
        _submit(service)
    (stored,) = store.reviews.values()
    assert stored.status is ReviewStatus.PENDING and events.events == []
    with pytest.raises(Conflict) as caught:
        _submit(service)
    assert caught.value.details["review_id"] == stored.review_id
    assert [d["review_id"] for _, d in events.events] == [stored.review_id]


def test_a_review_keeps_at_most_its_bounded_number_of_versions(service):
    from aftersales.reviews.model import MAX_VERSIONS

    review = _submit(service)
    for n in range(2, MAX_VERSIONS + 1):
        review = service.edit("acme", review.review_id, CUSTOMER, Draft(rating=4, text=f"第{n}版", locale="zh-Hans"))
    assert review.content.version == MAX_VERSIONS and len(review.previous) == MAX_VERSIONS - 1
    with pytest.raises(Conflict):
        service.edit("acme", review.review_id, CUSTOMER, Draft(rating=4, text="one more", locale="zh-Hans"))
