"""The media rules (pure): who may upload what, the verdict on an upload, the one move out of
`pending`, what may be attached as a ticket's evidence, and the perceptual-hash buckets.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.core.clock import iso
from aftersales.core.errors import Conflict, Forbidden, InvalidRequest
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Role

from .model import (
    CUSTOMER_PURPOSES,
    LIMITS,
    Analysis,
    MediaItem,
    MediaMetadata,
    MediaStatus,
    MediaType,
    ModerationResult,
    Purpose,
    Rejection,
    Screening,
)

INSPECTION_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})  # who records inspections
ALLOWED_TYPES = tuple(t.value for t in MediaType)


def media_type(content_type: str) -> MediaType:
    try:
        return MediaType(content_type.strip().lower())
    except ValueError:
        raise InvalidRequest("media.type_not_allowed", field="content_type", allowed=list(ALLOWED_TYPES)) from None


def new_media(*, media_id: str, tenant_id: str, purpose: Purpose, content_type: str, size: int,
              customer_id: str | None, actor: Actor, at: datetime) -> MediaItem:
    """A pending item for a granted upload; refuses a type off the allow-list, a file over its
    type's limit and an owner the caller may not upload for."""
    kind = _sized(content_type, size)
    owner = _owner(purpose, customer_id, actor)
    return MediaItem(id=media_id, tenant_id=tenant_id, purpose=purpose, content_type=kind, declared_bytes=size,
                     customer_id=owner, uploaded_by=actor.id, created_at=iso(at))


def new_visit_photo(*, media_id: str, tenant_id: str, job_id: str, content_type: str, size: int, uploaded_by: str,
                    at: datetime) -> MediaItem:
    """A pending repair visit photo: no customer's, granted through a job the repairs context has
    checked is the uploader's (the provider's key has no ticket role to upload with), and kept for it."""
    kind = _sized(content_type, size)
    return MediaItem(id=media_id, tenant_id=tenant_id, purpose=Purpose.REPAIR_VISIT, content_type=kind,
                     declared_bytes=size, job_id=job_id, uploaded_by=uploaded_by, created_at=iso(at))


def _sized(content_type: str, size: int) -> MediaType:
    kind = media_type(content_type)
    limit = LIMITS[kind].max_bytes
    if size > limit:
        raise InvalidRequest("media.too_large", field="size", max_bytes=limit, content_type=kind.value)
    if size < 1:
        raise InvalidRequest("media.empty", field="size")
    return kind


def _owner(purpose: Purpose, customer_id: str | None, actor: Actor) -> str | None:
    if purpose is Purpose.REPAIR_VISIT:  # only through its job (new_visit_photo)
        raise Forbidden("error.role_not_permitted", purpose=purpose.value)
    if purpose not in CUSTOMER_PURPOSES:
        if not actor.roles & INSPECTION_ROLES:
            raise Forbidden("error.role_not_permitted", required=sorted(r.value for r in INSPECTION_ROLES))
        if customer_id is not None:
            raise InvalidRequest("media.customer_not_expected", field="customer_id", purpose=purpose.value)
        return None
    if actor.is_customer:
        if customer_id is not None and customer_id != actor.customer_id:
            raise InvalidRequest("media.customer_mismatch", field="customer_id")
        return actor.customer_id
    if customer_id is None:
        raise InvalidRequest("error.field_required", field="customer_id")
    return customer_id


def precheck(item: MediaItem, *, size: int, sniffed: MediaType | None) -> Rejection | None:
    """The checks before decoding: the stored size against the type's limit, the sniffed type
    against the declared one."""
    if size < 1:
        return Rejection.EMPTY
    if size > LIMITS[item.content_type].max_bytes:
        return Rejection.TOO_LARGE
    if sniffed is None:
        return Rejection.UNKNOWN_TYPE
    if sniffed is not item.content_type:
        return Rejection.TYPE_MISMATCH
    return None


def examined(kind: MediaType, analysis: Analysis) -> Rejection | None:
    """The decoded file against the type's dimension / duration limits."""
    limits = LIMITS[kind]
    if analysis.error is not None:
        return Rejection.UNDECODABLE
    if kind.is_image:
        if analysis.width is None or analysis.height is None:
            return Rejection.UNDECODABLE
        if (max(analysis.width, analysis.height) > (limits.max_side or 0)
                or analysis.width * analysis.height > (limits.max_pixels or 0)):
            return Rejection.DIMENSIONS_EXCEEDED
        return None
    if analysis.duration_s is None:
        return Rejection.UNDECODABLE
    return Rejection.DURATION_EXCEEDED if analysis.duration_s > (limits.max_duration_s or 0) else None


def screened(moderation: ModerationResult) -> Rejection | None:
    """Flagged by the moderation provider: rejected. Not screened: left to the rest of the pipeline
    (the item is ready, its metadata says nobody screened it)."""
    return Rejection.MODERATION_FLAGGED if moderation.screening is Screening.FLAGGED else None


