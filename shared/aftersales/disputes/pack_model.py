"""What an evidence pack is made of: everything gathered about a disputed ticket (the records the
pack reads through its ports, already in the pack's own terms), the summary document it lays out
as summary.pdf, and the built pack (the ZIP and its manifest)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from aftersales.core.money import Money
from aftersales.disputes.model import Dispute
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Ticket

PHOTO_KINDS = ("customer", "inspection")


@dataclass(frozen=True)
class Message:
    """One message of the ticket's conversation (the channels context's ConversationItem)."""

    at: str
    channel: str
    direction: str  # inbound | outbound | system
    author: str
    body: str
    subject: str | None = None


@dataclass(frozen=True)
class TracePoint:
    at: datetime
    message: str
    place: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class ParcelTrace:
    """A parcel of the ticket (its return, or the order's outbound / reshipment) and its checkpoints."""

    tracking_number: str
    carrier: str | None
    direction: str | None  # outbound | return | None when the parcel was never registered
    status: str
    status_at: datetime | None
    checkpoints: tuple[TracePoint, ...] = ()


@dataclass(frozen=True)
class RefundVoucher:
    """A refund decided on the ticket and what the provider did with it."""

    grant_id: str
    payment_ref: str
    destination: str
    amount: Money
    granted_at: datetime
    status: str  # the latest attempt's mapped status (pending, succeeded, failed, ...), or "granted"
    provider_refund_id: str | None = None
    settled_by_platform: str | None = None


@dataclass(frozen=True)
class PolicyText:
    """The after-sales policy that applied to the ticket, as shown to the customer."""

    name: str
    version: str
    text: str
    language: str = "en"


@dataclass(frozen=True)
class MediaContent:
    content_type: str  # image/jpeg, image/png, ...
    content: bytes


@dataclass(frozen=True)
class Photo:
    media_id: str
    kind: str  # customer | inspection
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Gathered:
    """Everything one pack is built from."""

    dispute: Dispute
    ticket: Ticket
    ticket_entries: list[AuditEntry]
    messages: list[Message]
    parcels: list[ParcelTrace]
    refunds: list[RefundVoucher]
    photos: list[Photo]
    policy: PolicyText | None
    generated_at: datetime
    missing_media: list[str] = field(default_factory=list)  # asked for, but not readable (not ready, gone)


# ---------------------------------------------------------------------- the summary, laid out by a renderer
@dataclass(frozen=True)
class Row:
    label: str
    value: str


@dataclass(frozen=True)
class Section:
    title: str
    rows: tuple[Row, ...] = ()
    paragraphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class SummaryDocument:
    """summary.pdf as text in the ticket's language: a title, sections of label/value rows and
    paragraphs. The renderer (adapters/pdf_summary.py) only lays it out."""

    title: str
    language: str
    sections: tuple[Section, ...]
    footer: str
    created_at: datetime  # fixed in the PDF's metadata, so the same inputs give the same bytes


@dataclass(frozen=True)
class PackFile:
    name: str
    sha256: str
    size: int
    content_type: str


@dataclass(frozen=True)
class EvidencePack:
    filename: str  # evidence-<dispute id>.zip
    content: bytes
    files: tuple[PackFile, ...]  # every file but manifest.json, in ZIP order
    summary_pdf: bytes
    conversation_text: str
