"""Ports the evidence pack gathers through, lays out with and sends through.

Most are the other contexts' own stores as the pack reads them (the existing adapters satisfy
them as they are): the tickets service, the channels' ConversationStore, the logistics
ParcelStore, the refunds RefundStore. Three are the pack's own: PackMedia (a photo's bytes),
AppliedPolicies (the policy text that applied) and SummaryRenderer (summary.pdf); PlatformEvidence
sends the pack's evidence to the payment platform that opened the case (Stripe).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from aftersales.channels.ports import ConversationItem
from aftersales.disputes.model import Dispute, PlatformCase
from aftersales.disputes.pack_model import MediaContent, PolicyText, SummaryDocument
from aftersales.logistics.ports import Parcel, StoredEvent
from aftersales.refunds.grants import RefundAttempt, RefundGrant
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Actor, Ticket


class PackDisputes(Protocol):
    """The disputes service as the pack uses it (DisputeService)."""

    def get(self, tenant_id: str, dispute_id: str, actor: Actor) -> Dispute: ...

    def record_evidence_sent(self, tenant_id: str, dispute_id: str, actor: Actor, *, submit: bool,
                             fields: Sequence[str]) -> Dispute: ...


class PackTickets(Protocol):
    """The tickets service (TicketService): the ticket and its audit chain."""

    def get(self, tenant_id: str, ticket_id: str, actor: Actor) -> Ticket: ...

    def audit(self, tenant_id: str, ticket_id: str, actor: Actor) -> list[AuditEntry]: ...


class ConversationRecords(Protocol):
    """The channels context's ConversationStore."""

    def list(self, tenant_id: str, ticket_id: str) -> list[ConversationItem]: ...


class ParcelRecords(Protocol):
    """The logistics context's ParcelStore (reads only)."""

    def get(self, tenant_id: str, tracking_number: str) -> Parcel | None: ...

    def events(self, tenant_id: str, tracking_number: str) -> list[StoredEvent]: ...


class RefundRecords(Protocol):
    """The refunds context's RefundStore (reads only)."""

    def grants(self, tenant_id: str, ticket_id: str) -> list[RefundGrant]: ...

    def attempts(self, tenant_id: str, ticket_id: str, grant_id: str) -> list[RefundAttempt]: ...


class PackMedia(Protocol):
    def read(self, tenant_id: str, media_id: str) -> MediaContent | None:
        """The checked copy of a ready image (EXIF location removed); None when it is not ready,
        not an image or gone: the pack lists it as missing."""


class AppliedPolicies(Protocol):
    def applied(self, tenant_id: str, ticket: Ticket) -> PolicyText | None:
        """The after-sales policy text (and its version) in force for the ticket, if the tenant keeps one."""


class SummaryRenderer(Protocol):
    def render(self, document: SummaryDocument) -> bytes:
        """The document as a PDF whose text extracts (Latin and Chinese), byte-identical for the same document."""


@dataclass(frozen=True)
class EvidenceFile:
    field: str  # the platform's evidence field: customer_communication, refund_policy, uncategorized_file, ...
    filename: str
    content_type: str  # application/pdf, image/jpeg or image/png
    content: bytes


@dataclass(frozen=True)
class EvidenceSubmission:
    """What goes to the platform: text fields (uncategorized_text, shipping_carrier, ...) and files."""

    texts: dict[str, str] = field(default_factory=dict)
    files: tuple[EvidenceFile, ...] = ()

    @property
    def fields(self) -> list[str]:
        return sorted({*self.texts, *(f.field for f in self.files)})


@dataclass(frozen=True)
class SentEvidence:
    case_id: str
    fields: tuple[str, ...]
    file_ids: dict[str, str]  # evidence field -> the platform's file id
    submitted: bool
    status: str  # the case's status after the update (needs_response, under_review, ...)


class PlatformEvidence(Protocol):
    def send(self, case: PlatformCase, evidence: EvidenceSubmission, *, submit: bool,
             idempotency_key: str) -> SentEvidence:
        """Uploads the files, then stages (`submit=False`) or submits the evidence on the case.
        ProviderUnavailable (retry) or ProviderRejected (the platform's code) on failure."""
