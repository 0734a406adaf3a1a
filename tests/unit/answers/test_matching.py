"""The matcher (pure): GIVEN the built-in intents' phrasings WHEN customers write in zh or en, with
typos and colloquial Chinese THEN the intent scores best; asking for a person is always a hand-off cue;
complaints and changes are a needs-person cue."""

from __future__ import annotations

import pytest

from aftersales.answers.intents import builtin_phrasings
from aftersales.answers.matching import PERSON_REQUESTED, Matcher, cue, features, is_chinese, normalize


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(builtin_phrasings())


@pytest.mark.parametrize(("text", "intent"), [
    ("我的退款到哪了", "refund_status"),
    ("钱啥时候能退回来啊", "refund_status"),
    ("wheres my refnd", "refund_status"),  # a typo still shares most character trigrams
    ("WHERE IS MY REFUND？", "refund_status"),  # full-width punctuation and capitals
    ("你们收到我寄回去的快递没", "return_arrival"),
    ("has my retrun arrived", "return_arrival"),
    ("换货啥时候发", "reshipment_status"),
    ("has my replacement shipped?", "reshipment_status"),
    ("售后现在什么进度", "ticket_status"),
])
def test_routine_questions_score_their_intent_best(matcher, text, intent):
    match = matcher.match(text)
    assert match.intent == intent
    assert match.confidence > match.runner_up
    assert match.cue is None


@pytest.mark.parametrize("text", ["转人工", "人工客服", "我要找人工", "有没有真人", "I want to talk to a person",
                                  "agent please", "let me speak to a human", "can i talk to someone"])
def test_asking_for_a_person_is_the_person_requested_cue(text):
    assert cue(text) == "person_requested"


@pytest.mark.parametrize("text", ["我要投诉", "为什么拒绝我的退款", "能不能只退一半", "我想取消这个售后",
                                  "收到的东西是坏的", "why was my refund rejected", "I will do a chargeback",
                                  "the item arrived broken", "please change my address"])
def test_complaints_disputes_and_changes_need_a_person(text):
    assert cue(text) == "needs_person"


def test_a_routine_question_has_no_cue():
    assert cue("我的退款到哪了") is None
    assert cue("where is my refund") is None


def test_chinese_features_are_character_unigrams_and_bigrams_without_particles():
    grams = features("我的退款到哪了")
    assert {"退", "款", "退款", "款到", "到哪"} <= set(grams)
    assert "的" not in grams and "了" not in grams  # particles carry no meaning alone


def test_latin_features_are_words_and_boundary_trigrams_without_stop_words():
    grams = features("Where is my refund")
    assert {"w:where", "w:refund", "t:^re", "t:nd$"} <= set(grams)
    assert "w:my" not in grams and "w:is" not in grams


def test_normalize_and_language():
    assert normalize("  ＲＥＦＵＮＤ   status ") == "refund status"
    assert is_chinese("refund 到账了吗") and not is_chinese("refund please")


def test_text_sharing_nothing_with_any_phrasing_matches_nothing(matcher):
    match = matcher.match("xyzzy qwv")
    assert match.intent is None and match.confidence == 0.0


@pytest.mark.parametrize("locale", ["en", "zh-Hans", "zh-Hant", "ja", "ko", "es", "de", "fr"])
def test_the_word_each_languages_note_tells_the_customer_to_send_reaches_a_person(locale):
    """The automatic answer's note says which word brings a person (in the customer's language):
    sending exactly that word is always a hand-off."""
    import re as _re

    from aftersales.core.i18n import translate

    note = translate("answers.automatic_note", locale)
    quoted = _re.search(r"[“„«「'\"]\s*([^”“«»」'\"]+?)\s*[”“»」'\"]", note)
    assert quoted, note
    assert PERSON_REQUESTED.search(normalize(quoted.group(1))), (locale, quoted.group(1))


@pytest.mark.parametrize("text", ["Quiero hablar con un agente", "Ich möchte einen Mitarbeiter sprechen",
                                  "Je voudrais parler à un conseiller", "担当者に代わってください",
                                  "상담원 연결해 주세요"])
def test_asking_for_a_person_in_the_other_customer_languages_hands_off(text):
    assert PERSON_REQUESTED.search(normalize(text))
