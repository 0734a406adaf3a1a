"""Stripe's dispute object -> PlatformCase (refunds/stripe_disputes.py): the real fixture maps field
by field; Hypothesis replaces or drops any field and the mapper leaves an unusable one out, never
raises (only an unusable amount leaves no case)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.refunds.stripe_disputes import UNKNOWN_STATUS, dispute_case
from tests.support.fixture_files import load
from tests.support.webhook_bodies import NASTY_NUMBERS, NASTY_STRINGS

RECEIVED = datetime(2026, 12, 3, 9, tzinfo=UTC)
DISPUTE = load("stripe/fixture_dispute.json")
TXN = load("stripe/fixture_balance_transaction.json")
ODD = st.one_of(st.none(), st.booleans(), st.sampled_from(NASTY_NUMBERS), st.sampled_from(NASTY_STRINGS),
                st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                st.text(max_size=300))


def test_the_fixture_maps_every_field():
    case = dispute_case(DISPUTE, DISPUTE["id"], received_at=RECEIVED)
    assert case is not None
    assert (case.provider, case.case_id, case.charge_id, case.payment_intent_id) == (
        "stripe", "dp_1Pgc71B7WZ01zgkWMevJiAUx", "ch_1PgafuB7WZ01zgkWXYmPNZs8", None)
    assert (case.amount.amount, case.amount.currency) == (1000, "USD")
    assert (case.reason, case.status, case.submitted, case.funds) == ("general", "warning_needs_response", False, [])
    assert case.evidence_due_by == datetime(2024, 8, 14, 23, 59, 59, tzinfo=UTC)
    assert case.evidence_due_by.tzinfo is not None


def test_balance_transactions_are_withdrawals_when_negative_and_reinstatements_when_positive():
    """GIVEN Stripe's balance transaction fixture as a withdrawal (-1000, fee 1500) and a reinstatement
    (+1000), an unexpanded id and a zero amount THEN two movements, in minor units, dated by Stripe."""
    txns = [{**TXN, "id": "txn_w", "amount": -1000, "fee": 1500, "created": 1723000000},
            {**TXN, "id": "txn_r", "amount": 1000, "fee": 0, "created": 1724000000},
            "txn_unexpanded", {**TXN, "id": "txn_zero", "amount": 0}]
    case = dispute_case({**DISPUTE, "balance_transactions": txns}, DISPUTE["id"], received_at=RECEIVED)
    assert [(f.kind, f.amount.amount, f.amount.currency, f.fee.amount if f.fee else None, f.provider_id)
            for f in case.funds] == [("withdrawn", 1000, "USD", 1500, "txn_w"), ("reinstated", 1000, "USD", None,
                                                                                  "txn_r")]
    assert case.funds[0].at == datetime.fromtimestamp(1723000000, UTC)


def test_a_balance_transaction_without_a_time_is_dated_when_received():
    case = dispute_case({**DISPUTE, "balance_transactions": [{**TXN, "amount": -5, "created": "soon"}]},
                        DISPUTE["id"], received_at=RECEIVED)
    assert case.funds[0].at == RECEIVED


def test_submitted_evidence_is_read_from_the_submission_count():
    details = {**DISPUTE["evidence_details"], "submission_count": 2}
    assert dispute_case({**DISPUTE, "evidence_details": details}, "dp_1", received_at=RECEIVED).submitted is True


def test_an_expanded_charge_gives_its_id():
    case = dispute_case({**DISPUTE, "charge": {"id": "ch_x", "object": "charge"}}, "dp_1", received_at=RECEIVED)
    assert case.charge_id == "ch_x"


def test_no_usable_amount_is_no_case():
    for amount, currency in ((None, "usd"), ("1000", "usd"), (True, "usd"), (-1, "usd"), (10**13, "usd"),
                             (1000, "xxx"), (1000, None)):
        assert dispute_case({**DISPUTE, "amount": amount, "currency": currency}, "dp_1", received_at=RECEIVED) is None


FIELDS = ["charge", "payment_intent", "reason", "status", "evidence_details", "balance_transactions"]


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(FIELDS), value=ODD, drop=st.booleans())
def test_an_odd_or_missing_field_is_left_out(field, value, drop):
    """GIVEN the fixture with one field replaced by an odd value (or removed) THEN a case still comes
    out; the field is either a value the mapper accepts or absent, never the odd value itself."""
    dispute = {k: v for k, v in DISPUTE.items() if k != field} if drop else {**DISPUTE, field: value}
    case = dispute_case(dispute, DISPUTE["id"], received_at=RECEIVED)
    assert case is not None and case.amount.amount == 1000
    if field == "status":
        assert case.status == (value if not drop and isinstance(value, str) and value.isascii() and value
                               and len(value) <= 64 and all(c.isalnum() or c in "_.-" for c in value)
                               else UNKNOWN_STATUS)
    if field == "reason" and (drop or not isinstance(value, str)):
        assert case.reason is None
    if field == "charge" and (drop or not isinstance(value, str | dict)):
        assert case.charge_id is None
    if field == "evidence_details" and (drop or not isinstance(value, dict)):
        assert case.evidence_due_by is None and case.submitted is False
    if field == "balance_transactions":
        assert case.funds == []


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(["due_by", "submission_count"]), value=ODD)
def test_odd_evidence_details_leave_the_due_date_or_submission_out(key, value):
    case = dispute_case({**DISPUTE, "evidence_details": {**DISPUTE["evidence_details"], key: value}}, "dp_1",
                        received_at=RECEIVED)
    assert case is not None
    if key == "due_by":
        due = case.evidence_due_by
        assert due is None or (due.tzinfo is not None and 1970 <= due.year <= 9999)
    else:
        assert case.submitted is (isinstance(value, int) and not isinstance(value, bool) and value > 0)


@settings(max_examples=300, deadline=None)
@given(txn=st.dictionaries(st.sampled_from(["id", "amount", "currency", "fee", "created"]), ODD, max_size=5))
def test_an_odd_balance_transaction_is_left_out_or_kept_whole(txn):
    case = dispute_case({**DISPUTE, "balance_transactions": [{**TXN, **txn}]}, "dp_1", received_at=RECEIVED)
    assert case is not None
    for movement in case.funds:
        assert movement.kind in ("withdrawn", "reinstated") and movement.amount.amount > 0
        assert movement.at.tzinfo is not None and movement.provider_id
