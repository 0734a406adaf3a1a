"""A tenant's own model: the shipped one refitted on the tenant's star-rated reviews, kept only if
it beats the shipped one on reviews held back from the refit."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from zlib import crc32

from aftersales.sentiment.language import detect_language
from aftersales.sentiment.linear import SentimentModel, Training, accuracy, fit

HELD_BACK_PERCENT = 20
MIN_HELD_BACK = 20  # fewer held-back reviews than this decide nothing: the shipped model stays
REFIT_TRAINING = Training(epochs=4, learning_rate=0.01, l2=0.0)


@dataclass(frozen=True, slots=True)
class RatedReview:
    review_id: str
    text: str
    stars: int  # 1..5


class Winner(StrEnum):
    SHIPPED = "shipped"
    TENANT = "tenant"


@dataclass(frozen=True)
class RefitOutcome:
    winner: Winner
    model: SentimentModel  # the one to use from now on: the refit if it won, else the shipped one
    shipped_accuracy: float
    tenant_accuracy: float
    trained_on: int
    held_back: int
    candidate_version: str = ""  # the refit's version, kept or not


def star_label(stars: int) -> int | None:
    """1-2 stars negative (0), 4-5 positive (1), 3 (and anything outside 1-5) ignored."""
    if stars in (1, 2):
        return 0
    if stars in (4, 5):
        return 1
    return None


def held_back(review_id: str) -> bool:
    """A fixed fifth of the reviews, by id: the same reviews are held back on every run."""
    return crc32(review_id.encode("utf-8")) % 100 < HELD_BACK_PERCENT


def refit_for_tenant(shipped: SentimentModel, tenant_id: str, reviews: Sequence[RatedReview],
                     training: Training = REFIT_TRAINING, min_held_back: int = MIN_HELD_BACK) -> RefitOutcome:
    """Refits each language the shipped model reads, starting from its weights, on the tenant's
    labelled reviews outside the held-back slice; the refit wins only with a strictly higher
    accuracy on a held-back slice of at least `min_held_back` reviews. Its version is the shipped
    one's + tenant + data digest."""
    labelled = []
    for review in sorted(reviews, key=lambda r: r.review_id):
        label = star_label(review.stars)
        language = detect_language(review.text, shipped.english_words)
        if label is not None and shipped.supports(language):
            labelled.append((review, language, label))
    test = [(r.text, lang, y) for r, lang, y in labelled if held_back(r.review_id)]
    train = [(r.text, lang, y) for r, lang, y in labelled if not held_back(r.review_id)]
    languages = dict(shipped.languages)
    for language, model in shipped.languages.items():
        examples = [(text, y) for text, lang, y in train if lang == language]
        if examples:
            languages[language] = fit(model, examples, training, start=model.weights)
    digest = hashlib.sha256("\n".join(f"{r.review_id}\t{r.stars}\t{r.text}" for r, _, _ in labelled).encode())
    refit = SentimentModel(f"{shipped.version}.{tenant_id}.{digest.hexdigest()[:8]}", languages)
    shipped_accuracy, tenant_accuracy = accuracy(shipped, test), accuracy(refit, test)
    won = bool(train) and len(test) >= max(min_held_back, 1) and tenant_accuracy > shipped_accuracy
    return RefitOutcome(Winner.TENANT if won else Winner.SHIPPED, refit if won else shipped,
                        shipped_accuracy, tenant_accuracy, len(train), len(test), refit.version)
