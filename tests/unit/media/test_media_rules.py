"""The media rules: the real type from the magic bytes (tiny real files made with Pillow here),
the allow-list and size limit per type, who may upload for whom, the checks on dimensions and
duration, the one move out of pending, what may be a ticket's evidence, and the hash buckets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.core.errors import Conflict, Forbidden, InvalidRequest
from aftersales.media import domain
from aftersales.media.model import (
    LIMITS,
    Analysis,
    MediaStatus,
    MediaType,
    ModerationResult,
    Purpose,
    Rejection,
    Screening,
    parse_upload_key,
    upload_key,
)
from aftersales.media.sniff import sniff
from tests.support.media_files import image_bytes, mp4_bytes
from tests.support.ticket_factories import AGENT, CUSTOMER, STOREFRONT

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def item(kind: MediaType = MediaType.JPEG, *, purpose: Purpose = Purpose.TICKET_EVIDENCE, customer="cust-1",
         media_id: str = "med_1"):
    return domain.new_media(media_id=media_id, tenant_id="acme", purpose=purpose, content_type=kind.value, size=1000,
                            customer_id=customer if purpose is not Purpose.INSPECTION else None,
                            actor=AGENT, at=NOW)


# ---------------------------------------------------------------------- sniffing
@pytest.mark.parametrize(("fmt", "kind"), [("JPEG", MediaType.JPEG), ("PNG", MediaType.PNG),
                                           ("WEBP", MediaType.WEBP), ("HEIF", MediaType.HEIC)])
def test_the_real_type_of_an_image_comes_from_its_first_bytes(fmt, kind):
    assert sniff(image_bytes(fmt)[:64]) is kind


def test_an_mp4_is_told_from_a_heic_by_its_brand():
    assert sniff(mp4_bytes()[:64]) is MediaType.MP4


@pytest.mark.parametrize("head", [
    b"GIF89a\x01\x00\x01\x00", b"%PDF-1.7\n", b"hello world, not an image", b"",
    b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ",  # QuickTime .mov: not on the allow-list
    b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf",  # AVIF (generic HEIF brand, no HEVC brand)
    b"RIFF\x24\x00\x00\x00WAVEfmt ",  # a RIFF that is not WebP
])
def test_anything_else_is_no_allowed_type(head):
    assert sniff(head) is None


def test_a_generic_heif_brand_with_a_heic_compatible_brand_is_heic():
    assert sniff(b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic") is MediaType.HEIC


# ---------------------------------------------------------------------- granting an upload
@pytest.mark.parametrize("kind", list(MediaType))
def test_each_type_is_granted_up_to_its_own_size_limit(kind):
    limit = LIMITS[kind].max_bytes
    granted = domain.new_media(media_id="med_1", tenant_id="acme", purpose=Purpose.TICKET_EVIDENCE,
                               content_type=kind.value, size=limit, customer_id=None, actor=CUSTOMER, at=NOW)
    assert granted.status is MediaStatus.PENDING and granted.customer_id == "cust-1"
    with pytest.raises(InvalidRequest) as refused:
        domain.new_media(media_id="med_2", tenant_id="acme", purpose=Purpose.TICKET_EVIDENCE,
                         content_type=kind.value, size=limit + 1, customer_id=None, actor=CUSTOMER, at=NOW)
    assert refused.value.details["field"] == "size" and refused.value.message_id == "media.too_large"


def test_videos_may_be_larger_than_images():
    assert LIMITS[MediaType.MP4].max_bytes > LIMITS[MediaType.JPEG].max_bytes


@pytest.mark.parametrize("content_type", ["image/gif", "application/pdf", "video/quicktime", "image/svg+xml"])
def test_a_type_off_the_allow_list_is_refused_at_content_type(content_type):
    with pytest.raises(InvalidRequest) as refused:
        domain.new_media(media_id="m", tenant_id="acme", purpose=Purpose.REVIEW, content_type=content_type,
                         size=10, customer_id=None, actor=CUSTOMER, at=NOW)
    assert refused.value.details["field"] == "content_type"
    assert "image/heic" in refused.value.details["allowed"]


def test_a_customer_uploads_only_their_own_media():
    with pytest.raises(InvalidRequest) as refused:
        domain.new_media(media_id="m", tenant_id="acme", purpose=Purpose.TICKET_EVIDENCE, content_type="image/png",
                         size=10, customer_id="cust-2", actor=CUSTOMER, at=NOW)
    assert refused.value.details["field"] == "customer_id"


def test_the_storefront_names_the_customer_of_evidence():
    with pytest.raises(InvalidRequest) as refused:
        domain.new_media(media_id="m", tenant_id="acme", purpose=Purpose.TICKET_EVIDENCE, content_type="image/png",
                         size=10, customer_id=None, actor=STOREFRONT, at=NOW)
    assert refused.value.details["field"] == "customer_id"
    named = domain.new_media(media_id="m", tenant_id="acme", purpose=Purpose.TICKET_EVIDENCE,
                             content_type="image/png", size=10, customer_id="cust-9", actor=STOREFRONT, at=NOW)
    assert named.customer_id == "cust-9" and named.uploaded_by == STOREFRONT.id


def test_inspection_photos_are_the_warehouse_staffs_and_belong_to_no_customer():
    for who in (CUSTOMER, STOREFRONT):
        with pytest.raises(Forbidden):
            domain.new_media(media_id="m", tenant_id="acme", purpose=Purpose.INSPECTION, content_type="image/jpeg",
                             size=10, customer_id=None, actor=who, at=NOW)
    assert item(purpose=Purpose.INSPECTION).customer_id is None


def test_upload_keys_are_per_tenant_and_nothing_else_parses_as_one():
    assert upload_key("acme", "med_1") == "uploads/acme/med_1"
    assert parse_upload_key("uploads/acme/med_1") == ("acme", "med_1")
    for other in ("media/acme/med_1", "uploads/acme", "uploads/acme/med_1/x", "uploads//med_1"):
        assert parse_upload_key(other) is None


# ---------------------------------------------------------------------- the checks
def test_the_precheck_refuses_empty_oversize_unknown_and_mismatched_files():
    jpeg = item()
    assert domain.precheck(jpeg, size=0, sniffed=MediaType.JPEG) is Rejection.EMPTY
    assert domain.precheck(jpeg, size=LIMITS[MediaType.JPEG].max_bytes + 1, sniffed=MediaType.JPEG) \
        is Rejection.TOO_LARGE
    assert domain.precheck(jpeg, size=100, sniffed=None) is Rejection.UNKNOWN_TYPE
    assert domain.precheck(jpeg, size=100, sniffed=MediaType.PNG) is Rejection.TYPE_MISMATCH
    assert domain.precheck(jpeg, size=100, sniffed=MediaType.JPEG) is None


def test_images_are_held_to_their_dimensions_and_videos_to_their_duration():
    side = LIMITS[MediaType.PNG].max_side
    assert domain.examined(MediaType.PNG, Analysis(width=side, height=10)) is None
    assert domain.examined(MediaType.PNG, Analysis(width=side + 1, height=10)) is Rejection.DIMENSIONS_EXCEEDED
    assert domain.examined(MediaType.PNG, Analysis(width=9000, height=9000)) is Rejection.DIMENSIONS_EXCEEDED
    assert domain.examined(MediaType.PNG, Analysis(error="OSError")) is Rejection.UNDECODABLE
    longest = LIMITS[MediaType.MP4].max_duration_s
    assert domain.examined(MediaType.MP4, Analysis(duration_s=longest)) is None
    assert domain.examined(MediaType.MP4, Analysis(duration_s=longest + 0.5)) is Rejection.DURATION_EXCEEDED
    assert domain.examined(MediaType.MP4, Analysis()) is Rejection.UNDECODABLE


def test_only_a_flag_rejects_and_not_screened_leaves_the_decision_to_the_pipeline():
    assert domain.screened(ModerationResult(screening=Screening.FLAGGED)) is Rejection.MODERATION_FLAGGED
    assert domain.screened(ModerationResult(screening=Screening.PASSED)) is None
    assert domain.screened(ModerationResult(screening=Screening.NOT_SCREENED)) is None


def test_an_item_leaves_pending_once():
    ready = domain.settle(item(), size=1000, reason=None, analysis=Analysis(width=4, height=3, phash="0" * 16),
                          moderation=None, at=NOW)
    assert ready.status is MediaStatus.READY and ready.metadata.screening is Screening.NOT_SCREENED
    assert ready.checked_at == "2026-12-02T09:00:00.000Z"
    rejected = domain.settle(item(), size=1000, reason=Rejection.TYPE_MISMATCH, analysis=None, moderation=None,
                             at=NOW)
    assert rejected.status is MediaStatus.REJECTED and rejected.reason is Rejection.TYPE_MISMATCH
    for done in (ready, rejected):
        with pytest.raises(Conflict):
            domain.settle(done, size=1000, reason=None, analysis=None, moderation=None, at=NOW)


def test_a_rejected_item_keeps_no_hash_to_match_against():
    rejected = domain.settle(item(), size=1000, reason=Rejection.MODERATION_FLAGGED,
                             analysis=Analysis(width=4, height=3, phash="f" * 16), moderation=None, at=NOW)
    assert rejected.metadata.phash is None


# ---------------------------------------------------------------------- evidence
def _ready(media_id: str, customer: str = "cust-1", purpose: Purpose = Purpose.TICKET_EVIDENCE):
    return domain.settle(item(purpose=purpose, customer=customer, media_id=media_id), size=1000, reason=None,
                         analysis=Analysis(width=4, height=3), moderation=None, at=NOW)


def test_evidence_is_the_customers_own_ready_ticket_media():
    domain.check_evidence([_ready("m1"), _ready("m2")], "cust-1")
    cases = [([_ready("m1"), None], "media.unknown", "media_ids[1]"),
             ([_ready("m1", customer="cust-2")], "media.unknown", "media_ids[0]"),
             ([item(media_id="m1")], "media.not_ready", "media_ids[0]"),
             ([_ready("m1", purpose=Purpose.REVIEW)], "media.wrong_purpose", "media_ids[0]"),
             ([_ready("m1"), _ready("m1")], "media.duplicate", "media_ids[1]"),
             ([_ready(f"m{i}") for i in range(domain.MAX_EVIDENCE + 1)], "media.too_many", "media_ids")]
    for items, message, field in cases:
        with pytest.raises(InvalidRequest) as refused:
            domain.check_evidence(items, "cust-1")
        assert (refused.value.message_id, refused.value.details["field"]) == (message, field)


# ---------------------------------------------------------------------- hash buckets
@given(st.integers(min_value=0, max_value=2**64 - 1), st.sets(st.integers(min_value=0, max_value=63), max_size=3))
def test_hashes_within_three_bits_always_share_a_bucket(value, flips):
    near = value
    for bit in flips:
        near ^= 1 << bit
    a, b = f"{value:016x}", f"{near:016x}"
    assert domain.hamming(a, b) == len(flips)
    assert set(domain.phash_bands(a)) & set(domain.phash_bands(b))


def test_inspection_photos_are_ready_inspection_media_each_once():
    photo = domain.settle(item(purpose=Purpose.INSPECTION, media_id="p1"), size=1000, reason=None,
                          analysis=Analysis(width=4, height=3), moderation=None, at=NOW)
    domain.check_inspection([photo])
    cases = [([None], "media.unknown"), ([_ready("m1")], "media.wrong_purpose_inspection"),
             ([item(purpose=Purpose.INSPECTION)], "media.not_ready"), ([photo, photo], "media.duplicate")]
    for items, message in cases:
        with pytest.raises(InvalidRequest) as refused:
            domain.check_inspection(items)
        assert refused.value.message_id == message
