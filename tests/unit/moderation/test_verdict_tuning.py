"""A tenant's verdict tuning: refused outside its bounds with the field's path, applied on top of the
platform policy, and never able to hold a review for being negative (Hypothesis over every allowed
tuning); the service decides with the tenant's published tuning and a roll back restores the old."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.core.clock import FixedClock
from aftersales.core.errors import InvalidRequest
from aftersales.moderation.duplicates import DuplicateOf
from aftersales.moderation.lexicon import Lexicon
from aftersales.moderation.matcher import Finding
from aftersales.moderation.service import ModerationService
from aftersales.moderation.tuning import VerdictTuning
from aftersales.moderation.verdict import DEFAULT_POLICY, Signals, Status, decide
from tests.support.fakes.moderation import InMemoryLexiconStore, InMemorySignatureIndex
from tests.support.review_texts import NEGATIVE

TEMPLATE = "这款保温杯质量非常好，保温效果一流，颜色也很漂亮，物流很快，客服态度很好，五星好评推荐购买"


def _bounds(name: str) -> tuple[float, float]:
    meta = VerdictTuning.model_fields[name].metadata
    return (next(m.ge for m in meta if hasattr(m, "ge")), next(m.le for m in meta if hasattr(m, "le")))


def _value(name: str):
    low, high = _bounds(name)
    kind = VerdictTuning.model_fields[name].annotation
    if "int" in str(kind):
        return st.integers(int(low), int(high))
    return st.floats(low, high, allow_nan=False)


TUNINGS = st.fixed_dictionaries({}, optional={name: _value(name) for name in VerdictTuning.model_fields})


def _finding(term: str, severity: str = "high") -> Finding:
    return Finding(term=term, matched=term, start=0, end=len(term), severity=severity, category="profanity",
                   source="tenant")


@pytest.mark.parametrize(("document", "path"), [
    ({"reject_abuse": 1.0}, "verdict.reject_abuse"),  # one word would reject
    ({"contradiction": 0.5}, "verdict.contradiction"),  # the contradiction alone would hold
    ({"review_fake": 0.0}, "verdict.review_fake"),
    ({"unverified_buyer": -0.2}, "verdict.unverified_buyer"),
    ({"negative_rating": 1.0}, "verdict.negative_rating"),  # no such knob
])
def test_a_tuning_outside_its_bounds_is_refused_with_its_path(document, path):
    service = ModerationService(InMemoryLexiconStore(), InMemorySignatureIndex(),
                                FixedClock(datetime(2026, 12, 2, 8, tzinfo=UTC)))
    with pytest.raises(InvalidRequest) as refused:
        service.put_draft("acme", {"verdict": document}, None)
    assert refused.value.details["field"] == path


def test_an_unset_tuning_is_the_platform_policy_and_a_set_field_replaces_only_itself():
    assert VerdictTuning().apply(DEFAULT_POLICY) is DEFAULT_POLICY
    tuned = VerdictTuning(review_fake=0.3, burst_per_hour=3).apply(DEFAULT_POLICY)
    assert (tuned.review_fake, tuned.burst_per_hour) == (0.3, 3)
    assert tuned.model_copy(update={"review_fake": DEFAULT_POLICY.review_fake,
                                    "burst_per_hour": DEFAULT_POLICY.burst_per_hour}) == DEFAULT_POLICY


@settings(max_examples=300, deadline=None)
@given(tuning=TUNINGS, rating=st.integers(1, 5), sentiment=st.floats(-1.0, 1.0, allow_nan=False),
       terms=st.integers(0, 1))
def test_no_allowed_tuning_weighs_an_opinion_or_rejects_one_word(tuning, rating, sentiment, terms):
    """GIVEN any tuning within bounds WHEN a verified, established buyer's review carries at most one
    prohibited term THEN it is never rejected; without a term it is published whatever its rating
    and sentiment; and the verdict on (rating, sentiment) equals the one on its mirror (6 - rating,
    -sentiment): the tuning cannot tell criticism from praise."""
    policy = VerdictTuning.model_validate(tuning).apply(DEFAULT_POLICY)
    findings = [_finding("cheapbags")] * terms
    signals = Signals(rating=rating, sentiment=sentiment, account_age_days=400)
    verdict = decide(findings, None, signals, policy)
    assert verdict.status is not Status.REJECT
    if not terms:
        assert verdict.status is Status.PUBLISH
    mirror = decide(findings, None, Signals(rating=6 - rating, sentiment=-sentiment, account_age_days=400), policy)
    assert (mirror.status, mirror.scores) == (verdict.status, verdict.scores)


@settings(max_examples=200, deadline=None)
@given(tuning=TUNINGS)
def test_for_every_allowed_tuning_a_review_threshold_is_at_most_its_reject_threshold(tuning):
    policy = VerdictTuning.model_validate(tuning).apply(DEFAULT_POLICY)
    assert policy.review_abuse <= policy.reject_abuse and policy.high_term < policy.reject_abuse
    assert policy.review_fake <= policy.reject_fake and policy.contradiction < policy.review_fake


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 2, 8, tzinfo=UTC))


def test_the_published_tuning_decides_the_tenants_reviews_and_a_roll_back_restores_the_old(clock):
    """GIVEN a tenant that holds reviews from unverified buyers (weight 0.3, review at 0.3) WHEN it
    publishes THEN such a review is held in this tenant only, with the lexicon version that decided;
    rolling back to the defaults publishes them again."""
    store, signatures = InMemoryLexiconStore(), InMemorySignatureIndex()
    service = ModerationService(store, signatures, clock)
    unverified = Signals(verified_buyer=False)
    text = "杯子不错，保温一般，盖子有点紧"
    service.moderate("acme", "r0", TEMPLATE, Signals())
    assert service.moderate("acme", "r1", text, unverified).verdict.status is Status.PUBLISH
    service.put_draft("acme", {"verdict": {"unverified_buyer": 0.3, "review_fake": 0.3}}, None)
    stored = len(signatures)
    trial = service.trial("acme", TEMPLATE, unverified)
    assert trial.verdict.status is Status.PENDING_REVIEW and trial.lexicon_version == 1
    assert len(signatures) == stored  # a trial stores nothing
    assert service.moderate("acme", "r2", text, unverified).verdict.status is Status.PUBLISH  # not yet published
    published = service.publish("acme")
    held = service.moderate("acme", "r3", text, unverified)
    assert held.verdict.status is Status.PENDING_REVIEW and held.lexicon_version == published.version
    assert service.policy("acme").unverified_buyer == 0.3
    assert service.moderate("other", "r4", text, unverified).verdict.status is Status.PUBLISH
    restored = service.roll_back("acme", 0)
    assert restored.version == 2 and restored.verdict == VerdictTuning()
    assert service.moderate("acme", "r5", text, unverified).verdict.status is Status.PUBLISH
    assert store.versions("acme", 10) == [2, 1]


@pytest.mark.parametrize("text", NEGATIVE)
def test_a_strict_tenant_still_publishes_a_genuine_negative_review(clock, text):
    service = ModerationService(InMemoryLexiconStore(), InMemorySignatureIndex(), clock)
    strictest = {name: (_bounds(name)[1] if name not in ("review_abuse", "review_fake", "reject_abuse",
                                                         "reject_fake", "contradiction_sentiment",
                                                         "burst_per_hour", "burst_per_day")
                        else _bounds(name)[0]) for name in VerdictTuning.model_fields}
    service.put_draft("acme", {"verdict": strictest}, None)
    service.publish("acme")
    result = service.moderate("acme", "r1", text, Signals(rating=1, sentiment=-0.95, account_age_days=400))
    assert result.verdict.status is Status.PUBLISH, result.verdict


def test_a_near_copy_still_goes_to_a_person_under_any_tuning():
    lenient = VerdictTuning(duplicate_weight=0.3, reject_fake=1.0, review_fake=0.7).apply(DEFAULT_POLICY)
    verdict = decide([], DuplicateOf("r0", 0.9), Signals(), lenient)
    assert verdict.status is Status.PENDING_REVIEW


def test_the_settings_document_keeps_its_tuning_and_reads_one_stored_without_it():
    stored_before = {"tenant_id": "acme", "version": 3, "status": "published", "use_defaults": True,
                     "languages": ["zh", "en"], "terms": [], "allow": []}
    assert Lexicon.model_validate(stored_before).verdict == VerdictTuning()
    tuned = Lexicon.model_validate({**stored_before, "verdict": {"review_fake": 0.4}})
    assert Lexicon.model_validate(tuned.model_dump(mode="json")) == tuned
