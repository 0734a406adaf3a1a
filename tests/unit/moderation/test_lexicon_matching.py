"""Prohibited terms on normalised text: the default lexicons with their allow-list, a tenant's own
terms and allow-list, word boundaries, single Chinese characters that must not block ordinary
product text, evasions, and findings reported against what the customer wrote."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from aftersales.moderation.lexicon import Lexicon, default_lexicon
from aftersales.moderation.matcher import Matcher, Matchers
from aftersales.moderation.normalise import normalise
from tests.support.review_texts import NEGATIVE, ORDINARY_EN, ORDINARY_ZH


@pytest.fixture(scope="module")
def defaults() -> Matcher:
    return Matcher(default_lexicon("acme"))


def found(matcher: Matcher, text: str) -> list[tuple[str, str]]:
    return [(f.term, f.matched) for f in matcher.find(normalise(text), text)]


@pytest.mark.parametrize("text", ORDINARY_ZH + ORDINARY_EN + NEGATIVE)
def test_ordinary_and_negative_reviews_have_no_prohibited_term(defaults, text):
    assert found(defaults, text) == []


@pytest.mark.parametrize(("text", "term", "matched"), [
    ("你他妈的什么破东西", "他妈的", "他妈的"),
    ("客服就是个傻 逼", "傻逼", "傻 逼"),
    ("客服就是个傻*逼", "傻逼", "傻*逼"),
    ("客服就是个傻\u200b逼", "傻逼", "傻\u200b逼"),
    ("賤人", "贱人", "賤人"),                        # Traditional in the text, Simplified in the list
    ("ＦＵＣＫ this", "fuck", "ＦＵＣＫ"),
    ("f u c k this", "fuck", "f u c k"),
    ("fuuuuck this", "fuck", "fuuuuck"),
    ("what a s.h.i.t seller", "shit", "s.h.i.t"),
    ("草泥马", "操你妈", "草泥马"),                    # homophone
    ("你真是个 sb", "傻逼", "sb"),                     # initials
    ("caonima", "操你妈", "caonima"),                 # pinyin
])
def test_evasions_are_caught_and_reported_as_written(defaults, text, term, matched):
    assert (term, matched) in found(defaults, text)


def test_a_finding_points_at_the_original_characters(defaults):
    text = "Ｗｏｗ，客服傻 逼！"
    (finding,) = defaults.find(normalise(text), text)
    assert text[finding.start:finding.end] == "傻 逼" == finding.matched
    assert finding.source == "default" and finding.severity == "high"


def test_a_lone_single_character_is_found_but_only_as_a_low_finding(defaults):
    (finding,) = defaults.find(normalise("幹！"), "幹！")
    assert (finding.term, finding.severity) == ("幹", "low")
    assert found(defaults, "干活很快，干净利落") == []


def test_a_character_with_no_ordinary_meaning_is_found_inside_words(defaults):
    assert [t for t, _ in found(defaults, "你个老屄样")] == ["屄"]


def test_a_shorter_term_inside_a_longer_one_counts_once(defaults):
    assert found(defaults, "他妈的") == [("他妈的", "他妈的")]


def test_word_boundaries_keep_english_terms_inside_other_words_apart(defaults):
    assert found(defaults, "class assignment, analysis, cocktail, Scunthorpe") == []
    assert found(defaults, "you ass") == [("ass", "ass")]
    assert found(defaults, "you asss") == [("ass", "asss")]  # stretched
    assert found(defaults, "as good as it gets") == []


def test_a_listed_entry_with_nothing_left_to_match_is_skipped(defaults):
    assert "13." in defaults.skipped
    assert found(defaults, "iPhone 13. Great") == []


def test_a_tenant_adds_terms_and_allows_phrases():
    lexicon = Lexicon(tenant_id="acme", version=1, status="published",
                      terms=[{"text": "竞品链接", "category": "spam"}, {"text": "cheapbags", "severity": "low"}],
                      allow=["傻逼游戏"])
    matcher = Matcher(lexicon)
    text = "去cheapbags看看，这有竞品链接，傻逼游戏名字而已，傻逼"
    findings = matcher.find(normalise(text), text)
    assert [(f.term, f.category, f.severity, f.source) for f in findings] == [
        ("cheapbags", "profanity", "low", "tenant"), ("竞品链接", "spam", "high", "tenant"),
        ("傻逼", "profanity", "high", "default")]
    assert text[findings[-1].start:] == "傻逼"  # the allowed phrase's own 傻逼 is lifted


def test_without_the_defaults_only_the_tenants_terms_count():
    matcher = Matcher(Lexicon(tenant_id="acme", version=2, use_defaults=False, terms=[{"text": "refund scam"}]))
    assert found(matcher, "傻逼 fuck") == []
    assert found(matcher, "This is a Refund  Scam!") == [("refund scam", "Refund  Scam")]


def test_one_language_of_the_defaults():
    matcher = Matcher(Lexicon(tenant_id="acme", version=3, languages={"en"}))
    assert found(matcher, "傻逼") == []
    assert found(matcher, "草泥马 sb") == []  # the zh list's evasions go with it
    assert found(matcher, "phuck") == [("fuck", "phuck")]
    assert found(matcher, "fuck") == [("fuck", "fuck")]


@pytest.mark.parametrize(("document", "field"), [
    ({"terms": [{"text": "13."}]}, ("terms", 0, "text")),
    ({"terms": [{"text": "x" * 41}]}, ("terms", 0, "text")),
    ({"terms": [{"text": "ok", "mode": "fuzzy"}]}, ("terms", 0, "mode")),
    ({"allow": ["ok", "!!!"]}, ("allow", 1)),
])
def test_an_unusable_term_is_refused_with_its_field(document, field):
    with pytest.raises(ValidationError) as caught:
        Lexicon.model_validate({"tenant_id": "acme", "version": 1, **document})
    assert caught.value.errors()[0]["loc"] == field


def test_automata_are_built_once_per_lexicon_version_and_shared_by_tenants_on_the_defaults():
    matchers = Matchers(size=2)
    first = matchers.for_lexicon(default_lexicon("acme"))
    assert matchers.for_lexicon(default_lexicon("other")) is first
    own = Lexicon(tenant_id="acme", version=1, status="published")
    assert matchers.for_lexicon(own) is not first
    assert matchers.for_lexicon(own) is matchers.for_lexicon(own.model_copy())
    matchers.for_lexicon(Lexicon(tenant_id="acme", version=2, status="published"))
    assert len(matchers) == 2 and ("*", 0) not in matchers and ("acme", 2) in matchers


def test_an_allowed_phrase_lifts_only_as_written_never_stretched(defaults):
    assert found(defaults, "XX size fits") == []
    assert found(defaults, "xxx videos") == [("xxx", "xxx")]


def test_a_doubled_character_entry_is_two_characters_not_a_lone_one(defaults):
    assert found(defaults, "这鸡鸡了") == [("鸡鸡", "鸡鸡")]
