"""The decision to refund (a grant) kept apart from its execution (attempts at the provider).

A grant is made once per approved refund and never changes. Each try at the provider is an
attempt with a number and an idempotency key derived from (ticket id, grant id, attempt number),
so a retried call of the same attempt can never refund twice while a deliberate new attempt gets a
new key. A new attempt is allowed only after the previous one failed or was canceled.

Provider statuses are an open set: anything unrecognised maps to `unknown`, and every attempt
keeps the provider's raw value. Updates that would move an attempt backwards (a late "pending"
webhook after "succeeded") are stale and leave the attempt as it is.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict, Field, model_validator

from aftersales.core.errors import Conflict, InvalidRequest
from aftersales.core.model import DomainModel
from aftersales.core.money import Money

from .refundable import QuotedLine, RefundDestination, RefundQuote


class RefundStatus(StrEnum):
    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    UNKNOWN = "unknown"


_KNOWN = {s.value: s for s in RefundStatus if s is not RefundStatus.UNKNOWN}
_OPEN = frozenset({RefundStatus.PENDING, RefundStatus.REQUIRES_ACTION, RefundStatus.UNKNOWN})
RETRYABLE = frozenset({RefundStatus.FAILED, RefundStatus.CANCELED})
# Where an attempt may go from each status; a provider may still fail a refund it reported succeeded.
_NEXT: dict[RefundStatus, frozenset[RefundStatus]] = {
    **{open_status: frozenset(RefundStatus) for open_status in _OPEN},
    RefundStatus.SUCCEEDED: frozenset({RefundStatus.FAILED}),
    RefundStatus.FAILED: frozenset(),
    RefundStatus.CANCELED: frozenset(),
}


def map_provider_status(raw: str) -> RefundStatus:
    return _KNOWN.get(raw.strip().lower(), RefundStatus.UNKNOWN)


def idempotency_key(ticket_id: str, grant_id: str, attempt_number: int) -> str:
    """Deterministic, fixed length, and unambiguous whatever characters the ids contain."""
    material = "\x1f".join((ticket_id, grant_id, str(attempt_number))).encode()
    return "rfnd_" + hashlib.sha256(material).hexdigest()[:40]


class _Frozen(DomainModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RefundGrant(_Frozen):
    grant_id: str
    tenant_id: str
    ticket_id: str
    payment_ref: str
    destination: RefundDestination
    amount: Money
    lines: tuple[QuotedLine, ...]
    return_shipping: Money
    restocking_fee: Money
    granted_at: datetime
    repair_deduction: Money | None = None  # the customer's share of the repair's costs, off the refund
    requested_destination: RefundDestination | None = None  # what the ticket asked for, if not granted as asked
    # the sales platform that pays the buyer back itself (Douyin): we tell it, it refunds, it reports
    settled_by_platform: str | None = None

    @model_validator(mode="after")
    def _adds_up(self) -> RefundGrant:
        lines_total = sum(line.amount.amount for line in self.lines)
        deduction = self.repair_deduction.amount if self.repair_deduction else 0
        if self.amount.amount != lines_total + self.return_shipping.amount - self.restocking_fee.amount - deduction:
            raise ValueError("amount must equal lines + return shipping - restocking fee - repair deduction")
        return self

    @classmethod
    def from_quote(cls, quote: RefundQuote, *, grant_id: str, tenant_id: str, ticket_id: str,
                   payment_ref: str, destination: RefundDestination, granted_at: datetime,
                   requested_destination: RefundDestination | None = None,
                   settled_by_platform: str | None = None) -> RefundGrant:
        if quote.total.amount == 0:
            raise InvalidRequest("refunds.nothing_to_refund", ticket_id=ticket_id)
        return cls(grant_id=grant_id, tenant_id=tenant_id, ticket_id=ticket_id, payment_ref=payment_ref,
                   destination=destination, amount=quote.total, lines=quote.lines,
                   return_shipping=quote.return_shipping, restocking_fee=quote.restocking_fee,
                   repair_deduction=quote.repair_deduction,
                   granted_at=granted_at, requested_destination=requested_destination,
                   settled_by_platform=settled_by_platform)


class RefundAttempt(_Frozen):
    grant_id: str
    attempt_number: int = Field(ge=1)
    idempotency_key: str
    status: RefundStatus = RefundStatus.PENDING
    raw_status: str | None = None
    provider_refund_id: str | None = None

    def with_provider_status(self, raw: str, provider_refund_id: str | None = None) -> RefundAttempt:
        status = map_provider_status(raw)
        if status is not self.status and status not in _NEXT[self.status]:
            return self  # stale or out-of-order update
        return self.model_copy(update={"status": status, "raw_status": raw,
                                       "provider_refund_id": provider_refund_id or self.provider_refund_id})


def next_attempt(grant: RefundGrant, previous: list[RefundAttempt]) -> RefundAttempt:
    """The first attempt, or a retry after the latest one failed or was canceled."""
    latest = max(previous, key=lambda a: a.attempt_number, default=None)
    if latest is not None and latest.status not in RETRYABLE:
        raise Conflict("refunds.attempt_not_retryable", grant_id=grant.grant_id,
                       attempt_number=latest.attempt_number, status=latest.status.value)
    number = latest.attempt_number + 1 if latest else 1
    return RefundAttempt(grant_id=grant.grant_id, attempt_number=number,
                         idempotency_key=idempotency_key(grant.ticket_id, grant.grant_id, number))
