"""The sentiment refit stores over dicts, with the adapters' rules (adapters/dynamo/sentiment.py,
adapters/s3_sentiment.py): the due index holds a tenant once (mark_due keeps the first due time), a
refit is recorded only at the revision read, the history is newest first; model files are kept per
key; the rated reviews are the tenant's newest first."""

from __future__ import annotations

from datetime import datetime

from aftersales.core.errors import ConcurrentModification
from aftersales.sentiment.refit import RatedReview
from aftersales.sentiment.refit_schedule import RefitRun, RefitState, TenantModel


class InMemoryRefitStore:
    def __init__(self) -> None:
        self.states: dict[str, RefitState] = {}
        self.runs: dict[str, list[RefitRun]] = {}
        self.reads = {"current_model": 0, "state": 0}

    def __len__(self) -> int:
        return len(self.states)

    def __contains__(self, tenant_id: object) -> bool:
        return tenant_id in self.states

    def current_model(self, tenant_id: str) -> TenantModel | None:
        self.reads["current_model"] += 1
        return self.states.get(tenant_id, RefitState()).model

    def state(self, tenant_id: str) -> RefitState:
        self.reads["state"] += 1
        return self.states.get(tenant_id, RefitState())

    def count_rated(self, tenant_id: str, n: int) -> RefitState:
        state = self.states.get(tenant_id, RefitState())
        self.states[tenant_id] = state = state.model_copy(update={"rated_since_refit": state.rated_since_refit + n})
        return state

    def mark_due(self, tenant_id: str, due_at: datetime) -> None:
        state = self.states.get(tenant_id, RefitState())
        if state.due_at is None:
            self.states[tenant_id] = state.model_copy(update={"due_at": due_at})

    def due(self, now: datetime, limit: int) -> list[str]:
        due = sorted((s.due_at, t) for t, s in self.states.items() if s.due_at is not None and s.due_at <= now)
        return [t for _, t in due[:limit]]

    def record(self, tenant_id: str, run: RefitRun, model: TenantModel | None, *, counted: int,
               expected_revision: int) -> None:
        state = self.states.get(tenant_id, RefitState())
        if state.revision != expected_revision:
            raise ConcurrentModification("error.concurrent_modification")
        self.states[tenant_id] = RefitState(model=model, rated_since_refit=state.rated_since_refit - counted,
                                            last_run=run, due_at=None, revision=expected_revision + 1)
        self.runs.setdefault(tenant_id, []).append(run)

    def history(self, tenant_id: str, limit: int) -> list[RefitRun]:
        return sorted(self.runs.get(tenant_id, []), key=lambda r: r.at, reverse=True)[:limit]


class InMemoryModelFiles:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.gets = 0

    def __len__(self) -> int:
        return len(self.files)

    def __contains__(self, key: object) -> bool:
        return key in self.files

    def put(self, tenant_id: str, version: str, data: bytes) -> str:
        key = f"sentiment-models/{tenant_id}/{version}.bin"
        self.files[key] = data
        return key

    def get(self, key: str) -> bytes:
        self.gets += 1
        return self.files[key]


class InMemoryRatedReviews:
    def __init__(self, reviews: dict[str, list[RatedReview]] | None = None) -> None:
        self.reviews = reviews or {}  # tenant -> reviews, oldest first

    def __len__(self) -> int:
        return sum(len(r) for r in self.reviews.values())

    def __contains__(self, review_id: object) -> bool:
        return any(r.review_id == review_id for reviews in self.reviews.values() for r in reviews)

    def newest(self, tenant_id: str, limit: int) -> list[RatedReview]:
        return list(reversed(self.reviews.get(tenant_id, [])))[:limit]
