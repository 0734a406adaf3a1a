"""The tenant's refunds across tickets by where they stand: pending, failed or succeeded.

A grant is listed once, under the state of its latest provider attempt (no attempt yet, or one
still open, is pending; a failed or canceled attempt, or a grant abandoned by the saga, is failed;
a succeeded attempt is succeeded). A failed grant keeps the provider's reason. The store keeps
this summary on the grant itself and indexes it by tenant and state, so a page is one Query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict

from aftersales.core.model import DomainModel
from aftersales.core.money import Money

from .grants import RETRYABLE, RefundAttempt, RefundGrant, RefundStatus
from .refundable import RefundDestination


class RefundState(StrEnum):
    PENDING = "pending"
    FAILED = "failed"
    SUCCEEDED = "succeeded"


class RefundSummary(DomainModel):
    """One grant as the refunds listing shows it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ticket_id: str
    grant_id: str
    state: RefundState
    status: str  # the latest attempt's status, or "granted" before the first attempt
    amount: Money
    destination: RefundDestination
    granted_at: datetime
    attempt_number: int | None = None
    provider_refund_id: str | None = None
    raw_status: str | None = None
    failure_reason: str | None = None


@dataclass(frozen=True)
class RefundPage:
    items: list[RefundSummary]
    cursor: str | None


def state_of(attempt: RefundAttempt | None, *, abandoned: bool = False) -> RefundState:
    if abandoned or (attempt is not None and attempt.status in RETRYABLE):
        return RefundState.FAILED
    if attempt is not None and attempt.status is RefundStatus.SUCCEEDED:
        return RefundState.SUCCEEDED
    return RefundState.PENDING


def summarize(grant: RefundGrant, attempt: RefundAttempt | None, *, failure_reason: str | None = None,
              abandoned: bool = False) -> RefundSummary:
    """The grant's listing entry after `attempt` (its latest), with the provider's reason when failed."""
    state = state_of(attempt, abandoned=abandoned)
    return RefundSummary(
        ticket_id=grant.ticket_id, grant_id=grant.grant_id, state=state,
        status=attempt.status.value if attempt else "granted", amount=grant.amount,
        destination=grant.destination, granted_at=grant.granted_at,
        attempt_number=attempt.attempt_number if attempt else None,
        provider_refund_id=attempt.provider_refund_id if attempt else None,
        raw_status=attempt.raw_status if attempt else None,
        failure_reason=failure_reason if state is RefundState.FAILED else None)
