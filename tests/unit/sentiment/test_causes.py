"""Negative causes from our phrase lexicon, with evidence spans into the original text."""

from __future__ import annotations

from aftersales.sentiment.analyzers import model_analyzer
from aftersales.sentiment.causes import CAUSES, PHRASES, tag_causes
from aftersales.sentiment.shipped import shipped_model


def _codes(text: str) -> list[str]:
    return [cause.code for cause in tag_causes(text)]


def test_zh_causes_with_evidence():
    text = "质量太差了，包装也破损了，客服不理人"
    causes = {cause.code: cause for cause in tag_causes(text)}
    assert list(causes) == ["quality", "packaging", "service"]
    assert [e.text for e in causes["quality"].evidence] == ["质量太差"]
    for cause in causes.values():
        for evidence in cause.evidence:
            assert text[evidence.start:evidence.end] == evidence.text


def test_en_causes_with_evidence():
    text = "The box was crushed and it stopped working after 2 days. Not as described!"
    assert _codes(text) == ["quality", "description_mismatch", "packaging"]


def test_full_width_and_upper_case_match_after_normalisation_and_spans_point_at_the_original():
    text = "ＦＡＫＥ product, doesn’t fit"
    causes = {cause.code: cause for cause in tag_causes(text)}
    assert set(causes) == {"authenticity", "size_fit"}
    assert causes["authenticity"].evidence[0].text == "ＦＡＫＥ"
    assert causes["size_fit"].evidence[0].text == "doesn’t fit"


def test_a_negated_phrase_is_not_a_cause():
    assert _codes("包装没有破损，但是尺码偏小") == ["size_fit"]
    assert _codes("It is not fake and there is no damage. Missing parts though") == ["missing_or_wrong_item"]


def test_english_phrases_match_whole_words_only():
    assert _codes("I was delighted") == []  # "late" inside "delighted"
    assert _codes("It arrived late") == ["logistics"]


def test_overlapping_evidence_of_one_cause_is_one_span():
    (service,) = tag_causes("The seller never responded")
    assert [e.text for e in service.evidence] == ["seller never responded"]


def test_every_cause_has_zh_and_en_phrases():
    for cause in CAUSES:
        assert any(not p.isascii() for p in PHRASES[cause]) and any(p.isascii() for p in PHRASES[cause])


def test_negative_results_carry_causes_and_positive_ones_none():
    negative, positive = model_analyzer(shipped_model()).analyse(["太差了，发货太慢，而且是假货", "质量很好，物流很快"])
    assert negative.negative and [c.code for c in negative.causes] == ["logistics", "authenticity"]
    assert not positive.negative and positive.causes == ()
