"""Ports the SLA adapters implement (DynamoDB tables, the due-bucket GSI, the sweeper's log)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from aftersales.sla.calendar import BusinessCalendar
from aftersales.sla.figure_days import Contribution, DayBucket
from aftersales.sla.figures import SlaOutcome
from aftersales.sla.policy import SlaPolicy
from aftersales.sla.stages import DeadlineState


class PolicyStore(Protocol):
    def policy_for(self, tenant_id: str) -> SlaPolicy: ...


class CalendarStore(Protocol):
    def calendars_for(self, tenant_id: str) -> Mapping[str, BusinessCalendar]: ...


class DeadlineStateStore(Protocol):
    def states_for_ticket(self, tenant_id: str, ticket_id: str) -> Mapping[str, DeadlineState]:
        """By Deadline.key."""
        ...

    def states_in_bucket(self, bucket: str) -> Iterable[DeadlineState]: ...

    def save(self, state: DeadlineState, bucket: str | None) -> None:
        """Store the state; None removes it from the due index (sparse GSI attribute absent)."""
        ...


class FiredStageLog(Protocol):
    def claim(self, idempotency_key: str) -> bool:
        """True the first time a key is claimed (a conditional put), False ever after."""
        ...


class RecomputePages(Protocol):
    def enqueue(self, tenant_id: str, cursor: str | None) -> None:
        """Ask the tracker to recompute one page of the tenant's open tickets from `cursor`
        (None = the first page); one message per page."""
        ...


class TimeoutApprover(Protocol):
    """The approvals context's approval of a small request nobody reviewed in time (an SLA default
    action); it refuses routes that need a senior or a second person."""

    def approve_on_timeout(self, tenant_id: str, ticket_id: str, reason: str, data: dict[str, Any]) -> Any: ...


class RepairRedispatcher(Protocol):
    """The repairs context withdrawing a job its provider let run past its deadline and offering the
    ticket to the next eligible provider (an SLA default action)."""

    def redispatch_overdue(self, tenant_id: str, ticket_id: str, *, metric: str, since: datetime) -> str:
        """The outcome: "redispatched", "withdrawn_no_provider", or "skipped" when the ticket's open
        job is not the one the deadline was about (answered, visited or replaced meanwhile)."""


@dataclass(frozen=True)
class StoredOutcome:
    """An outcome as stored, with what the day buckets hold of it."""

    outcome: SlaOutcome
    cycle: int
    version: int  # 0: saved before the figures were kept per day
    counted: Contribution | None  # None: not in the buckets (saved before the projection)


class OutcomeConflict(Exception):
    """The stored outcome changed since it was read (or a bucket was in another transaction)."""


class SlaStore(Protocol):
    """Everything the SLA engine keeps: policy, calendars, per-ticket context and deadline states
    (with the due-bucket index the sweeper reads), the fired-stage log and closed outcomes."""

    def policy_for(self, tenant_id: str) -> SlaPolicy | None: ...

    def save_policy(self, policy: SlaPolicy) -> None: ...

    def calendars_for(self, tenant_id: str) -> dict[str, BusinessCalendar]: ...

    def save_calendar(self, calendar: BusinessCalendar) -> None: ...

    def context(self, tenant_id: str, ticket_id: str) -> dict[str, Any] | None: ...

    def save_context(self, tenant_id: str, ticket_id: str, doc: dict[str, Any], open_: bool) -> None: ...

    def open_ticket_page(self, tenant_id: str, cursor: str | None, limit: int) -> tuple[list[str], str | None]: ...

    def states_for_ticket(self, tenant_id: str, ticket_id: str) -> dict[str, DeadlineState]: ...

    def save_clocks(self, tenant_id: str, ticket_id: str, states: list[DeadlineState]) -> None:
        """The ticket's deadlines as last recomputed, in one item a page of tickets reads in one batch."""

    def clocks_for(self, tenant_id: str, ticket_ids: list[str]) -> dict[str, list[DeadlineState]]:
        """The saved clocks of up to 100 tickets (one BatchGetItem); tickets never tracked are absent."""

    def states_with_floor(self, tenant_id: str, ticket_id: str
                          ) -> dict[str, tuple[DeadlineState, datetime | None]]: ...

    def entries_in_bucket(self, bucket: str) -> Iterator[tuple[DeadlineState, datetime | None]]: ...

    def save(self, state: DeadlineState, bucket: str | None, floor: datetime | None = None) -> None: ...

    def delete_state(self, tenant_id: str, ticket_id: str, key: str) -> None: ...

    def claim(self, idempotency_key: str) -> bool:
        """True the first time a stage is claimed (the sweeper's exactly-once log)."""

    def release(self, idempotency_key: str) -> None: ...

    def last_swept(self) -> datetime | None: ...

    def set_last_swept(self, at: datetime) -> None: ...

    def outcome(self, tenant_id: str, ticket_id: str, key: str) -> StoredOutcome | None:
        """The stored outcome of a deadline (`<metric>#<cycle>`), read consistently."""

    def save_outcome(self, outcome: SlaOutcome, cycle: int, counted: Contribution,
                     delta: Mapping[date, Mapping[str, int]], expected_version: int | None) -> None:
        """The outcome (with what it now contributes) and the change of the day buckets, in one
        write conditioned on the stored version (None: no outcome stored yet); OutcomeConflict
        when the stored outcome changed meanwhile."""

    def figure_days(self, tenant_id: str, first: date, last: date) -> list[DayBucket]:
        """The day buckets of the local days [first, last]: one Query (paged)."""

    def decided_outcomes(self, tenant_id: str, utc_day: date, cursor: str | None, limit: int
                         ) -> tuple[list[StoredOutcome], str | None]:
        """A page of the outcomes decided on a UTC day (the by-day index) and the next cursor."""

    def outcomes_between(self, tenant_id: str, first_day: date, last_day: date) -> list[SlaOutcome]:
        """Decided outcomes of the UTC days [first_day, last_day] (the monthly export's rows)."""
