"""What the sentiment service needs from an analyser."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from aftersales.sentiment.model import DetectedText, SentimentResult


class SentimentAnalyzer(Protocol):
    @property
    def model_version(self) -> str:
        """What decides its results (a model file's version, or the provider's name)."""
        ...

    def supports(self, language: str) -> bool:
        """Whether `analyse` reads texts in this language (ISO 639-1 code)."""
        ...

    def analyse(self, texts: Sequence[DetectedText]) -> list[SentimentResult]:
        """One result per text, in order; every text is in a language `supports` accepts."""
        ...
