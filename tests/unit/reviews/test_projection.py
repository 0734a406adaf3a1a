"""The rating and cause projections count exactly the published reviews, whatever sequence of
moderation, staff decisions and edits the reviews went through (Hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.core.clock import FixedClock
from aftersales.core.errors import Conflict
from aftersales.moderation.service import ModerationService
from aftersales.reviews import domain
from aftersales.reviews.service import Draft, ReviewModeration, ReviewService
from aftersales.sentiment.analyzers import SharedModel, TenantAnalyzer
from aftersales.sentiment.shipped import shipped_model
from aftersales.tickets.ports import StoredOrder
from tests.support.fakes.moderation import InMemoryLexiconStore, InMemorySignatureIndex
from tests.support.fakes.reviews import CheckedMedia, InMemoryReviewStore, StoredOrders
from tests.support.ticket_factories import AGENT, CUSTOMER, order

TEXTS = ("质量太差了，用了两天就坏了", "很好用，推荐", "物流太慢了，包装也破了", "做工粗糙，掉色")
ANALYZER = TenantAnalyzer(SharedModel(shipped_model()))
OPS = st.lists(st.tuples(st.sampled_from(("moderate", "publish", "reject", "edit")), st.integers(0, 1),
                         st.integers(1, 5), st.integers(0, len(TEXTS) - 1)), max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPS)
def test_the_projections_count_the_published_reviews(ops):
    clock = FixedClock(datetime(2026, 12, 2, 8, tzinfo=UTC))
    store = InMemoryReviewStore()
    lines = [{"line_id": f"L{n}", "sku": "MUG", "name": "Mug", "quantity": 1,
              "unit_price_paid": {"amount": 100, "currency": "CNY"}} for n in range(2)]
    orders = StoredOrders({("acme", "O-1"): StoredOrder(order(lines=lines), rev=1)})
    service = ReviewService(store, orders, CheckedMedia(), RecordingPublisher(), clock)
    consumer = ReviewModeration(store, ModerationService(InMemoryLexiconStore(), InMemorySignatureIndex(), clock),
                                ANALYZER, clock)
    ids = [service.submit("acme", CUSTOMER, order_id="O-1", line_id=f"L{n}",
                          draft=Draft(rating=5, text=TEXTS[n], locale="zh-Hans")).review_id for n in range(2)]
    for op, which, rating, text in ops:
        review_id = ids[which]
        clock.advance(minutes=1)
        try:
            if op == "moderate":
                consumer.moderate("acme", review_id, store.get("acme", review_id).content.version)
            elif op == "edit":
                service.edit("acme", review_id, CUSTOMER, Draft(rating=rating, text=TEXTS[text], locale="zh-Hans"))
            else:
                service.decide("acme", review_id, AGENT, publish=op == "publish", reason="checked")
        except Conflict:
            pass  # an illegal decision (already in that status, or still pending) changes nothing
    published = [r for r in (store.get("acme", i) for i in ids) if r.published]
    stats = service.for_product("acme", "MUG", limit=10, cursor=None).stats
    assert stats.counts == {star: sum(r.content.rating == star for r in published) for star in range(1, 6)}
    expected: dict[str, int] = {}
    for review in published:
        for quote in domain.quotes(review):
            expected[quote.code] = expected.get(quote.code, 0) + 1
    insights = service.insights("acme", "MUG", AGENT, quotes_per_cause=10)
    assert insights.causes == expected
    assert {code: len(q) for code, q in insights.quotes.items()} == expected
