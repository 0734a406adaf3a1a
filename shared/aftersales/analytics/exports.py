"""Monthly exports: a job per (tenant, month, format) that streams the month's tickets, their
lines, refunds and SLA outcomes page by page into the export sink, with progress stored as it goes.

Rows are produced one ticket page at a time and handed to the sink at once, so the memory the job
needs is one page plus the sink's part buffer whatever the month's size. The month is the
tenant's local month; its tickets are found by their ids (ULIDs carry the creation time)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from pydantic import Field

from aftersales.analytics.ports import TenantZones
from aftersales.core.clock import Clock, iso
from aftersales.core.errors import InvalidRequest, NotFound
from aftersales.core.model import DomainModel
from aftersales.sla.figures import SlaOutcome
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Ticket

PAGE = 100  # tickets per Query page
MAX_MONTHS_BACK = 36
COLUMNS: dict[str, tuple[str, ...]] = {
    "tickets": ("ticket_id", "created_at", "updated_at", "type", "status", "channel", "reason", "assignee",
                "requested_amount", "currency", "customer_id", "order_id", "parent_id"),
    "lines": ("ticket_id", "line_id", "sku", "quantity_requested", "quantity_received", "quantity_accepted",
              "quantity_damaged", "quantity_written_off", "unit_price", "currency", "reason", "reception",
              "acceptance"),
    "refunds": ("ticket_id", "at", "grant_id", "amount", "currency", "destination", "provider_refund_id"),
    "sla": ("ticket_id", "metric", "ticket_type", "channel", "agent_id", "team_id", "started_at", "due_at",
            "completed_at", "breached_at", "breached"),
}


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class ExportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ExportRequest(DomainModel):
    month: str = Field(pattern=r"^2[0-9]{3}-(0[1-9]|1[0-2])$", examples=["2026-11"])  # ASCII digits, 2000 on
    format: ExportFormat = ExportFormat.CSV


class ExportJob(DomainModel):
    export_id: str
    tenant_id: str
    month: str
    format: ExportFormat
    status: ExportStatus = ExportStatus.QUEUED
    requested_by: str
    created_at: str
    finished_at: str | None = None
    estimated_tickets: int = 0
    tickets_read: int = 0
    pages_read: int = 0
    rows: dict[str, int] = Field(default_factory=dict)
    objects: dict[str, str] = Field(default_factory=dict, description="part (tickets, lines, ... or workbook) -> key")
    error: str | None = None
    version: int = 0

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.estimated_tickets:
            return 0
        return min(99, self.tickets_read * 100 // self.estimated_tickets)


@dataclass
class ExportPage:
    items: list[ExportJob]
    cursor: str | None


class ExportStore(Protocol):
    def create(self, job: ExportJob) -> None: ...

    def recent(self, tenant_id: str, *, limit: int, cursor: str | None) -> ExportPage:
        """The tenant's export jobs, the newest first (a cursor per page)."""

    def get(self, tenant_id: str, export_id: str) -> ExportJob | None: ...

    def save(self, job: ExportJob) -> None:
        """Conditional on `job.version - 1` (one worker per job)."""


class ExportQueue(Protocol):
    def enqueue(self, tenant_id: str, export_id: str) -> None: ...


class ExportSink(Protocol):
    """Where the rows go (a multipart upload per object); `close` returns part -> object key."""

    def write(self, kind: str, rows: Sequence[Sequence[object]]) -> None: ...

    def close(self) -> dict[str, str]: ...

    def abort(self) -> None: ...


class SinkFactory(Protocol):
    def open(self, job: ExportJob) -> ExportSink: ...

    def download_urls(self, job: ExportJob, expires_seconds: int) -> dict[str, str]: ...


class MonthTickets(Protocol):
    def page(self, tenant_id: str, first_id: str, last_id: str, *, limit: int, cursor: str | None
             ) -> tuple[list[str], str | None]:
        """Ids of the tenant's tickets between the two ids (inclusive), oldest first."""

    def ticket(self, tenant_id: str, ticket_id: str) -> Ticket | None: ...

    def audit_entries(self, tenant_id: str, ticket_id: str) -> list[AuditEntry]: ...


class SlaOutcomes(Protocol):
    def outcomes_between(self, tenant_id: str, first_day: date, last_day: date) -> list[SlaOutcome]: ...


