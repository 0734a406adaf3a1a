"""The shipped model file: loads, carries its version, reads clear zh/en reviews and negation."""

from __future__ import annotations

import pytest

from aftersales.sentiment.analyzers import model_analyzer
from aftersales.sentiment.linear import SentimentModel, Training, accuracy, content_version, empty, fit
from aftersales.sentiment.model import Polarity
from aftersales.sentiment.shipped import MODEL_FILE, shipped_model


def test_the_model_file_loads_with_a_version_and_both_languages():
    model = shipped_model()
    assert model.version.startswith("2026.12.02+") and len(model.version) > len("2026.12.02+")
    assert model.supports("zh") and model.supports("en") and not model.supports("es")
    assert "good" in model.english_words  # the VADER lexicon rides along for the en features


def test_the_file_round_trips_byte_for_byte():
    data = MODEL_FILE.read_bytes()
    assert SentimentModel.from_bytes(data).to_bytes() == data


def test_a_truncated_file_is_refused():
    with pytest.raises(ValueError):
        SentimentModel.from_bytes(MODEL_FILE.read_bytes()[:-4])
    with pytest.raises(ValueError):
        SentimentModel.from_bytes(b"not a model")


@pytest.mark.parametrize(("text", "polarity"), [
    ("质量非常好，很满意，推荐购买", Polarity.POSITIVE),
    ("质量太差了，非常失望，不会再买", Polarity.NEGATIVE),
    ("不好", Polarity.NEGATIVE),
    ("很好", Polarity.POSITIVE),
    ("Great product, works perfectly, I love it", Polarity.POSITIVE),
    ("Terrible quality, it broke after one day. Waste of money", Polarity.NEGATIVE),
    ("not good", Polarity.NEGATIVE),
    ("This is not good at all", Polarity.NEGATIVE),
])
def test_clear_reviews_and_negations(text, polarity):
    (result,) = model_analyzer(shipped_model()).analyse([text])
    assert result.polarity is polarity
    assert result.model_version == shipped_model().version
    assert 0.5 <= result.confidence <= 1.0


def test_negation_turns_an_english_word_around():
    model = shipped_model()
    assert model.probability("good", "en") > 0.5 > model.probability("not good", "en")


def test_a_language_the_model_does_not_read_is_unsupported_not_guessed():
    (spanish, japanese) = model_analyzer(shipped_model()).analyse(["Muy bueno, pero la batería dura poco", "最悪です"])
    assert spanish.polarity is Polarity.UNSUPPORTED and spanish.language == "es" and spanish.confidence == 0.0
    assert japanese.polarity is Polarity.UNSUPPORTED and japanese.language == "ja"
    assert spanish.model_version == shipped_model().version


def test_a_fit_is_reproducible_and_its_version_follows_the_weights():
    examples = [("好用 满意", 1), ("很好 推荐", 1), ("太差 失望", 0), ("不好 退货", 0)] * 5
    first = fit(empty("zh", 10), examples, Training(epochs=3))
    second = fit(empty("zh", 10), examples, Training(epochs=3))
    assert first.weights == second.weights
    assert content_version("r", {"zh": first}) == content_version("r", {"zh": second})
    assert content_version("r", {"zh": first}) != content_version("r", {"zh": empty("zh", 10)})
    model = SentimentModel("r", {"zh": first})
    assert accuracy(model, [("很好 满意", "zh", 1), ("太差 退货", "zh", 0)]) == 1.0
