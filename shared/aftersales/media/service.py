"""Media use cases: grant an upload (a presigned POST and a pending item), check what arrived
(the S3-event function), show a checked item, vouch for a ticket's evidence, find near-duplicates.

The check reads the upload once, sniffs its real type, decodes it (dimensions or duration, EXIF
location removed, perceptual hash), screens it for moderation and writes the checked copy under
`media/`; only that copy is ever presigned for reading, and only when the item is ready. The
upload itself is deleted once checked (the bucket's lifecycle rule removes any left behind).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aws_lambda_powertools import Logger

from aftersales.core.clock import Clock
from aftersales.core.errors import Conflict, InvalidRequest, NotFound
from aftersales.core.ids import new_id
from aftersales.tickets.domain import Actor

from . import domain
from .model import LIMITS, MediaItem, MediaStatus, Purpose, upload_key
from .ports import EvidenceTickets, MediaInspector, MediaObjects, MediaStore, Moderation, PresignedPost
from .sniff import SNIFF_BYTES, sniff

logger = Logger(child=True)

UPLOAD_EXPIRES_S = 300  # the presigned POST
DOWNLOAD_EXPIRES_S = 300  # the presigned GET of a ready item


@dataclass(frozen=True)
class Grant:
    item: MediaItem
    upload: PresignedPost


@dataclass(frozen=True)
class Shown:
    item: MediaItem
    url: str | None  # only for a ready item
    expires_in: int | None


@dataclass(frozen=True)
class NearDuplicate:
    media_id: str
    customer_id: str | None
    distance: int


class MediaService:
    def __init__(self, store: MediaStore, objects: MediaObjects, inspector: MediaInspector,
                 moderation: Moderation, clock: Clock, id_factory: Callable[[], str] | None = None, *,
                 tickets: EvidenceTickets | None = None) -> None:
        self._store = store
        self._tickets = tickets
        self._objects = objects
        self._inspector = inspector
        self._moderation = moderation
        self._clock = clock
        self._new_id = id_factory or (lambda: new_id("med", self._clock.now()))

    # ------------------------------------------------------------------ upload
    def request_upload(self, tenant_id: str, actor: Actor, *, purpose: Purpose, content_type: str, size: int,
                       customer_id: str | None = None, ticket_id: str | None = None,
                       redirect: str | None = None) -> Grant:
        """`ticket_id`: evidence for that ticket, attached by the check once ready (the caller has
        verified the ticket is the customer's); `redirect`: a plain HTML form's way back."""
        item = domain.new_media(media_id=self._new_id(), tenant_id=tenant_id, purpose=purpose,
                                content_type=content_type, size=size, customer_id=customer_id, actor=actor,
                                at=self._clock.now())
        if ticket_id is not None:
            item = item.model_copy(update={"ticket_id": ticket_id})
        return self._granted(item, redirect)

    def request_visit_photo(self, tenant_id: str, *, job_id: str, uploaded_by: str, content_type: str, size: int,
                            redirect: str | None = None) -> Grant:
        """A repair visit photo (the repairs context's VisitPhotos): the caller has checked the job
        is the uploader's; the item keeps the job, whose check-in alone may name it."""
        return self._granted(domain.new_visit_photo(media_id=self._new_id(), tenant_id=tenant_id, job_id=job_id,
                                                    content_type=content_type, size=size, uploaded_by=uploaded_by,
                                                    at=self._clock.now()), redirect)

    def _granted(self, item: MediaItem, redirect: str | None) -> Grant:
        upload = self._objects.presign_upload(item.upload_key, item.content_type.value,
                                              LIMITS[item.content_type].max_bytes, UPLOAD_EXPIRES_S, redirect=redirect)
        self._store.create(item)
        return Grant(item=item, upload=upload)

    # ------------------------------------------------------------------ check (S3 event)
    def check_upload(self, tenant_id: str, media_id: str, size: int) -> str:
        """What happened: ready | rejected:<reason> | already_checked | unknown."""
        item = self._store.get(tenant_id, media_id)
        if item is None:
            self._objects.discard_upload(upload_key(tenant_id, media_id))
            return "unknown"  # no grant behind it: nothing to mark, nothing kept
        if item.status is not MediaStatus.PENDING:
            if item.status is MediaStatus.READY:
                self._attach(item)  # a redelivery after a failed attach: attaching is idempotent
            return "already_checked"
        limits = LIMITS[item.content_type]
        content = b"" if size > limits.max_bytes else self._objects.read_upload(item.upload_key, limits.max_bytes)
        size = max(size, len(content))
        reason = domain.precheck(item, size=size, sniffed=sniff(content[:SNIFF_BYTES]) if content else None)
        inspected = moderation = None
        if reason is None:
            inspected = self._inspector.inspect(item.content_type, content)
            reason = domain.examined(item.content_type, inspected.analysis)
        if reason is None and inspected is not None:
            moderation = self._moderation.screen(item.content_type, inspected.screenable)
            reason = domain.screened(moderation)
        stored_type = (inspected.clean_type if inspected else None) or item.content_type
        checked = domain.settle(item, size=size, reason=reason, analysis=inspected.analysis if inspected else None,
                                moderation=moderation, at=self._clock.now(), stored_type=stored_type)
        if reason is None and inspected is not None:
            self._objects.store_checked(item.upload_key, item.object_key, inspected.clean, stored_type.value)
        try:
            self._store.settle(checked)
        except Conflict:
            return "already_checked"  # a redelivered event checked it meanwhile
        self._objects.discard_upload(item.upload_key)
        if reason is None:
            self._attach(item)
        outcome = "ready" if reason is None else f"rejected:{reason.value}"
        logger.info("media checked", extra={"tenant_id": tenant_id, "media_id": media_id, "outcome": outcome,
                                            "content_type": item.content_type.value,
                                            "screening": checked.metadata.screening.value if checked.metadata
                                            else None})
        return outcome

    def _attach(self, item: MediaItem) -> None:
        """Evidence uploaded for a ticket joins it once ready. A ticket closed or gone meanwhile
        keeps none (logged); any other failure raises for the event's retry, which comes back here."""
        if not (item.ticket_id and item.customer_id and self._tickets is not None):
            return
        try:
            self._tickets.attach_evidence(item.tenant_id, item.ticket_id, item.customer_id, item.id)
        except (Conflict, NotFound, InvalidRequest) as exc:  # closed, gone, or at its evidence limit
            logger.warning("checked evidence not attached", extra={"tenant_id": item.tenant_id,
                                                                   "media_id": item.id, "reason": exc.code})

    # ------------------------------------------------------------------ read
    def get(self, tenant_id: str, media_id: str, actor: Actor) -> Shown:
        item = self._store.get(tenant_id, media_id)
        if item is None or not domain.can_view(item, actor):
            raise NotFound("media.not_found", media_id=media_id)
        if item.status is not MediaStatus.READY:
            return Shown(item=item, url=None, expires_in=None)
        return Shown(item=item, url=self._objects.presign_download(item.object_key, DOWNLOAD_EXPIRES_S),
                     expires_in=DOWNLOAD_EXPIRES_S)

    # ------------------------------------------------------------------ tickets (the tickets context's EvidenceMedia)
    def check_evidence(self, tenant_id: str, customer_id: str, media_ids: list[str]) -> None:
        """422 at `media_ids[i]` unless every id is the customer's own ready evidence media."""
        domain.check_evidence_count(len(media_ids))
        domain.check_evidence(self._store.get_many(tenant_id, media_ids) if media_ids else [], customer_id)

    # ------------------------------------------------------------------ reviews (the reviews context's ReviewMedia)
    def check_review_media(self, tenant_id: str, customer_id: str, media_ids: list[str]) -> None:
        """422 at `media_ids[i]` unless every id is the customer's own ready review media."""
        domain.check_evidence_count(len(media_ids))
        domain.check_evidence(self._store.get_many(tenant_id, media_ids) if media_ids else [], customer_id,
                              purpose=Purpose.REVIEW)

    def show_review_media(self, tenant_id: str, media_ids: Sequence[str]) -> list[Shown]:
        """The ready review media among `media_ids` (one batch read), in the order asked, each with a
        presigned download URL (signed here, no AWS request); pending, rejected or unknown ids are
        left out. Who may see them is the review's rule, applied by the reviews context."""
        unique = list(dict.fromkeys(media_ids))
        items = self._store.get_many(tenant_id, unique) if unique else []
        return [Shown(item=item, url=self._objects.presign_download(item.object_key, DOWNLOAD_EXPIRES_S),
                      expires_in=DOWNLOAD_EXPIRES_S)
                for item in items
                if item is not None and item.status is MediaStatus.READY and item.purpose is Purpose.REVIEW]

    # ------------------------------------------------------------------ returns (the inspection's InspectionMedia)
    def check_inspection(self, tenant_id: str, media_ids: list[str]) -> None:
        """422 at `media_ids[i]` unless every id is ready inspection media of the tenant."""
        domain.check_evidence_count(len(media_ids))
        domain.check_inspection(self._store.get_many(tenant_id, media_ids) if media_ids else [])

    # ------------------------------------------------------------------ repairs (the check-in's VisitPhotoChecks)
    def check_visit_photos(self, tenant_id: str, job_id: str, media_ids: list[str]) -> None:
        """422 at `media_ids[i]` unless every id is a ready visit photo of the tenant granted through the job."""
        domain.check_evidence_count(len(media_ids))
        domain.check_visit_photos(self._store.get_many(tenant_id, media_ids) if media_ids else [], job_id)

    # ------------------------------------------------------------------ fraud signal
    def near_duplicates(self, tenant_id: str, media_id: str, *, max_distance: int = domain.NEAR_DISTANCE,
                        other_customers_only: bool = True, limit: int = 50) -> list[NearDuplicate]:
        """Ready media of the tenant whose perceptual hash is within `max_distance` bits of this
        item's (at most NEAR_DISTANCE: the buckets guarantee no miss up to there), nearest first."""
        item = self._store.get(tenant_id, media_id)
        if item is None:
            raise NotFound("media.not_found", media_id=media_id)
        phash = item.metadata.phash if item.metadata else None
        if phash is None:
            return []
        found: dict[str, NearDuplicate] = {}
        for bucket in domain.phash_bands(phash):
            for other in self._store.similar(tenant_id, bucket, limit=limit):
                if other.media_id == media_id or other.media_id in found:
                    continue
                if other_customers_only and other.customer_id == item.customer_id:
                    continue
                distance = domain.hamming(phash, other.phash)
                if distance <= min(max_distance, domain.NEAR_DISTANCE):
                    found[other.media_id] = NearDuplicate(other.media_id, other.customer_id, distance)
        return sorted(found.values(), key=lambda d: (d.distance, d.media_id))[:limit]

