"""A confirmed job settles its costs on the ticket: on the job, and once on the ticket's chain."""

from __future__ import annotations

import pytest

from aftersales.repairs.costs import JobSettlements
from aftersales.repairs.model import Coverage, JobStatus
from aftersales.repairs.service import RepairService
from aftersales.repairs.settlement import SETTLED_EVENT, ChargeState
from aftersales.tickets.audit import verify_chain
from tests.support.repairs import CUSTOMER_SIDE, TENANT, RepairRig, cny, provider_actor, window
from tests.support.ticket_factories import SYSTEM

CODE = "424242"


def _rig(diagnosis_fee: bool) -> RepairRig:
    rig = RepairRig()
    rig.repairs = RepairService(rig.store, rig.tickets, rig.registry, rig.events, rig.clock,
                                code_factory=lambda: CODE, photos=rig.visit_media,
                                settlements=JobSettlements(rig.tickets, lambda _tenant: diagnosis_fee))
    return rig


def _decided(rig: RepairRig, coverage: Coverage, *, repaired: bool):
    provider_id = rig.provider("Fixers CN", regions=["CN"], brands=["brewco"])
    ticket_id = rig.ticket()
    job_id = rig.repairs.dispatch(TENANT, ticket_id).job_id
    actor = provider_actor(provider_id)
    rig.repairs.accept(TENANT, job_id, actor)
    rig.repairs.book(TENANT, job_id, actor, window=window(), technician_id=None)
    rig.repairs.check_in(TENANT, job_id, actor, media_ids=[rig.photo(job_id, actor)])
    rig.repairs.diagnose(TENANT, job_id, actor, fault_code="E-HEAT", coverage=coverage, labour=cny(8000),
                         parts_estimate=cny(4500))
    if coverage is Coverage.PAID:
        rig.repairs.decide_quote(TENANT, job_id, CUSTOMER_SIDE, approve=True)
    rig.repairs.record_part(TENANT, job_id, actor, part_number="HE-220", serial="SN-1")
    if repaired:
        rig.repairs.repaired(TENANT, job_id, actor)
    else:
        rig.repairs.not_repairable(TENANT, job_id, actor, reason="board burnt")
    return job_id, ticket_id


def _settled_entries(rig: RepairRig, ticket_id: str):
    return [e for e in rig.tickets.audit(TENANT, ticket_id, SYSTEM) if e.event == SETTLED_EVENT]


@pytest.mark.parametrize("fee", [True, False])
def test_a_warranty_job_is_all_the_merchants_cost_whatever_the_policy(fee):
    rig = _rig(fee)
    job_id, ticket_id = _decided(rig, Coverage.WARRANTY, repaired=False)
    job = rig.repairs.confirm(TENANT, job_id, CUSTOMER_SIDE, code=CODE)
    assert job.settlement.customer_owes == cny(0) and job.settlement.merchant_cost == cny(12500)
    assert job.settlement.charge_state is None
    [entry] = _settled_entries(rig, ticket_id)
    assert entry.data["settlement"]["merchant_cost"] == {"amount": 12500, "currency": "CNY"}


def test_a_paid_repair_is_a_charge_due_on_the_ticket():
    rig = _rig(False)
    job_id, ticket_id = _decided(rig, Coverage.PAID, repaired=True)
    job = rig.repairs.confirm(TENANT, job_id, CUSTOMER_SIDE, code=CODE)
    assert (job.settlement.charge, job.settlement.charge_state, job.settlement.deduction) == (
        cny(12500), ChargeState.DUE, cny(0))
    [entry] = _settled_entries(rig, ticket_id)
    assert entry.data["job_id"] == job_id and entry.data["settlement"]["charge_state"] == "due"
    assert verify_chain(rig.tickets.audit(TENANT, ticket_id, SYSTEM)).valid
    assert rig.repairs.job(TENANT, job_id, CUSTOMER_SIDE).settlement == job.settlement  # stored with the job


@pytest.mark.parametrize(("fee", "owed"), [(True, 8000), (False, 0)])
def test_a_not_repairable_paid_job_bills_only_the_diagnosis_the_policy_allows(fee, owed):
    rig = _rig(fee)
    job_id, _ = _decided(rig, Coverage.PAID, repaired=False)
    job = rig.repairs.confirm(TENANT, job_id, CUSTOMER_SIDE, code=CODE)
    assert job.status is JobStatus.CONFIRMED
    assert (job.settlement.customer_owes, job.settlement.merchant_cost) == (cny(owed), cny(12500 - owed))


def test_the_settlement_is_recorded_once_when_the_confirmation_is_retried():
    rig = _rig(False)
    job_id, ticket_id = _decided(rig, Coverage.PAID, repaired=True)
    decided = rig.repairs.job(TENANT, job_id, CUSTOMER_SIDE)
    settlements = JobSettlements(rig.tickets)
    settlements.settle(decided, SYSTEM)  # a confirmation whose job write was lost
    rig.repairs.confirm(TENANT, job_id, CUSTOMER_SIDE, code=CODE)  # ... and retried
    assert len(_settled_entries(rig, ticket_id)) == 1
