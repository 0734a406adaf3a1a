"""Ports the media service needs; adapters in aftersales.adapters implement them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .model import Analysis, MediaItem, MediaType, ModerationResult


@dataclass(frozen=True)
class PresignedPost:
    """A browser form post for one file: POST `fields` (then the file) to `url`."""

    url: str
    fields: dict[str, str]
    expires_in: int


@dataclass(frozen=True)
class Similar:
    media_id: str
    customer_id: str | None
    phash: str


@dataclass(frozen=True)
class Inspected:
    """The decoded upload: its facts and, when it may be shown, the bytes to store (an image
    re-encoded without its EXIF location, or None: the file as uploaded) and a JPEG rendition for
    moderation (images only)."""

    analysis: Analysis
    clean: bytes | None = None
    clean_type: MediaType | None = None  # when the checked copy is stored as another type (HEIC -> JPEG)
    screenable: bytes | None = None


class MediaStore(Protocol):
    def create(self, item: MediaItem) -> None:
        """Raises Conflict when the id exists."""

    def get(self, tenant_id: str, media_id: str) -> MediaItem | None: ...

    def get_many(self, tenant_id: str, media_ids: list[str]) -> list[MediaItem | None]:
        """In the order asked."""

    def settle(self, item: MediaItem) -> None:
        """Write the checked item (and, when ready with a hash, its hash buckets) only if it is
        still pending; raises Conflict otherwise."""

    def similar(self, tenant_id: str, bucket: str, *, limit: int) -> list[Similar]:
        """Ready media indexed under one perceptual-hash bucket (a Query, never a Scan)."""


class MediaObjects(Protocol):
    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_in: int, *,
                       redirect: str | None = None) -> PresignedPost:
        """`redirect`: where S3 sends the browser after a successful plain-form post
        (success_action_redirect, pinned in the policy)."""

    def presign_download(self, key: str, expires_in: int) -> str: ...

    def read_upload(self, key: str, max_bytes: int) -> bytes:
        """At most `max_bytes` + 1 bytes of the upload (so an oversize file is seen as such)."""

    def store_checked(self, upload_key: str, key: str, content: bytes | None, content_type: str) -> None:
        """Write the checked copy (`content`, or the upload itself when None) at `key`."""

    def discard_upload(self, key: str) -> None: ...


class MediaInspector(Protocol):
    def inspect(self, kind: MediaType, content: bytes) -> Inspected: ...


class Moderation(Protocol):
    def screen(self, kind: MediaType, image: bytes | None) -> ModerationResult:
        """`image` is a JPEG or PNG rendition (None for videos)."""


class EvidenceTickets(Protocol):
    """The tickets context: attach a checked upload to the ticket it was uploaded for."""

    def attach_evidence(self, tenant_id: str, ticket_id: str, customer_id: str, media_id: str) -> None: ...