class MonthEstimate(Protocol):
    def opened_in(self, tenant_id: str, month: str) -> int:
        """The month's opened tickets as the analytics buckets count them (the progress estimate)."""


def month_bounds(month: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    first = date.fromisoformat(f"{month}-01")
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (datetime.combine(first, datetime.min.time(), zone),
            datetime.combine(following, datetime.min.time(), zone))


def ulid_bound(at: datetime, *, upper: bool) -> str:
    """The smallest (or, for `upper`, largest) ticket id minted at the millisecond `at`."""
    from ulid import ULID

    prefix = str(ULID.from_datetime(at))[:10]
    return f"tkt_{prefix}{'Z' * 16 if upper else '0' * 16}"


def _money(m: Any) -> tuple[int, str]:
    return (m.amount, m.currency) if m is not None else (0, "")


def ticket_rows(ticket: Ticket, chain: Iterable[AuditEntry]) -> dict[str, list[list[object]]]:
    amount, currency = _money(ticket.requested_amount)
    out: dict[str, list[list[object]]] = {"tickets": [[
        ticket.id, ticket.created_at, ticket.updated_at, ticket.type.value, ticket.status.value, ticket.channel.value,
        ticket.reason_code, ticket.assignee_id or "", amount, currency, ticket.customer_id, ticket.order_id,
        ticket.parent_id or ""]], "lines": [], "refunds": []}
    for ln in ticket.lines:
        price, cur = _money(ln.unit_price)
        out["lines"].append([ticket.id, ln.line_id, ln.sku, ln.quantity_requested, ln.quantity_received,
                             ln.quantity_accepted, ln.quantity_damaged, ln.quantity_written_off, price, cur,
                             ln.reason_code or "", ln.reception.value, ln.acceptance.value])
    for entry in chain:
        refund = entry.data.get("amount") if entry.event == "ticket.refunded" else None
        if isinstance(refund, Mapping):
            out["refunds"].append([ticket.id, entry.at, entry.data.get("grant_id", ""), refund.get("amount", 0),
                                   refund.get("currency", ""), entry.data.get("destination", ""),
                                   entry.data.get("provider_refund_id") or ""])
    return out


def sla_row(o: SlaOutcome) -> list[object]:
    return [o.ticket_id, o.metric, o.ticket_type, o.channel, o.agent_id or "", o.team_id or "", iso(o.started_at),
            iso(o.due_at) if o.due_at else "", iso(o.completed_at) if o.completed_at else "",
            iso(o.breached_at) if o.breached_at else "", bool(o.breached_at)]


class ExportService:
    def __init__(self, store: ExportStore, queue: ExportQueue, sinks: SinkFactory, tickets: MonthTickets,
                 sla: SlaOutcomes, estimate: MonthEstimate, zones: TenantZones, clock: Clock,
                 id_factory: Callable[[], str] | None = None, url_seconds: int = 900) -> None:
        self._store = store
        self._queue = queue
        self._sinks = sinks
        self._tickets = tickets
        self._sla = sla
        self._estimate = estimate
        self._zones = zones
        self._clock = clock
        self._new_id = id_factory
        self._url_seconds = url_seconds

    def request(self, tenant_id: str, request: ExportRequest, requested_by: str) -> ExportJob:
        now = self._clock.now()
        try:
            first = date.fromisoformat(f"{request.month}-01")
        except ValueError as exc:  # a model built in code may skip the pattern
            raise InvalidRequest("exports.month_too_old", field="month", max_months=MAX_MONTHS_BACK) from exc
        if first > now.date():
            raise InvalidRequest("exports.month_in_future", field="month", month=request.month)
        if (now.year - first.year) * 12 + now.month - first.month > MAX_MONTHS_BACK:
            raise InvalidRequest("exports.month_too_old", field="month", max_months=MAX_MONTHS_BACK)
        from aftersales.core.ids import new_id

        job = ExportJob(export_id=self._new_id() if self._new_id else new_id("exp", now), tenant_id=tenant_id,
                        month=request.month, format=request.format, requested_by=requested_by,
                        created_at=iso(now), estimated_tickets=self._estimate.opened_in(tenant_id, request.month),
                        version=1)
        self._store.create(job)
        self._queue.enqueue(tenant_id, job.export_id)
        return job

    def get(self, tenant_id: str, export_id: str) -> ExportJob:
        job = self._store.get(tenant_id, export_id)
        if job is None:
            raise NotFound("exports.not_found", export_id=export_id)
        return job

    def view(self, tenant_id: str, export_id: str) -> dict[str, object]:
        return self._body(self.get(tenant_id, export_id))

    def recent(self, tenant_id: str, *, limit: int, cursor: str | None) -> tuple[list[dict[str, object]], str | None]:
        """The tenant's earlier exports, the newest first, each as `view` shows it (download links
        for the done ones: presigned here, no request per job)."""
        page = self._store.recent(tenant_id, limit=limit, cursor=cursor)
        return [self._body(job) for job in page.items], page.cursor

    def _body(self, job: ExportJob) -> dict[str, object]:
        expires_seconds = self._url_seconds
        body: dict[str, object] = {
            "export_id": job.export_id, "month": job.month, "format": job.format.value, "status": job.status.value,
            "percent": job.percent, "estimated_tickets": job.estimated_tickets, "tickets_read": job.tickets_read,
            "rows": job.rows, "created_at": job.created_at, "finished_at": job.finished_at, "error": job.error}
        if job.status == ExportStatus.DONE:
            body["downloads"] = self._sinks.download_urls(job, expires_seconds)
            body["expires_in"] = expires_seconds
        return body

    def run(self, tenant_id: str, export_id: str) -> ExportJob:
        """The worker: a done or failed job is left as it is (a redelivered message)."""
        job = self.get(tenant_id, export_id)
        if job.status in (ExportStatus.DONE, ExportStatus.FAILED):
            return job
        job = self._save(job, status=ExportStatus.RUNNING, tickets_read=0, pages_read=0, rows={})
        sink = self._sinks.open(job)
        try:
            rows = {kind: 0 for kind in COLUMNS}
            for page_rows, tickets in self._pages(job):
                for kind, batch in page_rows.items():
                    if batch:
                        sink.write(kind, batch)
                        rows[kind] += len(batch)
                job = self._save(job, tickets_read=job.tickets_read + tickets, pages_read=job.pages_read + 1,
                                 rows=dict(rows))
            for batch in self._sla_rows(job):
                sink.write("sla", batch)
                rows["sla"] += len(batch)
            objects = sink.close()
        except Exception as exc:
            sink.abort()
            self._save(job, status=ExportStatus.FAILED, error=type(exc).__name__, finished_at=iso(self._clock.now()))
            raise
        return self._save(job, status=ExportStatus.DONE, rows=rows, objects=objects,
                          finished_at=iso(self._clock.now()))

    def _save(self, job: ExportJob, **update: object) -> ExportJob:
        saved = job.model_copy(update={**update, "version": job.version + 1})
        self._store.save(saved)
        return saved

    def _pages(self, job: ExportJob) -> Iterator[tuple[dict[str, list[list[object]]], int]]:
        start, end = month_bounds(job.month, ZoneInfo(self._zones.zone(job.tenant_id)))
        first_id, last_id = ulid_bound(start, upper=False), ulid_bound(end - timedelta(milliseconds=1), upper=True)
        cursor: str | None = None
        while True:
            ids, cursor = self._tickets.page(job.tenant_id, first_id, last_id, limit=PAGE, cursor=cursor)
            page: dict[str, list[list[object]]] = {"tickets": [], "lines": [], "refunds": []}
            for ticket_id in ids:
                ticket = self._tickets.ticket(job.tenant_id, ticket_id)
                if ticket is None:
                    continue
                for kind, batch in ticket_rows(ticket, self._tickets.audit_entries(job.tenant_id, ticket_id)).items():
                    page[kind].extend(batch)
            yield page, len(ids)
            if cursor is None:
                return

    def _sla_rows(self, job: ExportJob) -> Iterator[list[list[object]]]:
        """The outcomes decided in the month, a UTC day at a time (their index is by UTC day)."""
        start, end = month_bounds(job.month, ZoneInfo(self._zones.zone(job.tenant_id)))
        day = start.astimezone(ZoneInfo("UTC")).date()
        while day <= end.astimezone(ZoneInfo("UTC")).date():
            batch = [sla_row(o) for o in self._sla.outcomes_between(job.tenant_id, day, day)
                     if o.decided_at and start <= o.decided_at < end]
            if batch:
                yield batch
            day += timedelta(days=1)
