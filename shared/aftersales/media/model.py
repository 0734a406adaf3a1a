"""Media items and the limits they are checked against (pure).

A media item is created `pending` when an upload is granted, and ends `ready` (checked, shown) or
`rejected` (with a reason code); nothing leaves `ready` or `rejected`. The allow-list and the
limits per type are the product's: the POST policy enforces the size, the check enforces the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import ConfigDict, Field

from aftersales.core.model import DomainModel


class MediaType(StrEnum):
    JPEG = "image/jpeg"
    PNG = "image/png"
    WEBP = "image/webp"
    HEIC = "image/heic"
    MP4 = "video/mp4"

    @property
    def is_image(self) -> bool:
        return self is not MediaType.MP4


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_side: int | None = None  # pixels, images
    max_pixels: int | None = None  # width * height, images (decompression bombs)
    max_duration_s: float | None = None  # videos


MB = 1024 * 1024
LIMITS: dict[MediaType, Limits] = {
    MediaType.JPEG: Limits(max_bytes=15 * MB, max_side=10_000, max_pixels=50_000_000),
    MediaType.PNG: Limits(max_bytes=15 * MB, max_side=10_000, max_pixels=50_000_000),
    MediaType.WEBP: Limits(max_bytes=15 * MB, max_side=10_000, max_pixels=50_000_000),
    MediaType.HEIC: Limits(max_bytes=15 * MB, max_side=10_000, max_pixels=50_000_000),
    MediaType.MP4: Limits(max_bytes=100 * MB, max_duration_s=120.0),
}


class Purpose(StrEnum):
    TICKET_EVIDENCE = "ticket_evidence"  # a customer's photos or video of the problem
    INSPECTION = "inspection"  # warehouse photos of what came back (staff)
    REVIEW = "review"  # a customer's product review
    REPAIR_VISIT = "repair_visit"  # a repair technician's photos of the visit (granted through the job)


CUSTOMER_PURPOSES = frozenset({Purpose.TICKET_EVIDENCE, Purpose.REVIEW})


class MediaStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    REJECTED = "rejected"


class Rejection(StrEnum):
    """Reason codes of a rejected upload (stable, machine-readable; message ids `media.rejected.<code>`)."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    UNKNOWN_TYPE = "unknown_type"  # the bytes are none of the allowed types
    TYPE_MISMATCH = "type_mismatch"  # an allowed type, but not the one declared
    UNDECODABLE = "undecodable"
    DIMENSIONS_EXCEEDED = "dimensions_exceeded"
    DURATION_EXCEEDED = "duration_exceeded"
    MODERATION_FLAGGED = "moderation_flagged"


class Screening(StrEnum):
    PASSED = "passed"  # a moderation provider looked and found nothing blocking
    FLAGGED = "flagged"
    NOT_SCREENED = "not_screened"  # no provider looked (local stack, videos): the rest of the pipeline decides


class _Frozen(DomainModel):
    model_config = ConfigDict(frozen=True)


class ModerationResult(_Frozen):
    screening: Screening
    labels: tuple[str, ...] = ()  # provider label names at or over its confidence threshold
    provider: str | None = None


class Analysis(_Frozen):
    """What decoding the bytes found (the inspector port)."""

    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    phash: str | None = None  # 64-bit perceptual hash, 16 hex digits (images)
    gps_removed: bool = False
    error: str | None = None  # why it could not be decoded


class MediaMetadata(_Frozen):
    bytes: int
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    phash: str | None = None
    gps_removed: bool = False
    screening: Screening = Screening.NOT_SCREENED
    moderation_labels: tuple[str, ...] = ()
    stored_type: MediaType | None = None  # the checked copy's type (a HEIC upload is stored as JPEG)


class MediaItem(_Frozen):
    id: str
    tenant_id: str
    purpose: Purpose
    content_type: MediaType
    declared_bytes: int = Field(ge=1)
    customer_id: str | None = None  # whose media it is (evidence and reviews); None for inspection photos
    ticket_id: str | None = None  # evidence uploaded for a ticket (the tracking page): attached once ready
    job_id: str | None = None  # a repair visit photo: the job it was granted through (only its check-in names it)
    uploaded_by: str  # the actor that asked for the upload
    status: MediaStatus = MediaStatus.PENDING
    reason: Rejection | None = None
    metadata: MediaMetadata | None = None
    created_at: str
    checked_at: str | None = None

    @property
    def upload_key(self) -> str:
        return upload_key(self.tenant_id, self.id)

    @property
    def object_key(self) -> str:
        """Where the checked copy lives (EXIF location removed); the only key ever shown."""
        return f"media/{self.tenant_id}/{self.id}"


UPLOAD_PREFIX = "uploads/"


def upload_key(tenant_id: str, media_id: str) -> str:
    """Uploads land under a per-tenant prefix; the S3 event filter watches `uploads/` only, so the
    checked copies the function writes under `media/` never trigger it again."""
    return f"{UPLOAD_PREFIX}{tenant_id}/{media_id}"


def parse_upload_key(key: str) -> tuple[str, str] | None:
    """(tenant_id, media_id) of an upload key, or None for any other key."""
    if not key.startswith(UPLOAD_PREFIX):
        return None
    parts = key.removeprefix(UPLOAD_PREFIX).split("/")
    if len(parts) != 2 or not all(parts):
        return None
    return parts[0], parts[1]
