"""A not-repairable repair refunded: the customer's share of the job's costs (`ticket.repair_settled`)
comes off the grant, never more than the refund, in the refund's currency; warranty refunds in full."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.core.errors import InvalidRequest
from aftersales.core.money import Money
from aftersales.refunds.refundable import RefundLine, ReturnReason, TenantRefundSettings, quote_refund
from aftersales.refunds.service import grant_id_for
from aftersales.repairs.model import Billable, ChargeState, Costs, JobStatus
from aftersales.repairs.settlement import CHARGE_EVENTS, SETTLED_EVENT, recorded, settle
from aftersales.tickets.domain import Actor, LineRequest, OpenTicket
from aftersales.tickets.model import Role, Status
from tests.support.fakes.money import FakeRefundProvider
from tests.support.ticket_factories import STOREFRONT
from tests.support.tickets import walk
from tests.unit.refunds.test_refund_service import Rig

FINANCE = Actor(id="fin-1", roles=frozenset({Role.FINANCE}))
SYSTEM = Actor(id="repairs:prv_1", roles=frozenset({Role.SYSTEM}))
REFUND = 9500  # one mug


def _unrepairable(rig: Rig, labour: int, *, warranty: bool, currency: str = "CNY") -> str:
    ticket = rig.tickets.open("acme", OpenTicket(type="repair", order_id="O-1", channel="app", reason_code="quality",
                                                 lines=[LineRequest(line_id="L1", quantity=1)]), STOREFRONT)
    walk(rig.tickets, "acme", ticket.id, "pending_approval", "approved", "repair_dispatched", "repair_in_progress",
         "unrepairable")
    costs = Costs(parts=Money(amount=4500, currency=currency), labour=Money(amount=labour, currency=currency),
                  billable_to=Billable.MERCHANT if warranty else Billable.CUSTOMER)
    settlement = settle("rjob_1", costs, JobStatus.NOT_REPAIRABLE, diagnosis_fee_allowed=True)
    rig.tickets.note("acme", ticket.id, SETTLED_EVENT, SYSTEM,
                     data={"job_id": "rjob_1", "settlement": settlement.model_dump(mode="json")})
    return ticket.id


def _grant(rig: Rig, ticket_id: str):
    rig.service.refund_unrepairable("acme", ticket_id, FINANCE, reason="cannot be fixed")
    seq = rig.store.audit_entries("acme", ticket_id)[-1].seq
    return rig.service.grant("acme", ticket_id, grant_id_for(ticket_id, seq))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(labour=st.integers(min_value=0, max_value=REFUND - 1), warranty=st.booleans())
def test_the_grant_is_the_refund_less_the_customers_share_and_warranty_pays_in_full(labour, warranty):
    rig = Rig(FakeRefundProvider())
    ticket_id = _unrepairable(rig, labour, warranty=warranty)
    grant = _grant(rig, ticket_id)
    deducted = 0 if warranty or labour == 0 else labour
    assert grant.amount == Money(amount=REFUND - deducted, currency="CNY")
    assert (grant.repair_deduction.amount if grant.repair_deduction else 0) == deducted
    view = rig.service.status("acme", ticket_id, FINANCE)["grants"][0]
    assert view["repair_deduction"] == ({"amount": deducted, "currency": "CNY"} if deducted else None)


def test_a_diagnosis_above_the_refund_takes_the_whole_refund_and_no_more():
    rig = Rig(FakeRefundProvider())
    ticket_id = _unrepairable(rig, REFUND + 5000, warranty=False)
    mug = RefundLine(line_id="L1", unit_price_paid=Money(amount=REFUND, currency="CNY"), accepted_quantity=1)
    quote = rig.service.less_repair_costs("acme", ticket_id,
                                          quote_refund([mug], ReturnReason.QUALITY, TenantRefundSettings()))
    assert (quote.total.amount, quote.repair_deduction.amount) == (0, REFUND)
    with pytest.raises(InvalidRequest) as nothing:  # nothing left to pay back: no zero grant
        _grant(rig, ticket_id)
    assert nothing.value.message_id == "refunds.nothing_to_refund"


def test_a_settlement_in_another_currency_is_refused_before_the_ticket_moves():
    rig = Rig(FakeRefundProvider())
    ticket_id = _unrepairable(rig, 3000, warranty=False, currency="USD")
    with pytest.raises(InvalidRequest) as refused:
        rig.service.refund_unrepairable("acme", ticket_id, FINANCE, reason="cannot be fixed")
    assert refused.value.details["field"] == "refund.currency"
    assert rig.tickets.get("acme", ticket_id, FINANCE).status == Status.UNREPAIRABLE



@pytest.mark.parametrize("state", [ChargeState.WAIVED, ChargeState.PAID])
def test_a_charge_waived_or_paid_before_the_refund_is_not_taken_off_it(state):
    """GIVEN the diagnosis fee's charge was waived (or paid) on the ticket's chain WHEN the refund is
    granted THEN it pays in full; the refund's own repair deductions are what it took off."""
    rig = Rig(FakeRefundProvider())
    ticket_id = _unrepairable(rig, 3000, warranty=False)
    settled = recorded(rig.store.audit_entries("acme", ticket_id))
    rig.tickets.note("acme", ticket_id, CHARGE_EVENTS[state], SYSTEM, data={
        "job_id": "rjob_1", "settlement": settled.model_copy(update={"charge_state": state}).model_dump(mode="json")})
    grant = _grant(rig, ticket_id)
    assert grant.amount == Money(amount=REFUND, currency="CNY") and grant.repair_deduction is None
    assert rig.service.repair_charge("acme", ticket_id).deducted is None


def test_what_the_refund_took_off_for_the_repair_is_read_back():
    rig = Rig(FakeRefundProvider())
    ticket_id = _unrepairable(rig, 3000, warranty=False)
    _grant(rig, ticket_id)
    assert rig.service.repair_charge("acme", ticket_id).deducted == Money(amount=3000, currency="CNY")
