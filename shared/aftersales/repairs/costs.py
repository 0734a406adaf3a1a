"""A confirmed job's costs settled on its ticket: the settlement on the job, one entry on the
ticket's audit chain (`ticket.repair_settled`, the settlement in its data), written once per job.

The refunds context reads that entry when it quotes the ticket's refund (`refunds/service.py`):
the customer's share comes off the refund, up to the refund (`settlement.against_refund`)."""

from __future__ import annotations

from collections.abc import Callable

from aftersales.repairs.model import Job
from aftersales.repairs.ports import RepairTickets
from aftersales.repairs.settlement import SETTLED_EVENT, settle
from aftersales.tickets.domain import Actor


class JobSettlements:
    def __init__(self, tickets: RepairTickets, diagnosis_fee: Callable[[str], bool] = lambda _tenant: False) -> None:
        self._tickets = tickets
        self._diagnosis_fee = diagnosis_fee  # the tenant's policy: may a not-repairable paid job bill its diagnosis

    def settle(self, job: Job, system: Actor) -> Job:
        """The job with its settlement (once it has an outcome), noted on the ticket unless it already is."""
        if job.outcome is None:
            return job
        settled = job.model_copy(update={"settlement": settle(
            job.job_id, job.costs(), job.outcome, diagnosis_fee_allowed=self._diagnosis_fee(job.tenant_id))})
        if not any(e.event == SETTLED_EVENT and (e.data or {}).get("job_id") == job.job_id
                   for e in self._tickets.audit(job.tenant_id, job.ticket_id, system)):
            self._tickets.note(job.tenant_id, job.ticket_id, SETTLED_EVENT, system, data={
                "job_id": job.job_id, "provider_id": job.provider_id,
                "settlement": settled.settlement.model_dump(mode="json")})
        return settled
