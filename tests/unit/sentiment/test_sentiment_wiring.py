"""services().sentiment: the shipped model, and Comprehend for other languages only when configured."""

from __future__ import annotations

import pytest

from aftersales.core.settings import SettingsMissing
from aftersales.sentiment.model import Polarity
from aftersales.wiring import Container


def test_by_default_other_languages_are_unsupported():
    analyzer = Container(env={}).sentiment
    assert analyzer.others is None
    (result,) = analyzer.analyse(["Sehr gut und schnell"])
    assert result.polarity is Polarity.UNSUPPORTED


def test_comprehend_reads_other_languages_when_configured():
    analyzer = Container(env={"SENTIMENT_OTHER_LANGUAGES": "comprehend"}).sentiment
    assert analyzer.others is not None and analyzer.others.model_version == "comprehend"
    assert analyzer.others.supports("de") and not analyzer.others.supports("ru")


def test_an_unknown_setting_names_the_variable():
    with pytest.raises(SettingsMissing, match="SENTIMENT_OTHER_LANGUAGES"):
        Container(env={"SENTIMENT_OTHER_LANGUAGES": "guess"}).sentiment  # noqa: B018
