"""A tenant's own sentiment model over time: which model reads its reviews, the refits that decided
it, and when the next refit is due. Pure: the caller passes `now` and the shipped model's version."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from aftersales.core.model import DomainModel
from aftersales.sentiment.refit import RefitOutcome, Winner

REFIT_AFTER_RATED = 100  # reviews published since the last refit that make a tenant due
MIN_REFIT_INTERVAL = timedelta(days=1)  # a tenant is refitted by the schedule at most this often
MAX_REFIT_REVIEWS = 2000  # the newest published reviews one refit reads
HISTORY_SHOWN = 20


class Trigger(StrEnum):
    SCHEDULE = "schedule"
    ADMIN = "admin"


class TenantModel(DomainModel):
    """A refit that beat the shipped model on the tenant's held-back reviews, stored as a model file."""

    version: str
    base_version: str  # the shipped model it was refitted from (and only valid with)
    key: str  # where its file is stored
    shipped_accuracy: float
    tenant_accuracy: float
    trained_on: int
    held_back: int
    at: datetime


class RefitRun(DomainModel):
    """One refit, won or lost: what it read, both accuracies on the held-back slice, what it kept."""

    at: datetime
    trigger: Trigger
    winner: Winner
    candidate_version: str
    base_version: str
    shipped_accuracy: float
    tenant_accuracy: float
    trained_on: int
    held_back: int
    reviews_read: int
    key: str | None = None  # the stored file of the candidate when it won


class RefitState(DomainModel):
    """The tenant's current model (None: the shipped one), published reviews since the last refit,
    the last refit, whether it waits in the due index; `revision` moves with every refit stored."""

    model: TenantModel | None = None
    rated_since_refit: int = 0
    last_run: RefitRun | None = None
    due_at: datetime | None = None
    revision: int = 0


def model_in_use(state: RefitState, shipped_version: str) -> TenantModel | None:
    """The tenant's refit while it was refitted from the shipped model now running; None otherwise
    (a new shipped model may read different features: an older refit's weights would not fit them)."""
    model = state.model
    return model if model is not None and model.base_version == shipped_version else None


def next_refit(state: RefitState, shipped_version: str, now: datetime) -> datetime | None:
    """When the tenant is due: now if its refit was made from another shipped model; else once
    REFIT_AFTER_RATED reviews were published since the last refit, and not before MIN_REFIT_INTERVAL
    after it; None while neither holds."""
    if state.model is not None and state.model.base_version != shipped_version:
        return now
    if state.rated_since_refit < REFIT_AFTER_RATED:
        return None
    if state.last_run is None:
        return now
    return max(now, state.last_run.at + MIN_REFIT_INTERVAL)


def run_of(outcome: RefitOutcome, *, base_version: str, trigger: Trigger, reviews_read: int, at: datetime,
           key: str | None) -> RefitRun:
    return RefitRun(at=at, trigger=trigger, winner=outcome.winner, candidate_version=outcome.candidate_version,
                    base_version=base_version, shipped_accuracy=round(outcome.shipped_accuracy, 4),
                    tenant_accuracy=round(outcome.tenant_accuracy, 4), trained_on=outcome.trained_on,
                    held_back=outcome.held_back, reviews_read=reviews_read, key=key)


def kept_model(outcome: RefitOutcome, run: RefitRun) -> TenantModel | None:
    """What reads the tenant's reviews after this refit: the refit if it won, else the shipped model."""
    if outcome.winner is not Winner.TENANT or run.key is None:
        return None
    return TenantModel(version=outcome.model.version, base_version=run.base_version, key=run.key,
                       shipped_accuracy=run.shipped_accuracy, tenant_accuracy=run.tenant_accuracy,
                       trained_on=run.trained_on, held_back=run.held_back, at=run.at)
