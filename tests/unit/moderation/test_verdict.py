"""The verdict: publish / pending_review / reject with its reasons and scores. It filters abuse and
fakes, never opinions: a clean negative review is published, and a consistent one-star review is
treated exactly like a consistent five-star one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.moderation.duplicates import DuplicateOf
from aftersales.moderation.matcher import Finding
from aftersales.moderation.verdict import Signals, Status, decide


def term(name: str, severity: str = "high") -> Finding:
    return Finding(name, name, 0, len(name), severity, "profanity", "default")


signals = st.builds(
    Signals,
    verified_buyer=st.booleans(),
    account_age_days=st.none() | st.integers(0, 4000),
    reviews_last_hour=st.integers(0, 30),
    reviews_last_day=st.integers(0, 100),
    rating=st.none() | st.integers(1, 5),
    sentiment=st.none() | st.floats(-1, 1),
)
findings = st.lists(st.sampled_from([term("傻逼"), term("fuck"), term("shit"), term("贱人"), term("幹", "low"),
                                     term("奸", "low")]), max_size=5)
duplicates = st.none() | st.builds(DuplicateOf, review_id=st.just("r0"), similarity=st.floats(0.7, 1.0))


@given(rating=st.integers(1, 2), sentiment=st.floats(-1, 0), age=st.none() | st.integers(30, 4000))
def test_a_clean_negative_review_from_a_buyer_is_published(rating, sentiment, age):
    verdict = decide([], None, Signals(rating=rating, sentiment=sentiment, account_age_days=age))
    assert verdict.status is Status.PUBLISH
    assert verdict.reasons == ()


@given(findings, duplicates, signals)
def test_a_negative_review_is_judged_exactly_like_its_positive_mirror(found, duplicate, given_signals):
    """Mirroring the stars (1 <-> 5) and the sentiment (-s <-> s) changes nothing in the verdict."""
    mirrored = given_signals.model_copy(update={
        "rating": None if given_signals.rating is None else 6 - given_signals.rating,
        "sentiment": None if given_signals.sentiment is None else -given_signals.sentiment})
    mine, theirs = decide(found, duplicate, given_signals), decide(found, duplicate, mirrored)
    assert (mine.status, mine.scores, [r.code for r in mine.reasons]) == (
        theirs.status, theirs.scores, [r.code for r in theirs.reasons])


@given(signals)
def test_behaviour_alone_never_rejects(given_signals):
    assert decide([], None, given_signals).status is not Status.REJECT


@given(findings, duplicates, signals)
def test_every_hold_or_rejection_gives_its_reasons(found, duplicate, given_signals):
    verdict = decide(found, duplicate, given_signals)
    if verdict.status is not Status.PUBLISH:
        assert verdict.reasons
    assert 0 <= verdict.scores["fake"] <= 1 and verdict.scores["abuse"] >= 0


def test_one_prohibited_term_goes_to_a_person_with_the_term_in_the_reason():
    verdict = decide([term("傻逼")], None, Signals())
    assert verdict.status is Status.PENDING_REVIEW
    assert [r.code for r in verdict.reasons] == ["prohibited_term"]
    assert "傻逼" in verdict.reasons[0].detail
    assert verdict.scores == {"abuse": 1.0, "fake": 0.0}


def test_one_lone_ambiguous_character_alone_is_published_with_its_reason():
    verdict = decide([term("幹", "low")], None, Signals())
    assert verdict.status is Status.PUBLISH
    assert [r.code for r in verdict.reasons] == ["prohibited_term"]


def test_the_same_term_twice_counts_once_and_three_distinct_ones_reject():
    assert decide([term("傻逼"), term("傻逼")], None, Signals()).scores["abuse"] == 1.0
    assert decide([term("傻逼"), term("fuck"), term("shit")], None, Signals()).status is Status.REJECT


def test_a_near_copy_goes_to_a_person_and_with_a_suspicious_account_is_rejected():
    copy = DuplicateOf("r0", 0.95)
    held = decide([], copy, Signals())
    assert held.status is Status.PENDING_REVIEW
    assert held.reasons[0].code == "duplicate_text" and "r0" in held.reasons[0].detail
    rejected = decide([], copy, Signals(verified_buyer=False, account_age_days=0))
    assert rejected.status is Status.REJECT
    assert [r.code for r in rejected.reasons] == ["duplicate_text", "unverified_buyer", "new_account"]


@pytest.mark.parametrize(("given_signals", "code"), [
    (Signals(verified_buyer=False, account_age_days=0, reviews_last_hour=6), "review_burst"),
    (Signals(verified_buyer=False, account_age_days=2, rating=5, sentiment=-0.9), "rating_contradicts_text"),
])
def test_suspicious_behaviour_goes_to_a_person(given_signals, code):
    verdict = decide([], None, given_signals)
    assert verdict.status is Status.PENDING_REVIEW
    assert code in [r.code for r in verdict.reasons]


def test_a_rating_that_contradicts_the_text_counts_the_same_either_way():
    five_on_furious = decide([], None, Signals(rating=5, sentiment=-0.8))
    one_on_glowing = decide([], None, Signals(rating=1, sentiment=0.8))
    assert five_on_furious.scores == one_on_glowing.scores == {"abuse": 0.0, "fake": 0.15}
    assert five_on_furious.status is one_on_glowing.status is Status.PUBLISH
