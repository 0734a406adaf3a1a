"""The evidence pack's media reader on moto's S3: GIVEN media items in the media store WHEN the pack
reads them THEN a ready image's checked copy comes back as bytes with its type, and a pending or
rejected item, a video, another tenant's id or a checked copy that is gone read as None (the pack
lists those as missing)."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from aftersales.adapters.s3_pack_media import S3PackMedia
from aftersales.media.model import MediaItem, MediaStatus, MediaType, Purpose
from tests.support.environment import FAKE_AWS
from tests.support.fakes.media import InMemoryMediaStore
from tests.support.media_files import image_bytes

BUCKET = "media-bucket"


def _item(media_id: str, *, status=MediaStatus.READY, kind=MediaType.JPEG, tenant="acme") -> MediaItem:
    return MediaItem(id=media_id, tenant_id=tenant, purpose=Purpose.TICKET_EVIDENCE, content_type=kind,
                     declared_bytes=100, customer_id="cust-1", uploaded_by="cust-1", status=status,
                     created_at="2026-12-02T08:00:00.000Z")


@pytest.fixture
def media(monkeypatch):
    for key, value in FAKE_AWS.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET)  # FAKE_AWS is us-east-1
        store = InMemoryMediaStore()
        yield store, s3


def test_a_ready_image_is_read_from_its_checked_copy_and_anything_else_is_none(media):
    store, s3 = media
    photo = image_bytes("JPEG")
    for item in (_item("med-ready"), _item("med-pending", status=MediaStatus.PENDING),
                 _item("med-rejected", status=MediaStatus.REJECTED), _item("med-video", kind=MediaType.MP4),
                 _item("med-gone"), _item("med-other", tenant="globex")):
        store.create(item)
        if item.id != "med-gone":
            s3.put_object(Bucket=BUCKET, Key=item.object_key, Body=photo)
    reader = S3PackMedia(store, BUCKET)

    content = reader.read("acme", "med-ready")

    assert content is not None and content.content == photo and content.content_type == "image/jpeg"
    for media_id in ("med-pending", "med-rejected", "med-video", "med-gone", "med-other", "med-unknown"):
        assert reader.read("acme", media_id) is None, media_id
