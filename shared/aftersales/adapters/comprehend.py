"""Amazon Comprehend behind the SentimentAnalyzer port: the languages the shipped model does not read.

BatchDetectSentiment for 2+ texts of one language (25 a call), DetectSentiment for one. Texts are cut
to Comprehend's 5,000 UTF-8 bytes. The client is created on first use, never at import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aftersales.core.errors import Unavailable
from aftersales.sentiment.causes import tag_causes
from aftersales.sentiment.model import DetectedText, Polarity, SentimentResult

MODEL_VERSION = "comprehend"
BATCH_MAX = 25
TEXT_MAX_BYTES = 5000
# DetectSentiment's languages (zh-TW is not told apart by our detection).
LANGUAGES = frozenset({"ar", "de", "en", "es", "fr", "hi", "it", "ja", "ko", "pt", "zh"})
_POLARITY = {"POSITIVE": Polarity.POSITIVE, "NEGATIVE": Polarity.NEGATIVE, "NEUTRAL": Polarity.NEUTRAL,
             "MIXED": Polarity.MIXED}
_SCORE = {"POSITIVE": "Positive", "NEGATIVE": "Negative", "NEUTRAL": "Neutral", "MIXED": "Mixed"}
# Per-text batch errors that no retry changes: that text is reported unsupported.
_TEXT_ERRORS = frozenset({"TEXT_SIZE_LIMIT_EXCEEDED", "UNSUPPORTED_LANGUAGE", "INVALID_REQUEST"})


class ComprehendSentiment:
    def __init__(self, client: Any = None, languages: frozenset[str] = LANGUAGES) -> None:
        self._client = client
        self.languages = languages

    @property
    def model_version(self) -> str:
        return MODEL_VERSION

    def supports(self, language: str) -> bool:
        return language in self.languages

    def analyse(self, texts: Sequence[DetectedText]) -> list[SentimentResult]:
        results: list[SentimentResult | None] = [None] * len(texts)
        by_language: dict[str, list[int]] = {}
        for i, item in enumerate(texts):
            by_language.setdefault(item.language, []).append(i)
        for language, indices in by_language.items():
            for start in range(0, len(indices), BATCH_MAX):
                chunk = indices[start:start + BATCH_MAX]
                for i, answer in zip(chunk, self._detect([texts[i].text for i in chunk], language), strict=True):
                    results[i] = _result(texts[i].text, language, answer)
        return [r for r in results if r is not None]

    def _detect(self, texts: list[str], language: str) -> list[dict | None]:
        """One answer per text ({"Sentiment", "SentimentScore"}), None where Comprehend refused the text."""
        cut = [_cut(text) for text in texts]
        try:
            if len(cut) == 1:
                return [self._comprehend().detect_sentiment(Text=cut[0], LanguageCode=language)]
            answer = self._comprehend().batch_detect_sentiment(TextList=cut, LanguageCode=language)
        except Exception as exc:  # botocore's errors: one domain error, the caller retries later
            if _error_code(exc) in {"TextSizeLimitExceededException", "UnsupportedLanguageException"}:
                return [None] * len(cut)
            raise Unavailable("sentiment.analysis_unavailable", provider="comprehend") from exc
        answers: list[dict | None] = [None] * len(cut)
        for item in answer.get("ResultList", []):
            answers[item["Index"]] = item
        for error in answer.get("ErrorList", []):
            if error.get("ErrorCode") not in _TEXT_ERRORS:
                raise Unavailable("sentiment.analysis_unavailable", provider="comprehend")
        return answers

    def _comprehend(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("comprehend")
        return self._client


def _result(text: str, language: str, answer: dict | None) -> SentimentResult:
    if answer is None:
        return SentimentResult(language, Polarity.UNSUPPORTED, 0.0, MODEL_VERSION)
    sentiment = answer["Sentiment"]
    polarity = _POLARITY[sentiment]
    confidence = float(answer.get("SentimentScore", {}).get(_SCORE[sentiment], 0.0))
    causes = tag_causes(text) if polarity is Polarity.NEGATIVE else ()
    return SentimentResult(language, polarity, confidence, MODEL_VERSION, causes)


def _cut(text: str) -> str:
    data = text.encode("utf-8")
    return text if len(data) <= TEXT_MAX_BYTES else data[:TEXT_MAX_BYTES].decode("utf-8", errors="ignore")


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""
