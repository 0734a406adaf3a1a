"""A settled job's charge waived or paid (repairs/charges.py) on the real tickets and repairs
services over in-memory fakes: once, by finance / supervisor / admin, a payment of exactly the
charge; on the job's chain and once on the ticket's; what the ticket's refund took off is no
longer owed."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.core.errors import Conflict, Forbidden, InvalidRequest
from aftersales.core.money import Money
from aftersales.repairs.charges import RepairCharges
from aftersales.repairs.costs import JobSettlements
from aftersales.repairs.model import ChargeClaim, ChargeState, Coverage
from aftersales.repairs.service import RepairService
from aftersales.repairs.settlement import CHARGE_EVENTS, CHARGE_ROLES, recorded
from aftersales.tickets.audit import verify_chain
from aftersales.tickets.model import Role
from tests.support.repairs import CUSTOMER_SIDE, TENANT, RepairRig, cny, provider_actor, window
from tests.support.ticket_factories import AGENT, CUSTOMER, FINANCE, STOREFRONT, SUPERVISOR, SYSTEM, actor

CODE = "424242"
CHARGE = 12500  # labour 8000 + the heating element 4500, a paid repair
ADMIN = actor(Role.ADMIN, id="admin-1")


class Refunds:
    """The refunds context's RepairRefunds: the ticket's repair charge claim (what the refund took
    off, the moves claimed), written at the version read."""

    def __init__(self, deducted: Money | None = None) -> None:
        self.claim = ChargeClaim(deducted=deducted, version=1 if deducted else 0)

    def repair_charge(self, tenant_id: str, ticket_id: str) -> ChargeClaim:
        return self.claim

    def claim_charge(self, tenant_id: str, ticket_id: str, claim: ChargeClaim) -> bool:
        if claim.version != self.claim.version:
            return False
        self.claim = claim.model_copy(update={"version": claim.version + 1})
        return True


class LosesChargeNotes:
    """The tickets service, but the first charge entry never reaches the ticket (a lost write)."""

    def __init__(self, tickets) -> None:
        self.tickets = tickets
        self.lost = 0

    def __getattr__(self, name):
        return getattr(self.tickets, name)

    def note(self, tenant_id, ticket_id, event, actor, **kw):
        if event in CHARGE_EVENTS.values() and not self.lost:
            self.lost += 1
            raise ConnectionError("the ticket write was lost")
        return self.tickets.note(tenant_id, ticket_id, event, actor, **kw)


def _confirmed(coverage: Coverage = Coverage.PAID, *, close: bool = False, deducted: Money | None = None):
    rig = RepairRig()
    rig.repairs = RepairService(rig.store, rig.tickets, rig.registry, rig.events, rig.clock,
                                code_factory=lambda: CODE, photos=rig.visit_media,
                                settlements=JobSettlements(rig.tickets))
    provider = provider_actor(rig.provider("Fixers CN", regions=["CN"], brands=["brewco"]))
    ticket_id = rig.ticket()
    job_id = rig.repairs.dispatch(TENANT, ticket_id).job_id
    rig.repairs.accept(TENANT, job_id, provider)
    rig.repairs.book(TENANT, job_id, provider, window=window(), technician_id=None)
    rig.repairs.check_in(TENANT, job_id, provider, media_ids=[rig.photo(job_id, provider)])
    rig.repairs.diagnose(TENANT, job_id, provider, fault_code="E-HEAT", coverage=coverage, labour=cny(8000),
                         parts_estimate=cny(4500))
    if coverage is Coverage.PAID:
        rig.repairs.decide_quote(TENANT, job_id, CUSTOMER_SIDE, approve=True)
    rig.repairs.record_part(TENANT, job_id, provider, part_number="HE-220", serial="SN-1")
    rig.repairs.repaired(TENANT, job_id, provider)
    rig.repairs.confirm(TENANT, job_id, CUSTOMER_SIDE, code=CODE)
    if close:
        rig.repairs.close(TENANT, job_id, provider)
    refunds = Refunds(deducted)
    return rig, RepairCharges(rig.store, rig.tickets, refunds, rig.clock), job_id, ticket_id


def _ticket_moves(rig: RepairRig, ticket_id: str):
    return [e for e in rig.tickets.audit(TENANT, ticket_id, SYSTEM) if e.event in CHARGE_EVENTS.values()]


def test_finance_waives_the_charge_with_a_reason_on_the_job_and_once_on_the_ticket():
    """GIVEN a confirmed paid repair, a charge of 125.00 CNY due WHEN finance waives it THEN the job's
    settlement says waived, its chain has the move by finance, the ticket's chain has it once with
    the settlement it leaves, and both chains verify."""
    rig, charges, job_id, ticket_id = _confirmed()
    job = charges.waive(TENANT, job_id, FINANCE, reason="goodwill: second fault this year")
    assert job.settlement.charge_state is ChargeState.WAIVED and job.settlement.charge == cny(CHARGE)
    assert rig.store.get_job(TENANT, job_id).settlement == job.settlement
    step = job.entries[-1]
    assert (step.event, step.actor_id, step.reason, step.data["role"]) == (
        "repair.charge_waived", "fin-1", "goodwill: second fault this year", "finance")
    assert verify_chain(job.entries).valid
    [entry] = _ticket_moves(rig, ticket_id)
    assert entry.event == "ticket.repair_charge_waived" and entry.data["decided_by"] == "fin-1"
    assert entry.data["job_id"] == job_id and entry.data["settlement"]["charge_state"] == "waived"
    assert verify_chain(rig.tickets.audit(TENANT, ticket_id, SYSTEM)).valid
    assert recorded(rig.tickets.audit(TENANT, ticket_id, SYSTEM)).charge_state is ChargeState.WAIVED


def test_a_supervisor_records_the_payment_of_exactly_the_charge_with_its_reference():
    rig, charges, job_id, ticket_id = _confirmed()
    job = charges.mark_paid(TENANT, job_id, SUPERVISOR, reference="pos-7781", amount=cny(CHARGE))
    assert job.settlement.charge_state is ChargeState.PAID
    assert job.entries[-1].data["reference"] == "pos-7781"
    assert job.entries[-1].data["amount"] == {"amount": CHARGE, "currency": "CNY"}
    [entry] = _ticket_moves(rig, ticket_id)
    assert entry.event == "ticket.repair_charge_paid" and entry.data["reference"] == "pos-7781"


@pytest.mark.parametrize(("amount", "field"), [
    (cny(CHARGE - 1), "amount.amount"), (cny(CHARGE + 1), "amount.amount"),
    (Money(amount=CHARGE, currency="USD"), "amount.currency")])
def test_a_payment_that_is_not_exactly_the_charge_is_refused_and_nothing_moves(amount, field):
    rig, charges, job_id, ticket_id = _confirmed()
    with pytest.raises(InvalidRequest) as refused:
        charges.mark_paid(TENANT, job_id, FINANCE, reference="pos-1", amount=amount)
    assert refused.value.details["field"] == field
    assert rig.store.get_job(TENANT, job_id).settlement.charge_state is ChargeState.DUE
    assert _ticket_moves(rig, ticket_id) == []


@pytest.mark.parametrize("who", [AGENT, STOREFRONT, CUSTOMER, SYSTEM], ids=lambda a: a.primary_role.value)
def test_no_role_outside_finance_supervisor_and_admin_moves_a_charge(who):
    rig, charges, job_id, ticket_id = _confirmed()
    with pytest.raises(Forbidden):
        charges.waive(TENANT, job_id, who, reason="please")
    with pytest.raises(Forbidden):
        charges.mark_paid(TENANT, job_id, who, reference="x", amount=cny(CHARGE))
    assert rig.store.get_job(TENANT, job_id).settlement.charge_state is ChargeState.DUE
    assert _ticket_moves(rig, ticket_id) == []


def test_a_charge_waived_or_paid_does_not_move_again():
    rig, charges, job_id, ticket_id = _confirmed()
    charges.mark_paid(TENANT, job_id, ADMIN, reference="pos-1", amount=cny(CHARGE))
    with pytest.raises(Conflict) as again:
        charges.waive(TENANT, job_id, FINANCE, reason="after all")
    assert again.value.message_id == "repairs.charge_already_settled"
    with pytest.raises(Conflict):
        charges.mark_paid(TENANT, job_id, FINANCE, reference="pos-2", amount=cny(CHARGE))
    assert len(_ticket_moves(rig, ticket_id)) == 1


def test_a_warranty_job_has_no_charge_to_move():
    _rig, charges, job_id, _ticket_id = _confirmed(Coverage.WARRANTY)
    with pytest.raises(Conflict) as none:
        charges.waive(TENANT, job_id, FINANCE, reason="nothing")
    assert none.value.message_id == "repairs.no_charge_due"


def test_a_waiver_needs_a_reason():
    _rig, charges, job_id, _ticket_id = _confirmed()
    with pytest.raises(InvalidRequest) as refused:
        charges.waive(TENANT, job_id, FINANCE, reason="   ")
    assert refused.value.details["field"] == "reason"


def test_what_the_refund_took_off_is_no_longer_owed():
    """GIVEN the ticket's refund took 50.00 of the customer's share WHEN finance records the payment
    THEN only the rest (75.00) is the charge: the full amount is refused, the rest is taken."""
    _rig, charges, job_id, _ticket_id = _confirmed(deducted=cny(5000))
    with pytest.raises(InvalidRequest):
        charges.mark_paid(TENANT, job_id, FINANCE, reference="pos-1", amount=cny(CHARGE))
    job = charges.mark_paid(TENANT, job_id, FINANCE, reference="pos-1", amount=cny(CHARGE - 5000))
    assert (job.settlement.deduction, job.settlement.charge) == (cny(5000), cny(CHARGE - 5000))


def test_a_charge_the_refund_covered_entirely_is_no_charge_due():
    _rig, charges, job_id, _ticket_id = _confirmed(deducted=cny(CHARGE))
    with pytest.raises(Conflict) as none:
        charges.waive(TENANT, job_id, FINANCE, reason="covered")
    assert none.value.message_id == "repairs.no_charge_due"


def test_a_charge_paid_after_the_job_and_ticket_closed_is_still_on_the_ticket():
    rig, charges, job_id, ticket_id = _confirmed(close=True)
    assert rig.tickets.get(TENANT, ticket_id, SYSTEM).status.value == "closed"
    charges.mark_paid(TENANT, job_id, FINANCE, reference="bank-99", amount=cny(CHARGE))
    [entry] = _ticket_moves(rig, ticket_id)
    assert entry.to_status == "closed" and entry.data["settlement"]["charge_state"] == "paid"


def test_a_lost_ticket_write_is_made_good_by_the_retry_and_written_once():
    """GIVEN the ticket's entry of a payment was lost after the job took it WHEN the request is sent
    again THEN it answers 409 (the charge moved) and the ticket now has the entry, once."""
    rig, _charges, job_id, ticket_id = _confirmed()
    charges = RepairCharges(rig.store, LosesChargeNotes(rig.tickets), Refunds(), rig.clock)
    with pytest.raises(ConnectionError):
        charges.mark_paid(TENANT, job_id, FINANCE, reference="pos-1", amount=cny(CHARGE))
    assert rig.store.get_job(TENANT, job_id).settlement.charge_state is ChargeState.PAID
    assert _ticket_moves(rig, ticket_id) == []
    for _ in range(2):
        with pytest.raises(Conflict):
            charges.mark_paid(TENANT, job_id, FINANCE, reference="pos-1", amount=cny(CHARGE))
    [entry] = _ticket_moves(rig, ticket_id)
    assert entry.data["reference"] == "pos-1" and entry.data["decided_by"] == "fin-1"


# ---------------------------------------------------------------------- the property
ROLES = st.frozensets(st.sampled_from(list(Role)), min_size=1, max_size=3)
AMOUNTS = st.one_of(st.just(cny(CHARGE)), st.integers(min_value=0, max_value=3 * CHARGE).map(cny),
                    st.just(Money(amount=CHARGE, currency="EUR")))
ATTEMPTS = st.lists(st.tuples(st.sampled_from(["waive", "pay"]), ROLES, AMOUNTS), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attempts=ATTEMPTS)
def test_any_sequence_of_attempts_moves_a_charge_at_most_once_by_a_money_role(attempts):
    """For any sequence of waive / pay attempts by any roles: the charge moves at most once, only
    from due to waived or paid, only by finance, a supervisor or an admin, a payment only of exactly
    the charge; the job and the ticket record that one move and nothing else."""
    rig, charges, job_id, ticket_id = _confirmed()
    moved = []
    for n, (kind, roles, amount) in enumerate(attempts):
        who = actor(*roles, id=f"u-{n}")
        before = rig.store.get_job(TENANT, job_id).settlement
        try:
            job = (charges.waive(TENANT, job_id, who, reason="goodwill") if kind == "waive" else
                   charges.mark_paid(TENANT, job_id, who, reference=f"ref-{n}", amount=amount))
        except (Forbidden, Conflict, InvalidRequest):
            assert rig.store.get_job(TENANT, job_id).settlement == before
            continue
        moved.append((kind, roles, amount, before.charge_state, job.settlement.charge_state))
    assert len(moved) <= 1
    for kind, roles, amount, was, now in moved:
        assert roles & CHARGE_ROLES and was is ChargeState.DUE
        assert now is (ChargeState.WAIVED if kind == "waive" else ChargeState.PAID)
        assert kind == "waive" or amount == cny(CHARGE)
    job = rig.store.get_job(TENANT, job_id)
    assert len([e for e in job.entries if e.event.startswith("repair.charge_")]) == len(moved)
    assert len(_ticket_moves(rig, ticket_id)) == len(moved)
