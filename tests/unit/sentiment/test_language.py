"""Language detection: the script decides; Latin text is English only on evidence; never a guess."""

from __future__ import annotations

import pytest

from aftersales.sentiment.language import UNDETERMINED, detect_language


@pytest.mark.parametrize(("text", "language"), [
    ("质量很好，物流也快", "zh"),
    ("这个 iPhone 壳很好用", "zh"),
    ("とても良い商品です", "ja"),  # kana: Japanese, though it has Han characters too
    ("배송이 빨라요", "ko"),
    ("المنتج ممتاز", "ar"),
    ("This is not what I ordered", "en"),
    ("Muy bueno, pero la batería dura poco", "es"),
    ("Le produit est très bien", "fr"),
    ("Sehr gut und schnell geliefert", "de"),
])
def test_the_script_or_function_words_name_the_language(text, language):
    assert detect_language(text) == language


def test_latin_text_without_function_words_is_english_only_with_a_known_english_word():
    """GIVEN "Fantastic earphones." WHEN no vocabulary is given THEN undetermined; WHEN the English
    lexicon knows "fantastic" THEN en."""
    assert detect_language("Fantastic earphones.") == UNDETERMINED
    assert detect_language("Fantastic earphones.", {"fantastic"}) == "en"
    assert detect_language("Xyzzy plugh.", {"fantastic"}) == UNDETERMINED


@pytest.mark.parametrize("text", ["", "12345 !!!", "🙂🙂", "Xyzzy frob",
                                  "Отличный товар",  # Cyrillic: Russian, Ukrainian, Bulgarian ...
                                  "यह बहुत अच्छा है",  # Devanagari: Hindi, Marathi, Nepali ...
                                  "این محصول خوب است"])  # Persian letters in Arabic script
def test_no_evidence_is_undetermined(text):
    assert detect_language(text) == UNDETERMINED
