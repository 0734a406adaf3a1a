"""Settling a job's costs: warranty never bills the customer, a deduction never exceeds the
refund, one currency, and every minor unit lands with the customer or the merchant (Hypothesis)."""

from __future__ import annotations

import hypothesis.strategies as st
import pytest
from hypothesis import given

from aftersales.core.errors import InvalidRequest
from aftersales.core.money import Money
from aftersales.repairs.model import Billable, Costs, JobStatus
from aftersales.repairs.settlement import ChargeState, against_refund, customer_owes, settle

AMOUNTS = st.integers(min_value=0, max_value=10**11)
CURRENCIES = st.sampled_from(["CNY", "JPY", "USD", "KWD"])
OUTCOMES = st.sampled_from([JobStatus.REPAIRED, JobStatus.NOT_REPAIRABLE])


def _costs(parts: int, labour: int, warranty: bool, currency: str = "CNY") -> Costs:
    return Costs(parts=Money(amount=parts, currency=currency), labour=Money(amount=labour, currency=currency),
                 billable_to=Billable.MERCHANT if warranty else Billable.CUSTOMER)


@given(parts=AMOUNTS, labour=AMOUNTS, warranty=st.booleans(), outcome=OUTCOMES, fee=st.booleans(),
       refund=st.none() | AMOUNTS, currency=CURRENCIES)
def test_settlement_splits_costs_and_never_over_deducts(parts, labour, warranty, outcome, fee, refund, currency):
    refund_money = None if refund is None else Money(amount=refund, currency=currency)
    s = settle("rjob_1", _costs(parts, labour, warranty, currency), outcome, refund=refund_money,
               diagnosis_fee_allowed=fee)
    assert s.customer_owes.amount + s.merchant_cost.amount == parts + labour
    assert s.deduction.amount + s.charge.amount == s.customer_owes.amount
    assert {s.customer_owes.currency, s.merchant_cost.currency, s.deduction.currency, s.charge.currency} == {currency}
    assert s.deduction.amount <= (refund or 0)
    if warranty:
        assert s.customer_owes.amount == 0 and s.charge_state is None and s.merchant_cost.amount == parts + labour
    elif outcome is JobStatus.REPAIRED:
        assert s.customer_owes.amount == parts + labour
    else:
        assert s.customer_owes.amount == (labour if fee else 0)
    if refund is not None:  # the refund takes as much of it as it can: a charge only beyond the refund
        assert s.deduction.amount == min(s.customer_owes.amount, refund)
    assert (s.charge_state is ChargeState.DUE) == (s.charge.amount > 0)


@given(parts=AMOUNTS, labour=AMOUNTS, warranty=st.booleans(), outcome=OUTCOMES, fee=st.booleans(), refund=AMOUNTS)
def test_against_refund_equals_settling_with_the_refund(parts, labour, warranty, outcome, fee, refund):
    costs = _costs(parts, labour, warranty)
    later = against_refund(settle("rjob_1", costs, outcome, diagnosis_fee_allowed=fee),
                           Money(amount=refund, currency="CNY"))
    assert later == settle("rjob_1", costs, outcome, refund=Money(amount=refund, currency="CNY"),
                           diagnosis_fee_allowed=fee)


@given(refund=AMOUNTS, warranty=st.booleans())
def test_other_currency_refund_is_refused_with_its_field(refund, warranty):
    with pytest.raises(InvalidRequest) as exc:
        settle("rjob_1", _costs(100, 200, warranty), JobStatus.REPAIRED, refund=Money(amount=refund, currency="USD"))
    assert exc.value.details["field"] == "refund.currency"
    with pytest.raises(InvalidRequest):
        against_refund(settle("rjob_1", _costs(100, 200, warranty), JobStatus.REPAIRED),
                       Money(amount=refund, currency="USD"))


def test_not_repairable_with_fee_deducts_the_diagnosis_from_the_refund():
    s = settle("rjob_1", _costs(4_500, 3_000, False), JobStatus.NOT_REPAIRABLE,
               refund=Money(amount=19_900, currency="CNY"), diagnosis_fee_allowed=True)
    assert (s.deduction.amount, s.charge.amount, s.merchant_cost.amount) == (3_000, 0, 4_500)


def test_repaired_paid_job_without_refund_is_a_charge_due():
    s = settle("rjob_1", _costs(4_500, 3_000, False), JobStatus.REPAIRED)
    assert (s.charge.amount, s.charge_state, s.deduction.amount) == (7_500, ChargeState.DUE, 0)


def test_a_waived_charge_stays_waived_when_a_refund_follows():
    s = settle("rjob_1", _costs(0, 3_000, False), JobStatus.REPAIRED)
    waived = s.model_copy(update={"charge_state": ChargeState.WAIVED})
    assert against_refund(waived, Money(amount=10_000, currency="CNY")) == waived


def test_only_a_decided_job_settles():
    with pytest.raises(InvalidRequest):
        customer_owes(_costs(1, 1, False), JobStatus.DIAGNOSED, diagnosis_fee_allowed=True)
