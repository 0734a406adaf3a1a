"""What an analysis says about one review."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Polarity(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    NEUTRAL = "neutral"  # Amazon Comprehend only; the shipped model is binary
    MIXED = "mixed"  # Amazon Comprehend only
    UNSUPPORTED = "unsupported"  # a language no configured analyser reads: no guess


@dataclass(frozen=True, slots=True)
class Evidence:
    """The original text at [start, end) that matched a cause phrase."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Cause:
    code: str  # one of causes.CAUSES
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class SentimentResult:
    """`confidence` is the probability of `polarity` (0.0 when unsupported); `model_version` names
    the model that decided (the shipped file's version, a tenant refit's, or "comprehend")."""

    language: str
    polarity: Polarity
    confidence: float
    model_version: str
    causes: tuple[Cause, ...] = ()

    @property
    def negative(self) -> bool:
        return self.polarity is Polarity.NEGATIVE


@dataclass(frozen=True, slots=True)
class DetectedText:
    text: str
    language: str
