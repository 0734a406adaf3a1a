"""Product insight rules (pure): UTC periods, the counters a review's save and a return line move,
the shared cause vocabulary, clusters with their trend, thresholds, suggestions and their event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aftersales.core.errors import InvalidRequest
from aftersales.reviews import insights
from aftersales.reviews.insights import OWNER, RETURN_CAUSE, Owner, PeriodCounts, Tally
from aftersales.reviews.model import Projection, Quote
from aftersales.sentiment.causes import CAUSES

AT = datetime(2026, 12, 2, 8, tzinfo=UTC)  # a Wednesday of ISO week 49


def quote(code: str, batch: str | None = None) -> Quote:
    return Quote(code=code, review_id="rev_1", text="…", at=AT, batch=batch)


# ---------------------------------------------------------------------- periods
def test_periods_are_iso_weeks_and_months_in_utc():
    # GIVEN a time late on Sunday in Shanghai, which is still Sunday in UTC... and one that is Monday in UTC
    sunday = datetime.fromisoformat("2026-12-06T23:30:00+08:00")
    monday = datetime.fromisoformat("2026-12-07T08:30:00+08:00")
    assert insights.period_of("week", sunday) == "2026-W49"
    assert insights.period_of("week", monday) == "2026-W50"
    assert insights.period_of("month", datetime.fromisoformat("2026-12-01T07:00:00+08:00")) == "2026-11"


def test_previous_periods_cross_year_ends():
    assert insights.previous("2027-W01") == "2026-W53"
    assert insights.previous("2026-01") == "2025-12"
    assert insights.bounds("2026-W49") == (datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC))
    assert insights.bounds("2026-12") == (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(("kind", "value"), [("week", "2026-12"), ("month", "2026-W49"), ("week", "2026-W60"),
                                             ("month", "2026-13"), ("week", "W49"), ("month", "2026-1")])
def test_a_period_that_is_not_one_of_its_kind_is_refused_at_its_field(kind, value):
    with pytest.raises(InvalidRequest) as caught:
        insights.parse_period(kind, value)
    assert caught.value.details["field"] == "query.of"


# ---------------------------------------------------------------------- counters
def test_a_review_entering_published_counts_in_its_week_and_month_for_the_sku_and_its_batch():
    change = Projection(ratings={1: 1}, at=AT, batch="LOT-7", quotes_added=[quote("size_fit", "LOT-7")])
    moved = insights.review_tallies(change)
    assert moved == {
        Tally("2026-W49", None, "reviews"): 1, Tally("2026-W49", None, "cause:size_fit"): 1,
        Tally("2026-W49", "LOT-7", "reviews"): 1, Tally("2026-W49", "LOT-7", "cause:size_fit"): 1,
        Tally("2026-12", None, "reviews"): 1, Tally("2026-12", None, "cause:size_fit"): 1,
        Tally("2026-12", "LOT-7", "reviews"): 1, Tally("2026-12", "LOT-7", "cause:size_fit"): 1}


def test_a_review_leaving_published_takes_back_what_it_counted_and_a_save_that_moves_nothing_counts_nothing():
    left = Projection(ratings={2: -1}, at=AT, quotes_removed=[quote("quality")])
    assert insights.review_tallies(left) == {Tally("2026-W49", None, "reviews"): -1,
                                             Tally("2026-W49", None, "cause:quality"): -1,
                                             Tally("2026-12", None, "reviews"): -1,
                                             Tally("2026-12", None, "cause:quality"): -1}
    assert insights.review_tallies(Projection(at=AT)) == {}
    assert insights.review_tallies(Projection()) == {}


def test_every_review_cause_has_an_owner_and_return_reasons_map_into_the_same_vocabulary():
    assert set(OWNER) == set(CAUSES)
    assert set(RETURN_CAUSE.values()) <= set(CAUSES)
    assert insights.return_cause("wrong_size") == insights.return_cause("SIZE") == "size_fit"
    assert insights.return_cause("damaged") == "packaging"
    assert insights.return_cause("no_reason_7day") == insights.return_cause(None) == "other"


def test_a_return_line_counts_once_in_each_period_for_the_sku_and_its_batch():
    assert insights.return_tallies("wrong_size", "LOT-7", AT) == {
        Tally("2026-W49", None, "return:size_fit"): 1, Tally("2026-W49", "LOT-7", "return:size_fit"): 1,
        Tally("2026-12", None, "return:size_fit"): 1, Tally("2026-12", "LOT-7", "return:size_fit"): 1}
    assert insights.return_tallies("changed_mind", None, AT) == {Tally("2026-W49", None, "return:other"): 1,
                                                                Tally("2026-12", None, "return:other"): 1}


def created(ticket_type: str, lines: list[dict], reason: str = "quality", event: str = "ticket.created") -> dict:
    return {"tenant_id": "acme", "ticket_id": "tkt_1", "ticket_type": ticket_type, "event": event,
            "at": "2026-12-02T08:00:00.000Z", "reason": reason, "data": {"lines": lines}}


def test_return_lines_come_from_opened_returns_exchanges_and_refunds_only():
    lines = [{"line_id": "L1", "quantity": 1, "sku": "MUG", "reason_code": "wrong_size", "batch": "LOT-7"},
             {"line_id": "L2", "quantity": 1, "sku": "TEA", "reason_code": "quality"},
             {"line_id": "L3", "quantity": 1}]  # an event from before lines carried their sku
    found = insights.return_lines(created("exchange", lines))
    assert [(ln.line_id, ln.sku, ln.reason_code, ln.batch, ln.at) for ln in found] == [
        ("L1", "MUG", "wrong_size", "LOT-7", AT), ("L2", "TEA", "quality", None, AT)]
    assert insights.return_lines(created("complaint", lines)) == []
    assert insights.return_lines(created("repair", lines)) == []
    assert insights.return_lines(created("return_refund", lines, event="ticket.approved")) == []


# ---------------------------------------------------------------------- clusters and suggestions
def counts(period: str, reviews: int, causes: dict[str, int], returns: dict[str, int] | None = None) -> PeriodCounts:
    return PeriodCounts(period=period, reviews=reviews, causes=causes, returns=returns or {})


def test_clusters_join_reviews_and_returns_of_a_cause_with_their_trend_most_signals_first():
    now = counts("2026-W49", 40, {"size_fit": 12, "quality": 2, "price": 1}, {"size_fit": 7, "packaging": 1})
    before = counts("2026-W48", 30, {"size_fit": 4, "quality": 2, "price": 3}, {"size_fit": 2})
    found = insights.clusters(now, before)
    assert [c.cause for c in found] == ["size_fit", "quality", "packaging", "price"]
    size = found[0]
    assert (size.reviews, size.returns, size.previous_reviews, size.previous_returns, size.share) == (12, 7, 4, 2, 0.3)
    assert size.trend.model_dump() == {"direction": "rising", "delta": 13}
    assert [c.trend.direction for c in found[1:]] == ["steady", "new", "falling"]


def test_a_cluster_crosses_a_threshold_when_it_rises_sharply_or_is_a_large_share_and_never_below_the_minimum():
    def one(now: tuple[int, int], before: tuple[int, int], reviews: int):
        return insights.clusters(counts("p", reviews, {"quality": now[0]}, {"quality": now[1]}),
                                 counts("q", 0, {"quality": before[0]}, {"quality": before[1]}))[0]

    assert insights.trigger(one((2, 2), (0, 0), 100)) == "rising"  # new and 4 signals
    assert insights.trigger(one((5, 1), (3, 1), 10)) == "share"  # +2 only, but half the period's reviews
    assert insights.trigger(one((5, 1), (3, 1), 100)) is None  # +2 and 5 %
    assert insights.trigger(one((1, 1), (0, 0), 1)) is None  # 2 signals: below the minimum
    assert insights.trigger(one((6, 3), (5, 2), 100)) is None  # +2: not a sharp rise


def test_suggestions_route_each_cluster_to_its_owner_with_a_catalog_message():
    now = counts("2026-W49", 10, {"size_fit": 3, "authenticity": 1, "logistics": 2}, {"size_fit": 2, "logistics": 1})
    found = insights.clusters(now, counts("2026-W48", 10, {}))
    made = insights.suggestions("2026-W49", found)
    assert [(s.cause, s.owner, s.trigger) for s in made] == [("size_fit", Owner.PRODUCT, "rising"),
                                                            ("logistics", Owner.LOGISTICS, "rising")]
    assert made[0].message_id == "insight.suggestion.size_fit"
    assert made[0].params == {"period": "2026-W49", "reviews": 3, "returns": 2}


def test_the_suggested_event_carries_counts_and_routing_only():
    cluster = insights.clusters(counts("2026-W49", 10, {"authenticity": 4}), counts("2026-W48", 10, {}))[0]
    cluster = cluster.model_copy(update={"quotes": [quote("authenticity")]})
    (suggestion,) = insights.suggestions("2026-W49", [cluster])
    detail = insights.suggested_event("acme", "MUG", "2026-W49", cluster, suggestion, 10)
    assert detail == {"tenant_id": "acme", "sku": "MUG", "cause": "authenticity", "period": "2026-W49",
                      "owner": "procurement", "trigger": "rising", "message_id": "insight.suggestion.authenticity",
                      "reviews": 4, "returns": 0, "previous_reviews": 0, "previous_returns": 0, "period_reviews": 10,
                      "share": 0.4, "dedup_key": "MUG#authenticity#2026-W49"}


def test_a_suggestion_check_reads_the_period_and_previous_counters_of_the_signalled_causes():
    keys = insights.watched(["size_fit"], AT)
    assert len(keys) == len(set(keys)) == 12
    assert Tally("2026-W48", None, "return:size_fit") in keys and Tally("2026-11", None, "reviews") in keys
