"""The evidence pack's PackMedia over the media context: the media item (its store) says whether
an image is ready and where its checked copy lives (EXIF location removed); the bytes are one S3
GET of that copy from the media bucket. Anything else reads as None: the pack lists it as missing.
Client created on first use."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from aftersales.core.errors import Unavailable
from aftersales.disputes.pack_model import MediaContent
from aftersales.media.model import LIMITS, MediaStatus
from aftersales.media.ports import MediaStore


class S3PackMedia:
    def __init__(self, store: MediaStore, bucket: str) -> None:
        self._store = store
        self._bucket = bucket

    @cached_property
    def _s3(self) -> Any:
        import boto3

        return boto3.client("s3")

    def read(self, tenant_id: str, media_id: str) -> MediaContent | None:
        item = self._store.get(tenant_id, media_id)
        if item is None or item.status is not MediaStatus.READY or not item.content_type.is_image:
            return None
        from botocore.exceptions import ClientError

        limit = LIMITS[item.content_type].max_bytes
        try:
            body = self._s3.get_object(Bucket=self._bucket, Key=item.object_key, Range=f"bytes=0-{limit - 1}")["Body"]
            content = body.read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise Unavailable("media.storage_unavailable") from exc
        return MediaContent(content_type=item.content_type.value, content=content) if content else None
