"""The shipped model behind the SentimentAnalyzer port, and the analyser that routes by language."""

from __future__ import annotations

from collections.abc import Container, Sequence

from aftersales.sentiment.causes import tag_causes
from aftersales.sentiment.language import detect_language
from aftersales.sentiment.linear import SentimentModel
from aftersales.sentiment.model import DetectedText, Polarity, SentimentResult
from aftersales.sentiment.ports import SentimentAnalyzer, TenantModels


class LocalModelAnalyzer:
    """zh and en with a SentimentModel (the shipped one, or a tenant's refit); causes on negatives."""

    def __init__(self, model: SentimentModel) -> None:
        self.model = model

    @property
    def model_version(self) -> str:
        return self.model.version

    def supports(self, language: str) -> bool:
        return self.model.supports(language)

    def analyse(self, texts: Sequence[DetectedText]) -> list[SentimentResult]:
        return [self.analyse_one(item.text, item.language) for item in texts]

    def analyse_one(self, text: str, language: str) -> SentimentResult:
        positive = self.model.probability(text, language)
        if positive >= 0.5:
            return SentimentResult(language, Polarity.POSITIVE, positive, self.model.version)
        return SentimentResult(language, Polarity.NEGATIVE, 1.0 - positive, self.model.version, tag_causes(text))


class RoutedAnalyzer:
    """Detects each text's language; the local model for what it reads, `others` (Amazon Comprehend on
    AWS, when configured) for the rest, "unsupported" for what neither reads."""

    def __init__(self, local: SentimentAnalyzer, others: SentimentAnalyzer | None = None,
                 english_words: Container[str] = frozenset()) -> None:
        self.local = local
        self.others = others
        self.english_words = english_words

    def analyse(self, texts: Sequence[str]) -> list[SentimentResult]:
        detected = [DetectedText(text, detect_language(text, self.english_words)) for text in texts]
        results: list[SentimentResult | None] = [None] * len(detected)
        for analyzer in (self.local, self.others):
            if analyzer is None:
                continue
            picked = [i for i, item in enumerate(detected) if results[i] is None and analyzer.supports(item.language)]
            if picked:
                for i, result in zip(picked, analyzer.analyse([detected[i] for i in picked]), strict=True):
                    results[i] = result
        return [result or SentimentResult(item.language, Polarity.UNSUPPORTED, 0.0, self.local.model_version)
                for item, result in zip(detected, results, strict=True)]


def model_analyzer(model: SentimentModel, others: SentimentAnalyzer | None = None) -> RoutedAnalyzer:
    """The model for zh/en (its English lexicon also tells English apart), `others` for the rest."""
    return RoutedAnalyzer(LocalModelAnalyzer(model), others, model.english_words)


class TenantAnalyzer:
    """Reads each tenant's texts with the model current for it (its refit, or the shipped one), and
    `others` for the languages that model does not read; results carry the deciding model's version."""

    def __init__(self, models: TenantModels, others: SentimentAnalyzer | None = None) -> None:
        self.models = models
        self.others = others

    def analyse(self, tenant_id: str, texts: Sequence[str]) -> list[SentimentResult]:
        return model_analyzer(self.models.current(tenant_id), self.others).analyse(texts)


class SharedModel:
    """One model for every tenant (where tenants' refits are not stored)."""

    def __init__(self, model: SentimentModel) -> None:
        self.model = model

    def current(self, tenant_id: str) -> SentimentModel:
        return self.model
