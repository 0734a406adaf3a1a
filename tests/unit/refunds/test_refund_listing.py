"""Where a grant stands in the refunds listing: by its latest attempt's status (or the saga's
abandonment), with the provider's reason kept only when it failed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aftersales.core.money import Money
from aftersales.refunds.grants import RefundAttempt, RefundGrant, RefundStatus, idempotency_key
from aftersales.refunds.listing import RefundState, state_of, summarize
from aftersales.refunds.refundable import QuotedLine, RefundDestination

CNY = lambda amount: Money(amount=amount, currency="CNY")  # noqa: E731
GRANT = RefundGrant(grant_id="grt_1", tenant_id="acme", ticket_id="tkt_1", payment_ref="ch_1",
                    destination=RefundDestination.ORIGINAL_PAYMENT, amount=CNY(9500),
                    lines=(QuotedLine(line_id="L1", quantity=1, amount=CNY(9500)),), return_shipping=CNY(0),
                    restocking_fee=CNY(0), granted_at=datetime(2026, 12, 1, 9, tzinfo=UTC))


def _attempt(status: RefundStatus, number: int = 1) -> RefundAttempt:
    return RefundAttempt(grant_id="grt_1", attempt_number=number, status=status, raw_status=status.value,
                         idempotency_key=idempotency_key("tkt_1", "grt_1", number), provider_refund_id="re_1")


@pytest.mark.parametrize(("status", "state"), [
    (RefundStatus.PENDING, RefundState.PENDING), (RefundStatus.REQUIRES_ACTION, RefundState.PENDING),
    (RefundStatus.UNKNOWN, RefundState.PENDING), (RefundStatus.SUCCEEDED, RefundState.SUCCEEDED),
    (RefundStatus.FAILED, RefundState.FAILED), (RefundStatus.CANCELED, RefundState.FAILED)])
def test_the_latest_attempts_status_decides_the_state(status, state):
    assert state_of(_attempt(status)) is state


def test_a_grant_without_an_attempt_is_pending_and_an_abandoned_one_failed_whatever_its_attempt():
    assert summarize(GRANT, None).state is RefundState.PENDING and summarize(GRANT, None).status == "granted"
    abandoned = summarize(GRANT, _attempt(RefundStatus.PENDING), failure_reason="provider_outcome_unknown",
                          abandoned=True)
    assert (abandoned.state, abandoned.failure_reason) == (RefundState.FAILED, "provider_outcome_unknown")


def test_the_providers_reason_is_kept_only_on_a_failed_refund():
    failed = summarize(GRANT, _attempt(RefundStatus.FAILED, 2), failure_reason="declined")
    assert (failed.failure_reason, failed.attempt_number, failed.amount) == ("declined", 2, CNY(9500))
    assert summarize(GRANT, _attempt(RefundStatus.SUCCEEDED), failure_reason="declined").failure_reason is None
