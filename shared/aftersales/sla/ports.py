"""Ports the SLA adapters implement (DynamoDB tables, the due-bucket GSI, the sweeper's log)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from aftersales.sla.calendar import BusinessCalendar
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


class Notifier(Protocol):
    def publish(self, detail_type: str, detail: Mapping[str, object]) -> None:
        """Put one event (source aftersales.sla) on the domain bus."""
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
