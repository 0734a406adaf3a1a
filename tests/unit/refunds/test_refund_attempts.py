from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from aftersales.core.errors import Conflict, InvalidRequest
from aftersales.core.money import Money
from aftersales.refunds.grants import (
    RefundGrant,
    RefundStatus,
    idempotency_key,
    map_provider_status,
    next_attempt,
)
from aftersales.refunds.refundable import (
    RefundDestination,
    RefundLine,
    ReturnReason,
    TenantRefundSettings,
    quote_refund,
)

AT = datetime(2026, 11, 26, tzinfo=UTC)


def grant(qty: int = 1) -> RefundGrant:
    line = RefundLine(line_id="l1", unit_price_paid=Money(amount=5_000, currency="CNY"),
                      accepted_quantity=qty)
    quote = quote_refund([line], ReturnReason.QUALITY, TenantRefundSettings(),
                         return_shipping_paid=Money(amount=600, currency="CNY"))
    return RefundGrant.from_quote(quote, grant_id="grt_1", tenant_id="t1", ticket_id="tkt_1",
                                  payment_ref="pi_1", destination=RefundDestination.ORIGINAL_PAYMENT,
                                  granted_at=AT)


def test_grant_records_the_quote():
    """GIVEN a quote WHEN granted THEN the grant carries amount, lines and components that add up."""
    made = grant(qty=2)
    assert made.amount == Money(amount=10_600, currency="CNY")
    assert (made.return_shipping.amount, made.restocking_fee.amount, len(made.lines)) == (600, 0, 1)


def test_grant_components_must_add_up():
    """GIVEN a grant whose amount disagrees with its lines WHEN built THEN validation fails."""
    with pytest.raises(ValidationError, match="must equal"):
        RefundGrant.model_validate({**grant().model_dump(), "amount": {"amount": 1, "currency": "CNY"}})


def test_nothing_accepted_means_no_grant():
    """GIVEN a quote of zero WHEN granted THEN InvalidRequest."""
    quote = quote_refund([RefundLine(line_id="l1", unit_price_paid=Money(amount=5, currency="CNY"),
                                     accepted_quantity=0)], ReturnReason.DISLIKE, TenantRefundSettings())
    with pytest.raises(InvalidRequest, match="nothing_to_refund"):
        RefundGrant.from_quote(quote, grant_id="g", tenant_id="t", ticket_id="k", payment_ref="p",
                               destination=RefundDestination.ORIGINAL_PAYMENT, granted_at=AT)


def test_idempotency_key_is_deterministic_per_attempt():
    """GIVEN the same ticket, grant and attempt WHEN keys are derived THEN equal; a new attempt differs."""
    assert idempotency_key("tkt_1", "grt_1", 1) == idempotency_key("tkt_1", "grt_1", 1)
    assert idempotency_key("tkt_1", "grt_1", 1) != idempotency_key("tkt_1", "grt_1", 2)
    assert idempotency_key("a-b", "c", 1) != idempotency_key("a", "b-c", 1)
    assert len(idempotency_key("x" * 500, "y", 1)) <= 255


@pytest.mark.parametrize("raw, status", [
    ("pending", RefundStatus.PENDING), ("requires_action", RefundStatus.REQUIRES_ACTION),
    ("succeeded", RefundStatus.SUCCEEDED), ("failed", RefundStatus.FAILED),
    ("canceled", RefundStatus.CANCELED),
    ("SUCCEEDED", RefundStatus.SUCCEEDED), ("reversed", RefundStatus.UNKNOWN), ("", RefundStatus.UNKNOWN),
    ("unknown", RefundStatus.UNKNOWN)])
def test_provider_status_mapping_is_an_open_set(raw, status):
    """GIVEN a provider status WHEN mapped THEN known values map, anything else is unknown."""
    assert map_provider_status(raw) is status


def test_unknown_status_keeps_the_raw_value():
    """GIVEN an attempt WHEN the provider reports 'reversed' THEN status unknown, raw kept."""
    attempt = next_attempt(grant(), []).with_provider_status("reversed", "re_1")
    assert (attempt.status, attempt.raw_status, attempt.provider_refund_id) == (
        RefundStatus.UNKNOWN, "reversed", "re_1")


def test_retry_only_after_failure_with_a_new_key():
    """GIVEN a pending attempt WHEN a retry is asked THEN Conflict; after it fails, attempt 2 with a new
    key."""
    made = grant()
    first = next_attempt(made, [])
    assert (first.attempt_number, first.idempotency_key) == (1, idempotency_key("tkt_1", "grt_1", 1))
    with pytest.raises(Conflict, match="attempt_not_retryable"):
        next_attempt(made, [first])
    failed = first.with_provider_status("failed")
    second = next_attempt(made, [failed])
    assert second.attempt_number == 2 and second.idempotency_key != first.idempotency_key


def test_no_retry_after_success():
    """GIVEN a succeeded attempt WHEN a retry is asked THEN Conflict."""
    made = grant()
    with pytest.raises(Conflict):
        next_attempt(made, [next_attempt(made, []).with_provider_status("succeeded")])


def test_stale_webhook_does_not_move_backwards_but_late_failure_does():
    """GIVEN a succeeded attempt WHEN 'pending' arrives late THEN unchanged; WHEN 'failed' arrives THEN
    failed."""
    succeeded = next_attempt(grant(), []).with_provider_status("succeeded", "re_1")
    assert succeeded.with_provider_status("pending") == succeeded
    assert succeeded.with_provider_status("failed").status is RefundStatus.FAILED


raw_statuses = st.sampled_from(["pending", "requires_action", "succeeded", "failed", "canceled", "weird"])


@given(updates=st.lists(raw_statuses, max_size=12))
def test_terminal_failure_is_final_under_any_webhook_order(updates):
    """GIVEN any webhook sequence WHEN applied THEN once failed or canceled, the attempt never changes
    again."""
    attempt = next_attempt(grant(), [])
    for raw in updates:
        before = attempt
        attempt = attempt.with_provider_status(raw)
        if before.status in {RefundStatus.FAILED, RefundStatus.CANCELED}:
            assert attempt == before