def settle(item: MediaItem, *, size: int, reason: Rejection | None, analysis: Analysis | None,
           moderation: ModerationResult | None, at: datetime, stored_type: MediaType | None = None) -> MediaItem:
    """pending -> ready | rejected, once. `stored_type`: the checked copy's type when not the upload's."""
    if item.status is not MediaStatus.PENDING:
        raise Conflict("media.already_checked", media_id=item.id, status=item.status.value)
    a = analysis or Analysis()
    m = moderation or ModerationResult(screening=Screening.NOT_SCREENED)
    metadata = MediaMetadata(bytes=size, width=a.width, height=a.height, duration_s=a.duration_s,
                             phash=a.phash if reason is None else None, gps_removed=a.gps_removed,
                             screening=m.screening, moderation_labels=m.labels,
                             stored_type=(stored_type or item.content_type) if reason is None else None)
    return item.model_copy(update={"status": MediaStatus.REJECTED if reason else MediaStatus.READY,
                                   "reason": reason, "metadata": metadata, "checked_at": iso(at)})


def can_view(item: MediaItem, actor: Actor) -> bool:
    """A customer sees only their own media; staff and the storefront see the tenant's."""
    return not actor.is_customer or (item.customer_id is not None and item.customer_id == actor.customer_id)


MAX_EVIDENCE = 20  # media per ticket


def check_evidence_count(count: int, field: str = "media_ids") -> None:
    if count > MAX_EVIDENCE:
        raise InvalidRequest("media.too_many", field=field, max=MAX_EVIDENCE)


def check_evidence(items: list[MediaItem | None], customer_id: str, field: str = "media_ids",
                   purpose: Purpose = Purpose.TICKET_EVIDENCE) -> None:
    """Evidence for a ticket (or a review's photos, `purpose` review): the customer's own ready
    media of that purpose, each once. `items` are the looked-up ids in request order (None: not
    found in this tenant)."""
    check_evidence_count(len(items), field)
    seen: set[str] = set()
    for index, item in enumerate(items):
        at = f"{field}[{index}]"
        if item is None or item.customer_id != customer_id:
            raise InvalidRequest("media.unknown", field=at)  # another customer's media: as if absent
        if item.id in seen:
            raise InvalidRequest("media.duplicate", field=at, media_id=item.id)
        seen.add(item.id)
        if item.purpose is not purpose:
            raise InvalidRequest("media.wrong_purpose", field=at, media_id=item.id, purpose=item.purpose.value)
        if item.status is not MediaStatus.READY:
            raise InvalidRequest("media.not_ready", field=at, media_id=item.id, status=item.status.value)


def check_inspection(items: list[MediaItem | None], field: str = "media_ids") -> None:
    """The warehouse's photos of an inspection: ready inspection media of the tenant, each once."""
    check_evidence_count(len(items), field)
    seen: set[str] = set()
    for index, item in enumerate(items):
        at = f"{field}[{index}]"
        if item is None:
            raise InvalidRequest("media.unknown", field=at)
        if item.id in seen:
            raise InvalidRequest("media.duplicate", field=at, media_id=item.id)
        seen.add(item.id)
        if item.purpose is not Purpose.INSPECTION:
            raise InvalidRequest("media.wrong_purpose_inspection", field=at, media_id=item.id,
                                 purpose=item.purpose.value)
        if item.status is not MediaStatus.READY:
            raise InvalidRequest("media.not_ready", field=at, media_id=item.id, status=item.status.value)


def check_visit_photos(items: list[MediaItem | None], job_id: str, field: str = "media_ids") -> None:
    """A repair check-in's photos: ready `repair_visit` media granted through this job (an id named
    twice is the same photo). Anything else reads as unknown, as another customer's evidence does:
    the provider's key learns nothing of the tenant's other media."""
    for index, item in enumerate(items):
        at = f"{field}[{index}]"
        if item is None or item.purpose is not Purpose.REPAIR_VISIT or item.job_id != job_id:
            raise InvalidRequest("media.unknown", field=at)
        if item.status is not MediaStatus.READY:
            raise InvalidRequest("media.not_ready", field=at, media_id=item.id, status=item.status.value)


# ---------------------------------------------------------------------- perceptual-hash buckets
PHASH_BANDS = 4  # 64 bits in four 16-bit bands
NEAR_DISTANCE = 3  # bits; with four bands, two hashes this close share at least one band exactly


def phash_bands(phash: str) -> list[str]:
    """The buckets a hash is indexed under: `<band index>:<4 hex digits>`. Two hashes within
    NEAR_DISTANCE bits differ in at most 3 bands, so they share a bucket (pigeonhole)."""
    width = len(phash) // PHASH_BANDS
    return [f"{i}:{phash[i * width:(i + 1) * width]}" for i in range(PHASH_BANDS)]


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()
