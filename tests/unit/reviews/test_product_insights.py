"""Product insight use cases on in-memory fakes: published negative reviews (held by moderation,
published by an agent: the same save and projection as the consumer's) and opened returns
counted per period and batch, the clusters with trend and quotes, suggestions, and one
`insight.suggested` per sku, cause and period."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.core.clock import FixedClock
from aftersales.core.errors import EventNotPublished, Forbidden
from aftersales.reviews import domain
from aftersales.reviews.model import Moderation, ReviewStatus
from aftersales.reviews.product_insights import SUGGESTED, ProductInsightService
from aftersales.reviews.service import SYSTEM, Draft, ReviewService
from aftersales.tickets.ports import StoredOrder
from tests.support.fakes.insights import InMemoryInsightStore
from tests.support.fakes.reviews import CheckedMedia, InMemoryReviewStore, StoredOrders
from tests.support.ticket_factories import AGENT, CUSTOMER, STOREFRONT, order

NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)  # ISO week 2026-W49
SIZE_TEXTS = ("尺码偏小，平时穿M这件要换L", "太紧了根本穿不上", "码数不准，大了一码", "不合身，袖子太长了")
DELIVERED = {"status": "delivered", "delivered_at": "2026-11-25T10:00:00+08:00"}


class FailingPublisher(RecordingPublisher):
    def __init__(self) -> None:
        super().__init__()
        self.failing = True

    def publish(self, source, detail_type, detail) -> None:
        if self.failing and detail_type == SUGGESTED:
            raise EventNotPublished("error.event_not_published")
        super().publish(source, detail_type, detail)


class Rig:
    def __init__(self, events: RecordingPublisher | None = None) -> None:
        self.clock = FixedClock(NOW)
        self.store = InMemoryReviewStore()
        self.insight_store = InMemoryInsightStore(self.store)
        self.events = events or RecordingPublisher()
        self.insights = ProductInsightService(self.insight_store, self.events, self.clock)
        orders = {}
        for n in range(1, 9):
            line = {"line_id": "L1", "sku": "SHIRT", "name": "Shirt", "quantity": 1, "batch": f"LOT-{n % 2}",
                    "unit_price_paid": {"amount": 9900, "currency": "CNY"}}
            orders[("acme", f"O-{n}")] = StoredOrder(order(order_id=f"O-{n}", customer={"id": f"cust-{n}"},
                                                           lines=[line], fulfilment=DELIVERED), rev=1)
        self.reviews = ReviewService(self.store, StoredOrders(orders), CheckedMedia(), self.events, self.clock,
                                     insights=self.insights)

    def review(self, n: int, text: str, rating: int = 1, cause: str | None = "size_fit") -> str:
        """A review held for a person with `cause` read in its text (as the moderation consumer stores
        it), then published by an agent."""
        review = self.reviews.submit("acme", STOREFRONT, order_id=f"O-{n}", line_id="L1",
                                     draft=Draft(rating=rating, text=text, locale="zh-Hans"))
        causes = [{"code": cause, "evidence": [text[:4]], "quote": text}] if cause else []
        held = domain.moderated(review, Moderation(status=ReviewStatus.PENDING_REVIEW, content_version=1, at=NOW,
                                                   sentiment={"polarity": "negative", "causes": causes}), SYSTEM)
        self.store.save(held, review.version, domain.projection_change(review, held))
        return self.reviews.decide("acme", review.review_id, AGENT, publish=True, reason="checked").review_id

    def returned(self, ticket_id: str, reason: str, batch: str | None = None, at: str = "2026-12-02T09:00:00Z") -> int:
        line = {"line_id": "L1", "quantity": 1, "sku": "SHIRT", "reason_code": reason}
        if batch:
            line["batch"] = batch
        return self.insights.count_returns({"tenant_id": "acme", "ticket_id": ticket_id, "ticket_type": "return_refund",
                                            "event": "ticket.created", "at": at, "reason": reason,
                                            "data": {"lines": [line]}})

    def suggested(self) -> list[dict]:
        return [detail for kind, detail in self.events.events if kind == SUGGESTED]


def test_reviews_and_returns_about_size_form_one_cluster_with_quotes_and_a_suggestion_for_product():
    rig = Rig()
    ids = [rig.review(n, text) for n, text in enumerate(SIZE_TEXTS[:2], start=1)]
    rig.review(3, "很好看，面料舒服，推荐购买", rating=5, cause=None)
    assert rig.returned("tkt_1", "wrong_size") == 1
    rig.returned("tkt_2", "changed_mind")

    found = rig.insights.read("acme", "SHIRT", AGENT)
    assert (found.period, found.previous, found.reviews) == ("2026-W49", "2026-W48", 3)
    (size,) = found.clusters
    assert (size.cause, size.reviews, size.returns, size.trend.direction, size.trend.delta) == (
        "size_fit", 2, 1, "new", 3)
    assert sorted(q.review_id for q in size.quotes) == sorted(ids)
    (suggestion,) = found.suggestions
    assert (suggestion.owner.value, suggestion.trigger) == ("product", "rising")
    assert suggestion.params == {"period": "2026-W49", "reviews": 2, "returns": 1}


def test_the_cluster_crossing_a_threshold_is_announced_once_per_sku_cause_and_period():
    rig = Rig()
    rig.review(1, SIZE_TEXTS[0])
    rig.review(2, SIZE_TEXTS[1])
    assert rig.suggested() == []  # 2 signals: below the minimum
    rig.returned("tkt_1", "wrong_size")  # the third signal
    periods = sorted(d["period"] for d in rig.suggested())
    assert periods == ["2026-12", "2026-W49"]
    week = next(d for d in rig.suggested() if d["period"] == "2026-W49")
    assert {k: week[k] for k in ("sku", "cause", "owner", "reviews", "returns", "trigger")} == {
        "sku": "SHIRT", "cause": "size_fit", "owner": "product", "reviews": 2, "returns": 1, "trigger": "rising"}
    assert "customer_id" not in week and "quotes" not in week
    rig.review(3, SIZE_TEXTS[2])
    rig.returned("tkt_1", "wrong_size")  # a redelivered event
    assert len(rig.suggested()) == 2 and len(rig.insight_store) == 2


def test_a_redelivered_return_counts_once():
    rig = Rig()
    assert rig.returned("tkt_1", "wrong_size") == 1
    assert rig.returned("tkt_1", "wrong_size") == 0
    assert rig.insights.read("acme", "SHIRT", AGENT).clusters[0].returns == 1


def test_an_announcement_the_bus_refused_is_made_by_the_next_signal():
    events = FailingPublisher()
    rig = Rig(events)
    rig.review(1, SIZE_TEXTS[0])
    rig.review(2, SIZE_TEXTS[1])
    third = rig.review(3, SIZE_TEXTS[2])  # crosses; the bus refuses the announcement
    assert rig.store.get("acme", third).published
    assert rig.suggested() == [] and len(rig.insight_store) == 0
    with pytest.raises(EventNotPublished):
        rig.returned("tkt_1", "wrong_size")  # a consumer's failure is retried by its queue
    events.failing = False
    rig.returned("tkt_1", "wrong_size")  # the redelivery: counted once, announced now
    assert sorted(d["period"] for d in rig.suggested()) == ["2026-12", "2026-W49"]
    assert rig.insights.read("acme", "SHIRT", AGENT).clusters[0].returns == 1


def test_a_review_leaving_published_leaves_the_period_counters():
    rig = Rig()
    review_id = rig.review(1, SIZE_TEXTS[0])
    rig.reviews.decide("acme", review_id, AGENT, publish=False, reason="off topic")
    found = rig.insights.read("acme", "SHIRT", AGENT)
    assert (found.reviews, found.clusters) == (0, [])


def test_the_trend_compares_with_the_previous_period_and_a_batch_is_read_on_its_own():
    rig = Rig()
    rig.returned("tkt_0", "wrong_size", batch="LOT-1", at="2026-11-25T09:00:00Z")  # 2026-W48
    rig.review(1, SIZE_TEXTS[0])  # LOT-1
    rig.review(2, SIZE_TEXTS[1])  # LOT-0
    rig.review(3, SIZE_TEXTS[2])  # LOT-1
    week = rig.insights.read("acme", "SHIRT", AGENT, batch="LOT-1")
    (size,) = week.clusters
    assert (week.batch, size.reviews, size.previous_returns, size.trend.direction) == ("LOT-1", 2, 1, "rising")
    assert all(q.batch == "LOT-1" for q in size.quotes) and len(size.quotes) == 2
    before = rig.insights.read("acme", "SHIRT", AGENT, period="2026-W48")
    assert [(c.cause, c.reviews, c.returns) for c in before.clusters] == [("size_fit", 0, 1)]
    month = rig.insights.read("acme", "SHIRT", AGENT, kind="month")
    assert (month.period, month.clusters[0].reviews, month.clusters[0].returns) == ("2026-12", 3, 0)


def test_insights_are_for_staff():
    with pytest.raises(Forbidden):
        Rig().insights.read("acme", "SHIRT", CUSTOMER)


def test_a_read_costs_two_counter_reads_and_one_quote_read_per_cluster_with_reviews():
    rig = Rig()
    rig.review(1, SIZE_TEXTS[0])
    rig.returned("tkt_1", "damaged")
    before = rig.insight_store.reads
    found = rig.insights.read("acme", "SHIRT", AGENT)
    assert [c.cause for c in found.clusters] == ["size_fit", "packaging"]
    assert rig.insight_store.reads - before == 3
