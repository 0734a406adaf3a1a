"""What a provider sees of the SLA engine's repair clocks on its own job (`sla/repair_targets.py`):
when it must accept the offer by, make the first visit by and have the repair done by — the due
times only, nothing else of the merchant's (no reminders, escalations, breaches or other metrics).

The accept and first-visit clocks run once per offer and per acceptance (a ticket offered to a
second provider after a decline has a second cycle of each): a job's own cycle is the one that
started in its time (from its offer; a declined job's time ends with its decline, so it never shows
the next provider's). The fix-by clock runs once per ticket from its dispatch, for whichever
provider holds the repair: a job taken away or declined no longer shows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aftersales.core.clock import iso
from aftersales.repairs.model import Job, JobStatus
from aftersales.repairs.ports import JobClock, RepairClocks

PER_JOB = {"accept_by": "repair_accept", "first_visit_by": "repair_first_visit"}
PER_TICKET = {"fix_by": "repair_returned_by_provider"}


def provider_deadlines(job: Job, clocks: Sequence[JobClock]) -> dict[str, str | None]:
    """accept_by, first_visit_by, fix_by (ISO 8601; None when no such clock runs for the job, or it
    is met or paused: the engine keeps no due time then)."""
    declined = job.status == JobStatus.DECLINED
    until = job.updated_at if declined else None

    def own(metric: str) -> datetime | None:
        mine = sorted((c for c in clocks if c.metric == metric and c.started_at >= job.created_at
                       and (until is None or c.started_at < until)), key=lambda c: c.started_at)
        return mine[0].due_at if mine else None

    times = {name: own(metric) for name, metric in PER_JOB.items()}
    for name, metric in PER_TICKET.items():
        held = next((c for c in clocks if c.metric == metric), None)
        times[name] = held.due_at if held is not None and not declined else None
    return {name: iso(at) if at else None for name, at in times.items()}


class JobDeadlines:
    def __init__(self, clocks: RepairClocks) -> None:
        self._clocks = clocks

    def for_provider(self, tenant_id: str, jobs: Sequence[Job]) -> dict[str, dict[str, str | None]]:
        """Each job's deadlines, the clocks of their tickets read at once (a page of at most 100)."""
        ticket_ids = sorted({j.ticket_id for j in jobs})
        clocks = self._clocks.repair_clocks(tenant_id, ticket_ids) if ticket_ids else {}
        return {j.job_id: provider_deadlines(j, clocks.get(j.ticket_id, [])) for j in jobs}
