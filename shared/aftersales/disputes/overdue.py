"""The sweep over disputes whose due time has passed (a schedule, across tenants, on the due index).

A decided dispute whose appeal window is over is closed by the system (`dispute.closed`, reason
`appeal_window_over`). Any other open dispute past its state's SLA (not taken up in a day, not
decided in three, evidence not given in seven, an appeal not taken up in a day) is escalated: one
`dispute.overdue` event (ids, status, due time, assignee; no text) for the merchant's staff and
webhooks, and the dispute leaves the due index until its next change. The sweep reads the buckets
since its last run, never the open disputes due later, and one failure does not stop it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from aws_lambda_powertools import Logger

from aftersales.core.clock import Clock, iso
from aftersales.core.errors import Conflict, PreconditionFailed
from aftersales.disputes.model import Dispute, DisputeStatus
from aftersales.disputes.ports import DisputeStore, DueDisputes
from aftersales.events.ports import EventPublisher
from aftersales.sla.due_index import buckets_between
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Role

SOURCE = "aftersales.disputes"
OVERDUE = "dispute.overdue"
SWEEPER = Actor(id="system:dispute-sweep", roles=frozenset({Role.SYSTEM}))
FIRST_SWEEP_LOOKBACK = timedelta(days=1)
APPEAL_WINDOW_OVER = "appeal_window_over"

logger = Logger(child=True)


class ClosesDisputes(Protocol):
    """DisputeService, as the sweep closes a decided dispute."""

    def close(self, tenant_id: str, dispute_id: str, actor: Actor, *, reason: str | None = None,
              expected_version: int | None = None) -> Dispute: ...


@dataclass
class SweepReport:
    buckets: list[str] = field(default_factory=list)
    items_read: int = 0
    overdue: int = 0
    closed: int = 0
    failures: int = 0


class DisputeSweep:
    def __init__(self, store: DisputeStore, due: DueDisputes, disputes: ClosesDisputes, events: EventPublisher,
                 clock: Clock) -> None:
        self._store = store
        self._due = due
        self._disputes = disputes
        self._events = events
        self._clock = clock

    def sweep(self) -> SweepReport:
        now = self._clock.now()
        report = SweepReport(buckets=buckets_between(self._due.last_swept() or now - FIRST_SWEEP_LOOKBACK, now))
        for bucket in report.buckets:
            for tenant_id, dispute_id in self._due.due_in_bucket(bucket):
                report.items_read += 1
                try:
                    self._visit(tenant_id, dispute_id, report)
                except Exception:  # one dispute must not stop the sweep
                    report.failures += 1
                    logger.exception("dispute sweep step failed", extra={"dispute_id": dispute_id})
        self._due.set_last_swept(now)
        logger.info("dispute sweep", extra={"buckets": len(report.buckets), "items_read": report.items_read,
                                            "overdue": report.overdue, "closed": report.closed,
                                            "failures": report.failures})
        return report

    def _visit(self, tenant_id: str, dispute_id: str, report: SweepReport) -> None:
        dispute = self._store.get(tenant_id, dispute_id)  # the index is eventually consistent: read the item
        if dispute is None or dispute.due_at is None or dispute.due_at > self._clock.now():
            return  # closed, or due later in this bucket: the next sweep reads the bucket again
        if dispute.status == DisputeStatus.DECIDED:
            try:
                self._disputes.close(tenant_id, dispute_id, SWEEPER, reason=APPEAL_WINDOW_OVER,
                                     expected_version=dispute.version)
            except (PreconditionFailed, Conflict):
                return  # appealed or closed meanwhile: that change indexed it again, or out
            report.closed += 1
            return
        self._events.publish(SOURCE, OVERDUE, {
            "tenant_id": tenant_id, "dispute_id": dispute.id, "ticket_id": dispute.ticket_id,
            "customer_id": dispute.customer_id, "source": dispute.source.value, "status": dispute.status.value,
            "due_at": iso(dispute.due_at), "assignee_id": dispute.assignee_id, "seq": dispute.version,
            "dedup_key": f"{dispute.id}#{dispute.version}#overdue"})
        self._due.settle(tenant_id, dispute_id, dispute.version)
        report.overdue += 1
