"""The Amazon Comprehend adapter against a fake client passed through its constructor."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from aftersales.adapters.comprehend import BATCH_MAX, TEXT_MAX_BYTES, ComprehendSentiment
from aftersales.core.errors import Unavailable
from aftersales.sentiment.model import DetectedText, Polarity


def _score(sentiment: str) -> dict:
    scores = {"Positive": 0.01, "Negative": 0.01, "Neutral": 0.01, "Mixed": 0.01}
    scores[sentiment.capitalize()] = 0.97
    return {"Sentiment": sentiment, "SentimentScore": scores}


class FakeComprehend:
    """Answers by a keyword in the text; `errors` maps a text to a batch ErrorCode."""

    def __init__(self, errors: dict[str, str] | None = None, fail: Exception | None = None) -> None:
        self.calls: list[tuple[str, list[str], str]] = []
        self.errors = errors or {}
        self.fail = fail

    def _answer(self, text: str) -> dict:
        return _score("NEGATIVE" if "malo" in text or "falso" in text else "POSITIVE")

    def detect_sentiment(self, Text: str, LanguageCode: str) -> dict:
        self.calls.append(("detect_sentiment", [Text], LanguageCode))
        if self.fail:
            raise self.fail
        return self._answer(Text)

    def batch_detect_sentiment(self, TextList: list[str], LanguageCode: str) -> dict:
        self.calls.append(("batch_detect_sentiment", list(TextList), LanguageCode))
        if self.fail:
            raise self.fail
        results, errors = [], []
        for i, text in enumerate(TextList):
            if text in self.errors:
                errors.append({"Index": i, "ErrorCode": self.errors[text], "ErrorMessage": "x"})
            else:
                results.append({"Index": i, **self._answer(text)})
        return {"ResultList": results, "ErrorList": errors}


def _texts(*pairs: tuple[str, str]) -> list[DetectedText]:
    return [DetectedText(text, language) for text, language in pairs]


def test_texts_are_batched_per_language_and_answers_come_back_in_order():
    client = FakeComprehend()
    adapter = ComprehendSentiment(client)
    texts = _texts(("muy bueno", "es"), ("sehr gut", "de"), ("producto malo, es falso", "es"), ("toll", "de"))
    results = adapter.analyse(texts)
    assert [(r.language, r.polarity) for r in results] == [("es", Polarity.POSITIVE), ("de", Polarity.POSITIVE),
                                                          ("es", Polarity.NEGATIVE), ("de", Polarity.POSITIVE)]
    assert all(r.model_version == "comprehend" and r.confidence == pytest.approx(0.97) for r in results)
    assert [(name, language) for name, _, language in client.calls] == [("batch_detect_sentiment", "es"),
                                                                       ("batch_detect_sentiment", "de")]


def test_one_text_uses_detect_sentiment_and_batches_hold_at_most_25():
    client = FakeComprehend()
    ComprehendSentiment(client).analyse(_texts(("bueno", "es")))
    ComprehendSentiment(client).analyse([DetectedText(f"bueno {i}", "es") for i in range(BATCH_MAX + 3)])
    assert [(name, len(sent)) for name, sent, _ in client.calls] == [("detect_sentiment", 1),
                                                                    ("batch_detect_sentiment", 25),
                                                                    ("batch_detect_sentiment", 3)]


def test_long_texts_are_cut_to_comprehends_byte_limit_on_a_character_boundary():
    client = FakeComprehend()
    ComprehendSentiment(client).analyse(_texts(("é" * 4000, "fr")))
    (_, (sent,), _) = client.calls[0]
    assert len(sent.encode("utf-8")) <= TEXT_MAX_BYTES and set(sent) == {"é"}


def test_a_text_comprehend_refuses_is_unsupported_and_the_others_are_answered():
    client = FakeComprehend(errors={"demasiado": "TEXT_SIZE_LIMIT_EXCEEDED"})
    results = ComprehendSentiment(client).analyse(_texts(("bueno", "es"), ("demasiado", "es")))
    assert [r.polarity for r in results] == [Polarity.POSITIVE, Polarity.UNSUPPORTED]


def test_provider_faults_become_unavailable():
    throttled = ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "DetectSentiment")
    with pytest.raises(Unavailable):
        ComprehendSentiment(FakeComprehend(fail=throttled)).analyse(_texts(("bueno", "es")))
    with pytest.raises(Unavailable):
        ComprehendSentiment(FakeComprehend(errors={"x": "INTERNAL_SERVER_ERROR"})).analyse(
            _texts(("x", "es"), ("bueno", "es")))


def test_supported_languages():
    adapter = ComprehendSentiment(FakeComprehend())
    assert adapter.supports("es") and adapter.supports("ja") and not adapter.supports("ru")
