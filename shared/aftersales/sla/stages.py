"""Staged handling of a deadline: which reminder, escalation or default action is due now.

The state records the stages already fired, so a late or repeated sweep returns each stage at
most once; the action's idempotency key (tenant#ticket#metric#cycle#stage) lets the adapter make
the firing a conditional write as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from pydantic import ConfigDict

from aftersales.core.model import DomainModel
from aftersales.sla.deadlines import BREACH_STAGE, Deadline, Stage

_Frozen = ConfigDict(frozen=True, extra="forbid")


class DeadlineState(DomainModel):
    """A deadline plus the names of its stages already acted on."""

    model_config = _Frozen
    deadline: Deadline
    fired: frozenset[str] = frozenset()

    @property
    def is_breached(self) -> bool:
        return self.deadline.breached_at is not None or BREACH_STAGE in self.fired


class Action(DomainModel):
    model_config = _Frozen
    idempotency_key: str
    tenant_id: str
    ticket_id: str
    metric: str
    cycle: int
    stage: Stage


def _pending(state: DeadlineState) -> list[Stage]:
    """Unfired stages with a known time; a breach makes the reminders before it pointless."""
    if not state.deadline.is_open:
        return []
    breached = state.is_breached
    return [
        s
        for s in state.deadline.stages
        if s.at is not None
        and s.name not in state.fired
        and not (breached and s.kind in ("reminder", "breach"))
    ]


def _action(deadline: Deadline, stage: Stage) -> Action:
    key = "#".join((deadline.tenant_id, deadline.ticket_id, deadline.metric, str(deadline.cycle), stage.name))
    return Action(
        idempotency_key=key,
        tenant_id=deadline.tenant_id,
        ticket_id=deadline.ticket_id,
        metric=deadline.metric,
        cycle=deadline.cycle,
        stage=stage,
    )


def due_actions(state: DeadlineState, now: datetime) -> list[Action]:
    """Stages due at `now` and not fired yet, in time order. Reminders are dropped once breached."""
    due = sorted((s for s in _pending(state) if s.at is not None and s.at <= now), key=lambda s: s.at)
    breach_now = any(s.kind == "breach" for s in due)
    return [_action(state.deadline, s) for s in due if not (breach_now and s.kind == "reminder")]


def record_fired(state: DeadlineState, actions: Iterable[Action]) -> DeadlineState:
    """The state after `actions` were carried out; a fired breach becomes the recorded breach."""
    fired = [a.stage for a in actions]
    deadline = state.deadline
    breach = next((s for s in fired if s.kind == "breach"), None)
    if breach is not None and deadline.breached_at is None:
        deadline = deadline.model_copy(update={"breached_at": breach.at})
    return DeadlineState(deadline=deadline, fired=state.fired | {s.name for s in fired})


def with_claims(state: DeadlineState, claimed: Iterable[str]) -> DeadlineState:
    """The state with every stage whose claim exists counted as fired. Claims are the truth: a
    recompute that read the state just before a sweep fired a stage may have saved it without."""
    names = frozenset(claimed) - state.fired
    stages = [s for s in state.deadline.stages if s.name in names]
    if not stages:
        return state
    return record_fired(state, [_action(state.deadline, s) for s in stages])


def next_due_at(state: DeadlineState) -> datetime | None:
    """When the next stage falls due; None takes the deadline out of the due index."""
    times = [s.at for s in _pending(state) if s.at is not None]
    return min(times, default=None)


def recorded_breaches(states: Iterable[DeadlineState]) -> dict[str, datetime]:
    """Input for compute_deadlines: the breaches already recorded, by Deadline.key."""
    return {s.deadline.key: s.deadline.breached_at for s in states if s.deadline.breached_at is not None}


def carry_over(previous: Mapping[str, DeadlineState], deadlines: Iterable[Deadline]) -> list[DeadlineState]:
    """States for recomputed deadlines, keeping the stages that already fired."""
    return [
        DeadlineState(deadline=d, fired=previous[d.key].fired if d.key in previous else frozenset())
        for d in deadlines
    ]
