"""The media context's ports over dicts, with the adapters' rules: an id is created once, an item
is settled only while pending (and then indexed under its hash buckets), the bucket keeps uploads
and checked copies apart, moderation answers what the test asks."""

from __future__ import annotations

from aftersales.core.errors import Conflict
from aftersales.media.domain import phash_bands
from aftersales.media.model import MediaItem, MediaStatus, MediaType, ModerationResult, Screening
from aftersales.media.ports import PresignedPost, Similar


class InMemoryMediaStore:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], MediaItem] = {}
        self.buckets: dict[tuple[str, str], dict[str, Similar]] = {}
        self.batches: list[list[str]] = []  # the ids of each get_many (one batch read on DynamoDB)

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, media_id: object) -> bool:
        return any(key[1] == media_id for key in self.items)

    def create(self, item: MediaItem) -> None:
        if (item.tenant_id, item.id) in self.items:
            raise Conflict("media.exists", media_id=item.id)
        self.items[(item.tenant_id, item.id)] = item

    def get(self, tenant_id: str, media_id: str) -> MediaItem | None:
        return self.items.get((tenant_id, media_id))

    def get_many(self, tenant_id: str, media_ids: list[str]) -> list[MediaItem | None]:
        self.batches.append(list(media_ids))
        return [self.items.get((tenant_id, m)) for m in media_ids]

    def settle(self, item: MediaItem) -> None:
        current = self.items.get((item.tenant_id, item.id))
        if current is None or current.status is not MediaStatus.PENDING:
            raise Conflict("media.already_checked", media_id=item.id)
        self.items[(item.tenant_id, item.id)] = item
        phash = item.metadata.phash if item.metadata else None
        if item.status is MediaStatus.READY and phash:
            for bucket in phash_bands(phash):
                self.buckets.setdefault((item.tenant_id, bucket), {})[item.id] = Similar(item.id, item.customer_id,
                                                                                         phash)

    def similar(self, tenant_id: str, bucket: str, *, limit: int) -> list[Similar]:
        return sorted(self.buckets.get((tenant_id, bucket), {}).values(), key=lambda s: s.media_id)[:limit]


class InMemoryMediaObjects:
    """`uploads` is what clients posted (the test puts bytes there), `checked` what the check wrote."""

    def __init__(self) -> None:
        self.uploads: dict[str, bytes] = {}
        self.checked: dict[str, tuple[bytes, str]] = {}
        self.policies: dict[str, tuple[str, int]] = {}  # key -> (Content-Type, max bytes) of the grant

    def __len__(self) -> int:
        return len(self.checked)

    def __contains__(self, key: object) -> bool:
        return key in self.checked

    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_in: int, *,
                       redirect: str | None = None) -> PresignedPost:
        self.policies[key] = (content_type, max_bytes)
        fields = {"key": key, "Content-Type": content_type}
        if redirect:
            fields["success_action_redirect"] = redirect
        return PresignedPost(url="https://media.example/upload", fields=fields, expires_in=expires_in)

    def presign_download(self, key: str, expires_in: int) -> str:
        if key not in self.checked:
            raise AssertionError(f"presigned a key that was never written: {key}")
        return f"https://media.example/{key}?expires={expires_in}"

    def read_upload(self, key: str, max_bytes: int) -> bytes:
        return self.uploads.get(key, b"")[:max_bytes + 1]

    def store_checked(self, upload_key: str, key: str, content: bytes | None, content_type: str) -> None:
        self.checked[key] = (self.uploads[upload_key] if content is None else content, content_type)

    def discard_upload(self, key: str) -> None:
        self.uploads.pop(key, None)


class ScriptedModeration:
    """Answers `screening` for images (NOT_SCREENED for videos) and records what it was shown."""

    def __init__(self, screening: Screening = Screening.PASSED, labels: tuple[str, ...] = ()) -> None:
        self.screening, self.labels = screening, labels
        self.seen: list[MediaType] = []

    def __len__(self) -> int:
        return len(self.seen)

    def __contains__(self, kind: object) -> bool:
        return kind in self.seen

    def screen(self, kind: MediaType, image: bytes | None) -> ModerationResult:
        self.seen.append(kind)
        if image is None:
            return ModerationResult(screening=Screening.NOT_SCREENED)
        return ModerationResult(screening=self.screening, labels=self.labels, provider="scripted")
