"""The routed analyser: the local model for zh/en, the other analyser (Comprehend on AWS) for the
languages it reads, unsupported for the rest."""

from __future__ import annotations

from collections.abc import Sequence

from aftersales.sentiment.analyzers import model_analyzer
from aftersales.sentiment.model import DetectedText, Polarity, SentimentResult
from aftersales.sentiment.shipped import shipped_model


class RecordingAnalyzer:
    """Reads Spanish and German; says every text is neutral; keeps what it was asked."""

    def __init__(self) -> None:
        self.asked: list[list[DetectedText]] = []

    @property
    def model_version(self) -> str:
        return "other-1"

    def supports(self, language: str) -> bool:
        return language in {"es", "de"}

    def analyse(self, texts: Sequence[DetectedText]) -> list[SentimentResult]:
        self.asked.append(list(texts))
        return [SentimentResult(t.language, Polarity.NEUTRAL, 0.9, self.model_version) for t in texts]


def test_each_text_goes_to_the_analyser_that_reads_its_language_in_one_call():
    other = RecordingAnalyzer()
    texts = ["质量很好", "Muy bueno, pero la batería dura poco", "This is not good", "Sehr gut und schnell", "最悪です"]
    results = model_analyzer(shipped_model(), other).analyse(texts)
    assert [r.language for r in results] == ["zh", "es", "en", "de", "ja"]
    assert [r.model_version for r in results] == [shipped_model().version, "other-1", shipped_model().version,
                                                  "other-1", shipped_model().version]
    assert results[4].polarity is Polarity.UNSUPPORTED
    assert [[t.text for t in call] for call in other.asked] == [[texts[1], texts[3]]]


def test_without_another_analyser_other_languages_are_unsupported():
    (result,) = model_analyzer(shipped_model()).analyse(["Sehr gut und schnell"])
    assert result.polarity is Polarity.UNSUPPORTED and result.language == "de"


def test_no_texts_no_calls():
    other = RecordingAnalyzer()
    assert model_analyzer(shipped_model(), other).analyse([]) == []
    assert other.asked == []
