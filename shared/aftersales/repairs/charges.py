"""A settled job's charge waived or paid: the use case.

A charge due (`repairs/settlement.py`: what the customer owes beyond the ticket's refund) moves
once, to waived (with the reason) or to paid (the payment's reference and exactly the charge), and
only by finance, a supervisor or an admin (`settlement.move_charge`, which also refuses a charge
already moved: 409). What the ticket's refund took off meanwhile is no longer owed, so the charge
is first set against it. The move is claimed first on the ticket's repair charge claim in the
refunds context (`ChargeClaim`, written at the version read, as the refund grant step writes its
deduction), so a grant and a move racing each other see one another: the loser reads again. The
move is a step of the job's own chain (`repair.charge_waived` / `repair.charge_paid`, the
conditional write decides between concurrent moves) and then an entry on the ticket's chain
(`ticket.repair_charge_waived` / `_paid`, the settlement it leaves in its data), written once per
job: a request that finds the job's charge already moved writes the ticket's entry if it is still
missing before it answers 409, so a retry after a lost ticket write converges.
"""

from __future__ import annotations

from typing import Any

from aftersales.core.clock import Clock
from aftersales.core.errors import ConcurrentModification, Conflict, InvalidRequest, NotFound
from aftersales.core.money import Money
from aftersales.repairs import domain
from aftersales.repairs.model import ChargeState, Job, JobActor, Party
from aftersales.repairs.ports import RepairRefunds, RepairStore, RepairTickets
from aftersales.repairs.service import MAX_ATTEMPTS, ticket_actor
from aftersales.repairs.settlement import CHARGE_EVENTS, against_refund, move_charge
from aftersales.tickets.domain import Actor

JOB_EVENTS = dict(zip(CHARGE_EVENTS, domain.CHARGE_MOVES, strict=True))  # waived, paid -> the job's events


class RepairCharges:
    def __init__(self, store: RepairStore, tickets: RepairTickets, refunds: RepairRefunds, clock: Clock) -> None:
        self._store = store
        self._tickets = tickets
        self._refunds = refunds
        self._clock = clock

    def waive(self, tenant_id: str, job_id: str, actor: Actor, *, reason: str) -> Job:
        if not reason.strip():
            raise InvalidRequest("repairs.reason_required", field="reason")
        return self._move(tenant_id, job_id, actor, ChargeState.WAIVED, reason=reason)

    def mark_paid(self, tenant_id: str, job_id: str, actor: Actor, *, reference: str, amount: Money) -> Job:
        return self._move(tenant_id, job_id, actor, ChargeState.PAID, paid=amount,
                          data={"reference": reference, "amount": amount.model_dump()})

    def _move(self, tenant_id: str, job_id: str, actor: Actor, target: ChargeState, *, reason: str | None = None,
              paid: Money | None = None, data: dict[str, Any] | None = None) -> Job:
        on_job = JobActor(party=Party.MERCHANT, id=actor.id, request_id=actor.request_id)
        for _ in range(MAX_ATTEMPTS):
            job = self._store.get_job(tenant_id, job_id)
            if job is None:
                raise NotFound("repairs.job_not_found", job_id=job_id)
            settlement = job.settlement
            claim = self._refunds.repair_charge(tenant_id, job.ticket_id)
            if settlement is not None and settlement.charge_state is ChargeState.DUE:
                if claim.moves.get(job_id, target) is not target:  # another move claimed it first
                    raise Conflict("repairs.charge_already_settled", job_id=job_id,
                                   charge_state=claim.moves[job_id].value)
                settlement = against_refund(settlement, claim.deducted) if claim.deducted else settlement
            try:
                moved = move_charge(settlement, target, actor.roles, paid=paid)
            except Conflict:
                self._noted(job)  # moved before: its ticket entry may have been lost
                raise
            if job_id not in claim.moves and not self._refunds.claim_charge(
                    tenant_id, job.ticket_id, claim.moving(job_id, target)):
                continue  # a refund's deduction (or a move) came first: set the charge against it again
            changed = domain.apply_move(job, job.status, JOB_EVENTS[target], on_job, at=self._clock.now(),
                                        reason=reason, settlement=moved, data={
                                            "settlement": moved.model_dump(mode="json"), "decided_by": actor.id,
                                            "role": actor.primary_role.value, **(data or {})})
            try:
                self._store.save_job(changed, job.version)
            except ConcurrentModification:
                continue
            self._noted(changed)
            return changed
        raise ConcurrentModification("error.concurrent_modification")

    def _noted(self, job: Job) -> None:
        """The job's charge move on the ticket's chain, unless it is there already (or none was made)."""
        entry = next((e for e in reversed(job.entries) if e.event in domain.CHARGE_MOVES), None)
        if entry is None:
            return
        system = ticket_actor(JobActor(party=Party.MERCHANT, id=entry.actor_id, request_id=entry.request_id))
        event = CHARGE_EVENTS[next(s for s, e in JOB_EVENTS.items() if e == entry.event)]
        if any(e.event == event and (e.data or {}).get("job_id") == job.job_id
               for e in self._tickets.audit(job.tenant_id, job.ticket_id, system)):
            return
        self._tickets.note(job.tenant_id, job.ticket_id, event, system, reason=entry.reason, after_close=True,
                           data={"job_id": job.job_id, "provider_id": job.provider_id, **entry.data})
