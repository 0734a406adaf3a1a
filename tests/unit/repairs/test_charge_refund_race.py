"""A repair charge paid while the ticket's refund is granted: the refund grant step
(`RefundService.grant`, which takes what the customer owes off the refund) and finance's payment of
the charge (`RepairCharges.mark_paid`) race on the same money. Each side is run with the other one
run whole at an exact point of its own (a read it already made, or just before a write), through
its ports; whatever the order, the customer never both pays the charge and has it deducted:
deductions + paid == what the customer owes."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.core.errors import Conflict, InvalidRequest
from aftersales.core.money import Money
from aftersales.refunds.service import RefundService, grant_id_for
from aftersales.repairs.charges import RepairCharges
from aftersales.repairs.costs import JobSettlements
from aftersales.repairs.model import ChargeState, Coverage
from aftersales.repairs.service import RepairService
from aftersales.tickets.model import Status
from tests.support.fakes.money import (
    FakeRefundProvider,
    InMemoryMoneyConfig,
    InMemoryPaymentLedgerStore,
    InMemoryRefundStore,
)
from tests.support.repairs import CUSTOMER_SIDE, TENANT, RepairRig, cny, provider_actor, window
from tests.support.ticket_factories import FINANCE, SYSTEM

CODE = "424242"
FEE = 8000  # the diagnosis the tenant bills for a not-repairable paid job


class Interleaved:
    """A port that runs the other side's whole step once at the `nth` call of `method`: after the
    read returns (its answer is then stale) or just before the write."""

    def __init__(self, port: Any, method: str, other: Callable[[], None], *, after: bool, nth: int = 1) -> None:
        self.port, self.method, self.other, self.after, self.calls = port, method, other, after, nth

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.port, name)
        if name != self.method:
            return attr

        def run(*args: Any, **kwargs: Any) -> Any:
            self.calls -= 1
            other, self.other = (self.other, None) if self.calls == 0 else (None, self.other)
            if other is not None and not self.after:
                other()
            answer = attr(*args, **kwargs)
            if other is not None and self.after:
                other()
            return answer
        return run


class Race:
    """A not-repairable paid job (the diagnosis fee due) on a ticket moved to refund_pending."""

    def __init__(self) -> None:
        self.rig = rig = RepairRig()
        rig.repairs = RepairService(rig.store, rig.tickets, rig.registry, rig.events, rig.clock,
                                    code_factory=lambda: CODE, photos=rig.visit_media,
                                    settlements=JobSettlements(rig.tickets, diagnosis_fee=lambda _t: True))
        provider = provider_actor(rig.provider("Fixers CN", regions=["CN"], brands=["brewco"]))
        self.ticket_id = rig.ticket()
        self.job_id = rig.repairs.dispatch(TENANT, self.ticket_id).job_id
        rig.repairs.accept(TENANT, self.job_id, provider)
        rig.repairs.book(TENANT, self.job_id, provider, window=window(), technician_id=None)
        rig.repairs.check_in(TENANT, self.job_id, provider, media_ids=[rig.photo(self.job_id, provider)])
        rig.repairs.diagnose(TENANT, self.job_id, provider, fault_code="E-HEAT", coverage=Coverage.PAID,
                             labour=cny(FEE), parts_estimate=cny(4500))
        rig.repairs.not_repairable(TENANT, self.job_id, provider, reason="the board is burnt")
        rig.repairs.confirm(TENANT, self.job_id, CUSTOMER_SIDE, code=CODE)
        self.ledger = InMemoryPaymentLedgerStore()
        self.money = InMemoryRefundStore(self.ledger)
        self.refunds = self.refund_service()
        self.refunds.refund_unrepairable(TENANT, self.ticket_id, FINANCE, reason="cannot be fixed")
        seq = rig.ticket_store.audit_entries(TENANT, self.ticket_id)[-1].seq
        self.grant_id = grant_id_for(self.ticket_id, seq)

    def refund_service(self, ticket_store: Any = None, money: Any = None) -> RefundService:
        rig = self.rig
        return RefundService(rig.tickets, ticket_store or rig.ticket_store, self.ledger, money or self.money,
                             lambda _t: FakeRefundProvider(), rig.clock, InMemoryMoneyConfig())

    def charges(self, store: Any = None, refunds: Any = None) -> RepairCharges:
        return RepairCharges(store or self.rig.store, self.rig.tickets, refunds or self.refunds, self.rig.clock)

    def grant(self, service: RefundService | None = None) -> None:
        (service or self.refunds).grant(TENANT, self.ticket_id, self.grant_id)

    def pay(self, charges: RepairCharges | None = None) -> None:
        """Finance records the payment of the charge as it was due (the fee): refused once the
        refund took it off (409 nothing due, or 422 not the charge)."""
        with contextlib.suppress(Conflict, InvalidRequest):
            (charges or self.charges()).mark_paid(TENANT, self.job_id, FINANCE, reference="pos-1", amount=cny(FEE))

    def taken(self) -> tuple[int, int]:
        """(deducted from the refund, paid besides it) for the repair."""
        deducted = sum(g.repair_deduction.amount for g in self.money.grants(TENANT, self.ticket_id)
                       if g.repair_deduction)
        job = self.rig.store.get_job(TENANT, self.job_id)
        paid = job.settlement.charge.amount if job.settlement.charge_state is ChargeState.PAID else 0
        return deducted, paid


# each side's port calls, in its order: (port, method, after the call?, which call); the grant's
# first chain read is the return shipping, its second the repair settlement (`less_repair_costs`)
GRANT_POINTS = [("money", "repair_charge", True, 1), ("tickets", "audit_entries", True, 1),
                ("tickets", "audit_entries", True, 2), ("money", "create_grant", False, 1)]
CHARGE_POINTS = [("store", "get_job", True, 1), ("refunds", "repair_charge", True, 1),
                 ("refunds", "claim_charge", False, 1), ("store", "save_job", False, 1)]


def _run(race: Race, outer: str, point: int) -> None:
    if outer == "grant":
        port, method, after, nth = GRANT_POINTS[point]
        wrapped = Interleaved(race.money if port == "money" else race.rig.ticket_store, method, race.pay,
                              after=after, nth=nth)
        race.grant(race.refund_service(**({"money": wrapped} if port == "money" else {"ticket_store": wrapped})))
    else:
        port, method, after, nth = CHARGE_POINTS[point]
        wrapped = Interleaved(race.refunds if port == "refunds" else race.rig.store, method, race.grant,
                              after=after, nth=nth)
        race.pay(race.charges(**({"refunds": wrapped} if port == "refunds" else {"store": wrapped})))


def test_a_payment_recorded_after_the_grant_read_the_chain_is_not_deducted_as_well():
    """GIVEN the grant step read the ticket's chain (no payment on it yet) WHEN finance records the
    payment before the grant is stored THEN the grant is quoted again and refunds in full: the
    customer pays the fee once, nothing is deducted."""
    race = Race()
    _run(race, "grant", GRANT_POINTS.index(("tickets", "audit_entries", True, 2)))
    assert race.taken() == (0, FEE)
    [grant] = race.money.grants(TENANT, race.ticket_id)
    assert grant.repair_deduction is None
    assert race.refunds.repair_charge(TENANT, race.ticket_id).moves == {race.job_id: ChargeState.PAID}


def test_a_grant_stored_after_the_payment_read_no_grant_makes_the_payment_no_longer_owed():
    """GIVEN finance's payment read no deduction WHEN the grant step deducts the fee before the
    payment is saved THEN the payment reads again, finds nothing due and is refused: the fee is
    taken off the refund once and never paid besides."""
    race = Race()
    with pytest.raises(Conflict) as refused:
        race.charges(refunds=Interleaved(race.refunds, "repair_charge", race.grant, after=True)).mark_paid(
            TENANT, race.job_id, FINANCE, reference="pos-1", amount=cny(FEE))
    assert refused.value.message_id == "repairs.no_charge_due"
    assert race.taken() == (FEE, 0)
    assert race.rig.tickets.get(TENANT, race.ticket_id, SYSTEM).status is Status.REFUND_PENDING


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(outer=st.sampled_from(["grant", "charge"]), point=st.integers(min_value=0, max_value=3))
def test_under_any_interleaving_the_customer_pays_what_they_owe_exactly_once(outer, point):
    """Either side outer, the other run whole at any of its port calls: the deductions and the
    payment add up to exactly what the customer owes, never more."""
    race = Race()
    _run(race, outer, point)
    deducted, paid = race.taken()
    assert deducted + paid == FEE and (deducted == 0 or paid == 0)
    job = race.rig.store.get_job(TENANT, race.job_id)
    assert job.settlement.customer_owes == Money(amount=FEE, currency="CNY")
