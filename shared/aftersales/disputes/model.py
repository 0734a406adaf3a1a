"""What a dispute is: the decision it contests, the evidence, the arbitration, the platform's case
(Stripe, Douyin) when a platform raised it, and its own hash-chained audit entries."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from aftersales.core.model import DomainModel
from aftersales.core.money import Money
from aftersales.tickets.audit import AuditEntry

MAX_TEXT = 2000
MAX_REASON = 1000
MAX_MEDIA = 9  # per submission (the media context's evidence bound)
MAX_EVIDENCE = 20  # submissions kept on one dispute (one DynamoDB item)
MAX_ENTRIES = 200  # audit entries on one dispute; platform updates past it are refused
MAX_APPEALS = 1


class DisputeStatus(StrEnum):
    RAISED = "raised"
    UNDER_REVIEW = "under_review"
    AWAITING_EVIDENCE = "awaiting_evidence"
    DECIDED = "decided"
    APPEALED = "appealed"
    CLOSED = "closed"


class Subject(StrEnum):
    """The decision on the ticket that is contested."""

    REJECTION = "rejection"  # the request (or the inspection) was rejected
    PARTIAL_REFUND = "partial_refund"  # refunded less than was asked
    REPAIR_OUTCOME = "repair_outcome"  # repaired / unrepairable / returned as it was
    CHARGEBACK = "chargeback"  # the cardholder disputed the payment with the bank (Stripe)


class Source(StrEnum):
    CUSTOMER = "customer"  # the customer, or the storefront / a channel on their behalf
    STRIPE = "stripe"
    DOUYIN = "douyin"  # a Douyin shop after-sale taken to the platform's arbitration


class Outcome(StrEnum):
    UPHELD = "upheld"  # in the customer's favour
    DISMISSED = "dismissed"  # the original decision stands


class Remedy(StrEnum):
    """What an upheld dispute does to the ticket, through the tickets and approvals contexts."""

    REOPEN_FOR_APPROVAL = "reopen_for_approval"  # rejected -> pending_approval: the approval tiers decide again
    NOTED_FOR_STAFF = "noted_for_staff"  # no automatic money move: a note on the ticket for staff
    NONE = "none"  # dismissed, or decided by the platform


class Evidence(DomainModel):
    by: str
    role: str
    text: str | None = None
    media_ids: list[str] = Field(default_factory=list)
    at: datetime


class Decision(DomainModel):
    outcome: Outcome
    reason: str
    by: str
    role: str
    at: datetime
    remedy: Remedy = Remedy.NONE
    on_appeal: bool = False


class FundsMovement(DomainModel):
    """A balance transaction of a platform dispute (Stripe: funds withdrawn / reinstated)."""

    kind: str  # withdrawn | reinstated
    amount: Money
    fee: Money | None = None
    provider_id: str | None = None  # txn_...
    at: datetime


class PlatformCase(DomainModel):
    """The payment platform's own dispute joined to this record."""

    provider: str
    case_id: str  # Stripe: the dispute (dp_...); Douyin: the after-sale id
    reference: str | None = None  # the provider's own sub-case id (Douyin: the arbitration id)
    charge_id: str | None = None
    payment_intent_id: str | None = None
    amount: Money
    reason: str | None = None
    status: str  # the provider's status (needs_response, under_review, won, lost, ...)
    evidence_due_by: datetime | None = None
    submitted: bool = False
    funds: list[FundsMovement] = Field(default_factory=list)
    events: list[str] = Field(default_factory=list)  # provider event ids applied (replays change nothing)


class Dispute(DomainModel):
    id: str
    tenant_id: str
    ticket_id: str
    order_id: str
    customer_id: str
    source: Source
    subject: Subject
    status: DisputeStatus
    version: int = Field(ge=1)
    raised_by: str
    raised_at: datetime
    text: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    assignee_id: str | None = None
    due_at: datetime | None = None  # the SLA of the current state (None when closed)
    # who decided the ticket (approvers, rejecters, inspectors, refund deciders): never its arbitrators
    ticket_deciders: list[str] = Field(default_factory=list)
    decisions: list[Decision] = Field(default_factory=list)
    appeals: int = 0
    platform: PlatformCase | None = None
    entries: list[AuditEntry] = Field(default_factory=list)
    head_hash: str
    updated_at: datetime

    @property
    def decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None
