"""What the sentiment service needs from an analyser, and the tenant refits from their stores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from aftersales.sentiment.linear import SentimentModel
from aftersales.sentiment.model import DetectedText, SentimentResult
from aftersales.sentiment.refit import RatedReview
from aftersales.sentiment.refit_schedule import RefitRun, RefitState, TenantModel


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


class TenantModels(Protocol):
    def current(self, tenant_id: str) -> SentimentModel:
        """The model that reads the tenant's reviews now (its refit, or the shipped one)."""
        ...


class CurrentModels(Protocol):
    def current_model(self, tenant_id: str) -> TenantModel | None:
        """The tenant's stored refit (None: the shipped model); one small read."""
        ...


class ModelFiles(Protocol):
    def put(self, tenant_id: str, version: str, data: bytes) -> str:
        """Stores a tenant's model file (kept: every version stays); returns its key."""
        ...

    def get(self, key: str) -> bytes: ...


class RatedReviews(Protocol):
    def newest(self, tenant_id: str, limit: int) -> list[RatedReview]:
        """The tenant's newest published reviews (title and text as moderation read them) with their
        stars, at most `limit`."""
        ...


class RefitStore(CurrentModels, Protocol):
    def state(self, tenant_id: str) -> RefitState: ...

    def count_rated(self, tenant_id: str, n: int) -> RefitState:
        """Adds `n` published reviews to the tenant's count since the last refit; the state after it."""
        ...

    def mark_due(self, tenant_id: str, due_at: datetime) -> None:
        """Puts the tenant in the due index at `due_at`, unless it is there already."""
        ...

    def due(self, now: datetime, limit: int) -> list[str]:
        """Tenants due at or before `now`, earliest first, at most `limit` (one index query, no scan)."""
        ...

    def record(self, tenant_id: str, run: RefitRun, model: TenantModel | None, *, counted: int,
               expected_revision: int) -> None:
        """Appends `run` to the history, makes `model` (None: the shipped one) current, takes `counted`
        off the published count and leaves the due index, in one transaction conditional on the
        revision read; ConcurrentModification when another refit was stored meanwhile."""
        ...

    def history(self, tenant_id: str, limit: int) -> list[RefitRun]:
        """The tenant's refits, newest first."""
        ...
