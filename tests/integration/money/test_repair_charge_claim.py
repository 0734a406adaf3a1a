"""The ticket's repair charge claim under moto (`DynamoRefundStore`): written only over the version
it was read at, alone (a charge move) or in the grant's transaction (a grant deducting the charge),
so the refund grant step and a repair charge move racing each other cannot both win."""

from __future__ import annotations

import pytest

from aftersales.core.errors import ConcurrentModification
from aftersales.core.money import Money
from aftersales.refunds.service import grant_id_for
from aftersales.repairs.model import ChargeClaim, ChargeState
from tests.support.money import refund_pending

FEE = Money(amount=3000, currency="CNY")


def test_a_claim_is_written_once_per_version_read(money):
    store = money.money_tables.refunds
    read = store.repair_charge("acme", "T-1")
    assert read == ChargeClaim()
    assert store.save_repair_charge("acme", "T-1", read.moving("rjob_1", ChargeState.PAID))
    assert not store.save_repair_charge("acme", "T-1", read.moving("rjob_1", ChargeState.WAIVED))  # stale
    now = store.repair_charge("acme", "T-1")
    assert (now.moves, now.version) == ({"rjob_1": ChargeState.PAID}, 1)
    assert store.save_repair_charge("acme", "T-1", now.deducting(FEE))
    assert store.repair_charge("acme", "T-1").deducted == FEE


def test_a_grant_deducting_over_a_claim_that_moved_on_writes_nothing(money):
    """GIVEN a charge move claimed after the grant step read the claim WHEN the grant deducting the
    charge is created THEN ConcurrentModification: no grant, no reservation, the claim as the move
    left it; created at the fresh version the grant and its deduction land together."""
    svc = money
    ticket = refund_pending(svc)
    grant = svc.refunds.grant("acme", ticket.id, grant_id_for(ticket.id, ticket.version))
    store, ledger = svc.money_tables.refunds, svc.money_tables.ledger
    reserved = ledger.get("acme", grant.payment_ref).refunded
    second = grant.model_copy(update={"grant_id": "grt_second", "amount": FEE})
    stale = store.repair_charge("acme", ticket.id)
    assert store.save_repair_charge("acme", ticket.id, stale.moving("rjob_1", ChargeState.PAID))
    with pytest.raises(ConcurrentModification):
        store.create_grant(second, ledger.get("acme", grant.payment_ref).captured, stale.deducting(FEE))
    assert store.get_grant("acme", ticket.id, "grt_second") is None
    assert ledger.get("acme", grant.payment_ref).refunded == reserved
    assert store.repair_charge("acme", ticket.id).deducted is None
    fresh = store.repair_charge("acme", ticket.id)
    assert store.create_grant(second, ledger.get("acme", grant.payment_ref).captured, fresh.deducting(FEE))
    assert store.repair_charge("acme", ticket.id).deducted == FEE
    assert ledger.get("acme", grant.payment_ref).refunded == reserved + FEE
