"""The media check's decoder on tiny real files made here: the GPS IFD leaves every image type
(the rest of the EXIF stays), dimensions are read from the header before decoding, MP4 duration
comes from the movie header, and the perceptual hash keeps near copies close and other pictures far."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from aftersales.adapters.media_inspector import GPS_IFD, PillowInspector
from aftersales.media.domain import hamming
from aftersales.media.model import LIMITS, MediaType
from aftersales.media.sniff import sniff
from tests.support.media_files import image_bytes, mp4_bytes, photo_like

IMAGE_TYPES = [("JPEG", MediaType.JPEG), ("PNG", MediaType.PNG), ("WEBP", MediaType.WEBP), ("HEIF", MediaType.HEIC)]


@pytest.mark.parametrize(("fmt", "kind"), IMAGE_TYPES)
def test_the_gps_location_is_stripped_and_the_rest_of_the_exif_kept(fmt, kind):
    original = image_bytes(fmt, gps=True)
    assert GPS_IFD in Image.open(io.BytesIO(original)).getexif()  # the fixture really carries a location
    inspected = PillowInspector().inspect(kind, original)
    assert inspected.analysis.gps_removed and inspected.analysis.error is None
    clean = Image.open(io.BytesIO(inspected.clean))
    exif = clean.getexif()
    assert GPS_IFD not in exif and not exif.get_ifd(GPS_IFD)
    assert exif.get(0x010F) == "TestCam"
    assert sniff(inspected.clean[:64]) is (inspected.clean_type or kind) and clean.size == (64, 48)


def test_a_heic_upload_is_stored_as_jpeg_and_the_others_as_their_own_type():
    inspect = PillowInspector().inspect
    assert inspect(MediaType.HEIC, image_bytes("HEIF")).clean_type is MediaType.JPEG
    assert all(inspect(kind, image_bytes(fmt)).clean_type is None for fmt, kind in IMAGE_TYPES[:3])


def test_an_image_without_a_location_says_nothing_was_removed():
    inspected = PillowInspector().inspect(MediaType.JPEG, image_bytes("JPEG"))
    assert not inspected.analysis.gps_removed and inspected.clean


@pytest.mark.parametrize(("fmt", "kind"), IMAGE_TYPES)
def test_each_image_gets_dimensions_a_hash_and_a_jpeg_for_moderation(fmt, kind):
    inspected = PillowInspector().inspect(kind, image_bytes(fmt, (120, 80)))
    a = inspected.analysis
    assert (a.width, a.height) == (120, 80) and len(a.phash) == 16
    assert sniff(inspected.screenable[:64]) is MediaType.JPEG


def test_an_oversized_image_is_measured_on_its_header_and_never_decoded():
    side = LIMITS[MediaType.PNG].max_side + 1
    out = io.BytesIO()
    Image.new("1", (side, 1)).save(out, format="PNG")
    inspected = PillowInspector().inspect(MediaType.PNG, out.getvalue())
    assert (inspected.analysis.width, inspected.analysis.height) == (side, 1)
    assert inspected.clean is None and inspected.analysis.phash is None


def test_a_truncated_or_garbage_image_is_undecodable():
    whole = image_bytes("PNG", (200, 200))
    for content in (whole[:60], b"\xff\xd8\xff" + b"junk" * 10):
        assert PillowInspector().inspect(MediaType.PNG if content is not whole else MediaType.JPEG,
                                         content).analysis.error


def test_the_duration_of_an_mp4_comes_from_its_movie_header():
    inspected = PillowInspector().inspect(MediaType.MP4, mp4_bytes(12.25))
    assert inspected.analysis.duration_s == 12.25
    assert inspected.clean is None and inspected.screenable is None  # stored as uploaded; not screened here
    assert PillowInspector().inspect(MediaType.MP4, mp4_bytes()[:30]).analysis.error


def test_the_perceptual_hash_keeps_a_recompressed_resized_copy_near_and_another_picture_far():
    original = photo_like(1)
    smaller = io.BytesIO()
    Image.open(io.BytesIO(original)).resize((128, 96)).save(smaller, format="JPEG", quality=60)
    other = photo_like(2)
    inspect = PillowInspector().inspect
    h0 = inspect(MediaType.PNG, original).analysis.phash
    assert hamming(h0, inspect(MediaType.JPEG, smaller.getvalue()).analysis.phash) <= 3
    assert hamming(h0, inspect(MediaType.PNG, other).analysis.phash) > 10
