"""The moderation service on in-memory fakes: a review's text is checked against the tenant's
published lexicon and earlier reviews, and decided; a tenant edits, screens and publishes its
lexicon; another container picks a publish up within the refresh interval."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.core.clock import FixedClock
from aftersales.core.errors import ConcurrentModification, InvalidRequest, NotFound
from aftersales.moderation.matcher import Matchers
from aftersales.moderation.service import MAX_TEXT, ModerationService
from aftersales.moderation.verdict import Signals, Status
from tests.support.fakes.moderation import InMemoryLexiconStore, InMemorySignatureIndex
from tests.support.review_texts import NEGATIVE

TEMPLATE = "这款保温杯质量非常好，保温效果一流，颜色也很漂亮，物流很快，客服态度很好，五星好评推荐购买"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 2, 8, tzinfo=UTC))


@pytest.fixture
def lexicons() -> InMemoryLexiconStore:
    return InMemoryLexiconStore()


@pytest.fixture
def signatures() -> InMemorySignatureIndex:
    return InMemorySignatureIndex()


@pytest.fixture
def service(lexicons, signatures, clock) -> ModerationService:
    return ModerationService(lexicons, signatures, clock)


@pytest.mark.parametrize("text", NEGATIVE)
def test_a_clean_negative_review_is_published(service, text):
    result = service.moderate("acme", "r1", text, Signals(rating=1, sentiment=-0.9))
    assert result.verdict.status is Status.PUBLISH
    assert result.findings == () and result.duplicate_of is None and result.lexicon_version == 0


def test_a_profane_review_goes_to_a_person_with_the_words_found(service):
    text = "什么破东西，卖家是傻 逼"
    result = service.moderate("acme", "r1", text, Signals())
    assert result.verdict.status is Status.PENDING_REVIEW
    assert [(f.term, text[f.start:f.end]) for f in result.findings] == [("傻逼", "傻 逼")]


def test_a_template_posted_again_is_a_duplicate_of_the_first_and_rejected_from_a_fresh_account(
        service, signatures):
    first = service.moderate("acme", "r1", TEMPLATE, Signals())
    assert first.verdict.status is Status.PUBLISH and ("acme", "r1") in signatures
    again = service.moderate("acme", "r2", TEMPLATE.replace("颜色", "顏色") + "哦",
                             Signals(verified_buyer=False, account_age_days=0))
    assert again.duplicate_of is not None and again.duplicate_of.review_id == "r1"
    assert again.verdict.status is Status.REJECT
    assert len(signatures) == 2
    elsewhere = service.moderate("other", "r3", TEMPLATE, Signals())
    assert elsewhere.duplicate_of is None  # tenants never see each other's reviews


def test_a_redelivered_review_is_not_its_own_duplicate(service):
    service.moderate("acme", "r1", TEMPLATE, Signals())
    assert service.moderate("acme", "r1", TEMPLATE, Signals()).duplicate_of is None


def test_a_tenant_publishes_a_term_and_the_next_review_is_checked_against_it(service, lexicons):
    draft, revision = service.put_draft("acme", {"terms": [{"text": "竞品链接", "category": "spam"}]}, None)
    assert (draft.version, draft.status, revision) == (1, "draft", 1)
    assert [f.term for f in service.screen("acme", "这有竞品链接", draft=True)] == ["竞品链接"]
    assert service.screen("acme", "这有竞品链接") == []  # not published yet
    published = service.publish("acme")
    assert published.version == 1 and ("acme", 1) in lexicons
    result = service.moderate("acme", "r1", "这有竞品链接", Signals())
    assert result.lexicon_version == 1 and [f.category for f in result.findings] == ["spam"]


def test_screening_an_edited_draft_uses_its_latest_terms_and_the_publish_uses_what_was_published(service):
    service.put_draft("acme", {"terms": [{"text": "cheapbags"}]}, None)
    assert [f.term for f in service.screen("acme", "cheapbags fakeshop", draft=True)] == ["cheapbags"]
    service.put_draft("acme", {"terms": [{"text": "fakeshop"}]}, 1)
    assert [f.term for f in service.screen("acme", "cheapbags fakeshop", draft=True)] == ["fakeshop"]
    service.publish("acme")
    assert [f.term for f in service.screen("acme", "cheapbags fakeshop")] == ["fakeshop"]


def test_another_container_sees_a_publish_after_the_refresh_interval(lexicons, signatures, clock):
    matchers = Matchers()
    editor = ModerationService(lexicons, signatures, clock, matchers=matchers)
    reader = ModerationService(lexicons, signatures, clock)
    assert reader.screen("acme", "cheapbags") == []
    editor.put_draft("acme", {"terms": [{"text": "cheapbags"}]}, None)
    editor.publish("acme")
    assert reader.screen("acme", "cheapbags") == []
    reads = lexicons.reads
    for _ in range(5):
        reader.screen("acme", "cheapbags")
    assert lexicons.reads == reads  # one read per refresh interval, not per review
    clock.advance(seconds=60)
    assert [f.term for f in reader.screen("acme", "cheapbags")] == ["cheapbags"]


def test_a_stale_draft_revision_is_refused(service):
    service.put_draft("acme", {"allow": ["牛鞭"]}, None)
    with pytest.raises(ConcurrentModification):
        service.put_draft("acme", {"allow": ["牛鞭汤"]}, 7)


def test_publishing_with_no_draft_is_not_found(service):
    with pytest.raises(NotFound):
        service.publish("acme")


def test_a_text_over_the_limit_is_refused_with_its_field(service):
    with pytest.raises(InvalidRequest) as caught:
        service.moderate("acme", "r1", "好" * (MAX_TEXT + 1), Signals())
    assert caught.value.details["field"] == "text"


def test_the_result_is_kept_as_plain_json(service):
    import json

    text = "什么破东西，卖家是傻 逼"
    kept = json.loads(json.dumps(service.moderate("acme", "r1", text, Signals()).to_json()))
    assert kept["status"] == "pending_review" and kept["scores"] == {"abuse": 1.0, "fake": 0.0}
    assert kept["reasons"][0]["code"] == "prohibited_term"
    (finding,) = kept["findings"]
    assert text[finding["start"]:finding["end"]] == finding["matched"] == "傻 逼"
    assert (kept["duplicate_of"], kept["lexicon_version"]) == (None, 0)


@settings(max_examples=150, deadline=None)
@given(st.text(st.characters(exclude_categories=()), max_size=300))
def test_any_text_is_moderated_and_every_finding_points_into_it(text):
    service = ModerationService(InMemoryLexiconStore(), InMemorySignatureIndex(),
                                FixedClock(datetime(2026, 12, 2, 8, tzinfo=UTC)))
    result = service.moderate("acme", "r1", text + " 傻 逼", Signals())
    assert result.findings
    for finding in result.findings:
        assert (text + " 傻 逼")[finding.start:finding.end] == finding.matched
