"""The shipped model: one logistic regression per language over hashed n-grams, in plain Python.

zh: character 1-3-grams. en: word unigrams with negation scope, bigrams, and two VADER-lexicon
valence sums. Weights are float32 arrays; the file is a JSON header followed by the arrays.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import struct
import sys
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from aftersales.sentiment.text import en_features, en_tokens, lexicon_features, zh_features

MAGIC = b"AFSENT1\n"
LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class Features:
    indices: set[int]
    dense: tuple[float, ...] = ()


@dataclass(frozen=True)
class LanguageModel:
    """`weights` has 2**bits hashed slots, then one slot per dense feature."""

    language: str
    bits: int
    weights: array
    lexicon: Mapping[str, float] = field(default_factory=dict)

    @property
    def dense_count(self) -> int:
        return 2 if self.language == "en" else 0

    def features(self, text: str) -> Features:
        if self.language == "zh":
            return Features(zh_features(text, self.bits))
        tokens = en_tokens(text)
        return Features(en_features(tokens, self.bits), lexicon_features(tokens, self.lexicon))

    def score(self, features: Features) -> float:
        weights = self.weights
        total = sum(weights[i] for i in features.indices)
        base = 1 << self.bits
        for k, value in enumerate(features.dense):
            total += weights[base + k] * value
        return total

    def probability(self, text: str) -> float:
        """Probability that the text is positive."""
        return _sigmoid(self.score(self.features(text)))

    def with_weights(self, weights: array) -> LanguageModel:
        return LanguageModel(self.language, self.bits, weights, self.lexicon)


@dataclass(frozen=True)
class SentimentModel:
    version: str
    languages: Mapping[str, LanguageModel]

    def supports(self, language: str) -> bool:
        return language in self.languages

    @property
    def english_words(self) -> Mapping[str, float]:
        """The English lexicon's words: language detection's English vocabulary."""
        return self.languages["en"].lexicon if "en" in self.languages else {}

    def probability(self, text: str, language: str) -> float:
        return self.languages[language].probability(text)

    def to_bytes(self) -> bytes:
        header = {"version": self.version, "languages": [
            {"language": m.language, "bits": m.bits, "slots": len(m.weights), "lexicon": dict(m.lexicon)}
            for m in self.languages.values()]}
        head = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
        body = b"".join(_le_bytes(m.weights) for m in self.languages.values())
        return MAGIC + struct.pack("<I", len(head)) + head + body

    @classmethod
    def from_bytes(cls, data: bytes) -> SentimentModel:
        if not data.startswith(MAGIC):
            raise ValueError("not a sentiment model file")
        start = len(MAGIC) + 4
        (length,) = struct.unpack("<I", data[len(MAGIC):start])
        header = json.loads(data[start:start + length].decode("utf-8"))
        offset = start + length
        languages: dict[str, LanguageModel] = {}
        for entry in header["languages"]:
            weights = array("f")
            size = entry["slots"] * weights.itemsize
            weights.frombytes(data[offset:offset + size])
            if sys.byteorder == "big":
                weights.byteswap()
            offset += size
            languages[entry["language"]] = LanguageModel(entry["language"], entry["bits"], weights,
                                                         entry["lexicon"])
        if offset != len(data):
            raise ValueError("sentiment model file has trailing or missing bytes")
        return cls(header["version"], languages)


def content_version(prefix: str, languages: Mapping[str, LanguageModel]) -> str:
    """`prefix+<digest>`: the digest of the weights and lexicons, so equal models carry equal versions."""
    digest = hashlib.sha256()
    for model in languages.values():
        digest.update(model.language.encode() + _le_bytes(model.weights))
        digest.update(json.dumps(dict(model.lexicon), sort_keys=True).encode())
    return f"{prefix}+{digest.hexdigest()[:10]}"


@dataclass(frozen=True)
class Training:
    """Stochastic gradient descent on the log loss; a fixed seed makes a fit reproducible.

    `nb_scaling`: each hashed feature is scaled by its naive-Bayes log-count ratio in the examples
    (NB-SVM, Wang & Manning 2012, with logistic loss); the ratios are folded into the saved weights,
    so inference is unchanged.
    """

    epochs: int = 8
    learning_rate: float = 0.2
    l2: float = 1e-6
    seed: int = 20261202
    nb_scaling: bool = False
    nb_smoothing: float = 0.5


def fit(model: LanguageModel, examples: Iterable[tuple[str, int]], training: Training = Training(),
        start: array | None = None) -> LanguageModel:
    """A copy of `model` fitted on (text, label) pairs (1 = positive), from `start` weights or zeros."""
    rows = [(model.features(text), label) for text, label in examples]
    base = 1 << model.bits
    scale = _nb_ratios(rows, base, training.nb_smoothing) if training.nb_scaling else None
    weights = [0.0] * (base + model.dense_count) if start is None else list(start)
    order = list(range(len(rows)))
    rng = random.Random(training.seed)
    step = 0
    for _ in range(training.epochs):
        rng.shuffle(order)
        for i in order:
            features, label = rows[i]
            rate = training.learning_rate / (1.0 + step * 1e-5)
            step += 1
            if scale is None:
                total = sum(weights[j] for j in features.indices)
            else:
                total = sum(weights[j] * scale[j] for j in features.indices)
            for k, value in enumerate(features.dense):
                total += weights[base + k] * value
            gradient = (_sigmoid(total) - label) * rate
            shrink = 1.0 - rate * training.l2
            if scale is None:
                for j in features.indices:
                    weights[j] = weights[j] * shrink - gradient
            else:
                for j in features.indices:
                    weights[j] = weights[j] * shrink - gradient * scale[j]
            for k, value in enumerate(features.dense):
                weights[base + k] = weights[base + k] * shrink - gradient * value
    if scale is not None:
        weights[:base] = [w * r for w, r in zip(weights[:base], scale, strict=True)]
    return model.with_weights(array("f", weights))


def _nb_ratios(rows: list[tuple[Features, int]], size: int, smoothing: float) -> list[float]:
    positive = [smoothing] * size
    negative = [smoothing] * size
    for features, label in rows:
        counts = positive if label else negative
        for j in features.indices:
            counts[j] += 1
    norm = math.log(sum(negative) / sum(positive))
    return [math.log(p / n) + norm for p, n in zip(positive, negative, strict=True)]


def accuracy(model: SentimentModel, examples: Sequence[tuple[str, str, int]]) -> float:
    """Share of (text, language, label) pairs whose predicted polarity matches the label."""
    if not examples:
        return 0.0
    right = sum((model.probability(text, language) >= 0.5) == bool(label) for text, language, label in examples)
    return right / len(examples)


def empty(language: str, bits: int, lexicon: Mapping[str, float] | None = None) -> LanguageModel:
    extra = 2 if language == "en" else 0
    return LanguageModel(language, bits, array("f", bytes(4 * ((1 << bits) + extra))), dict(lexicon or {}))


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _le_bytes(weights: array) -> bytes:
    if sys.byteorder == "big":
        copy = array("f", weights)
        copy.byteswap()
        return copy.tobytes()
    return weights.tobytes()
