"""Ports of the analytics context."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from aftersales.analytics.model import BucketDelta, Period, TicketFacts
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Ticket


@dataclass
class Bucket:
    """One (period, metric) item as read: counts by `dim=value`, amounts by `dim=value|CUR`."""

    period: Period
    metric: str
    counts: dict[str, int] = field(default_factory=dict)
    amounts: dict[str, int] = field(default_factory=dict)


@dataclass
class StoredSketch:
    period: Period
    blob: bytes | None
    version: int  # 0: not stored yet


class ProjectionConflict(Exception):
    """The ticket's facts or a sketch changed since they were read (or the seq was applied)."""


class AnalyticsStore(Protocol):
    def facts(self, tenant_id: str, ticket_id: str, generation: int) -> TicketFacts | None: ...

    def sketches(self, tenant_id: str, generation: int, periods: Sequence[Period]) -> list[StoredSketch]: ...

    def commit(self, facts: TicketFacts, generation: int, deltas: Sequence[BucketDelta],
               sketches: Sequence[StoredSketch]) -> None:
        """One atomic write: the facts (conditional on their `version` before this change), the
        counters (ADD) and the sketches (each conditional on its version); ProjectionConflict else."""

    def buckets(self, tenant_id: str, generation: int, grain: str, first: str, last: str) -> list[Bucket]:
        """Every metric item of the periods first..last (inclusive keys) — one Query, paged."""

    def sketch_range(self, tenant_id: str, generation: int, grain: str, first: str, last: str
                     ) -> list[StoredSketch]: ...

    def generations(self, tenant_id: str) -> tuple[int, int | None]:
        """(live, building) — the buckets readers use, and the ones a rebuild is filling."""

    def start_rebuild(self, tenant_id: str) -> int: ...

    def finish_rebuild(self, tenant_id: str, generation: int) -> None: ...


class TicketHeaders(Protocol):
    """The tickets context as the projection asks it (system reads)."""

    def get(self, tenant_id: str, ticket_id: str) -> Ticket | None: ...

    def page(self, tenant_id: str, *, limit: int, cursor: str | None) -> tuple[list[Ticket], str | None]: ...

    def audit_entries(self, tenant_id: str, ticket_id: str) -> list[AuditEntry]: ...


class TenantZones(Protocol):
    def zone(self, tenant_id: str) -> str:
        """The IANA time zone of the tenant's days and months."""


class Teams(Protocol):
    def team_of(self, tenant_id: str, agent_id: str) -> str | None: ...


class RecordSource(Protocol):
    """Rows of a month's export, streamed page by page."""

    def pages(self, tenant_id: str, month: str) -> Iterator[list[dict[str, object]]]: ...
