"""Where a video was filmed is blanked before it is shown: the `©xyz` and `loci` boxes of
`moov/udta`, the QuickTime location items of `moov/meta` (per track too), each turned into a `free`
box of the same size, so the file keeps its length and every sample offset."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.adapters.media_inspector import PillowInspector
from aftersales.media.model import MediaType
from aftersales.media.mp4 import Malformed, without_location
from tests.support.media_files import mp4_bytes

PLACE = b"+31.2304+121.4737+004.000/"


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def with_moov_children(*children: bytes) -> bytes:
    """mp4_bytes() with more boxes appended inside its moov (after mvhd)."""
    plain = mp4_bytes()
    ftyp_size = struct.unpack_from(">I", plain)[0]
    moov_size = struct.unpack_from(">I", plain, ftyp_size)[0]
    moov_payload = plain[ftyp_size + 8:ftyp_size + moov_size] + b"".join(children)
    return plain[:ftyp_size] + box(b"moov", moov_payload) + plain[ftyp_size + moov_size:]


def xyz() -> bytes:  # Android: udta/©xyz, a 16-bit length and a language before the ISO 6709 text
    return box(b"\xa9xyz", struct.pack(">HH", len(PLACE), 0x15C7) + PLACE)


def quicktime_meta(full_box: bool = False) -> bytes:  # iPhone: meta/keys + meta/ilst
    names = [b"com.apple.quicktime.make", b"com.apple.quicktime.location.ISO6709"]
    keys = box(b"keys", struct.pack(">II", 0, len(names))
               + b"".join(struct.pack(">I", 8 + len(n)) + b"mdta" + n for n in names))
    items = box(b"ilst", box(struct.pack(">I", 1), box(b"data", struct.pack(">II", 1, 0) + b"Apple"))
                + box(struct.pack(">I", 2), box(b"data", struct.pack(">II", 1, 0) + PLACE)))
    hdlr = box(b"hdlr", b"\0" * 8 + b"mdta" + b"\0" * 13)
    return box(b"meta", (b"\0\0\0\0" if full_box else b"") + hdlr + keys + items)


@pytest.mark.parametrize("children", [
    pytest.param((box(b"udta", xyz()),), id="android-xyz"),
    pytest.param((box(b"udta", box(b"loci", b"\0" * 6 + PLACE)),), id="3gpp-loci"),
    pytest.param((quicktime_meta(),), id="iphone-quicktime-keys"),
    pytest.param((quicktime_meta(full_box=True),), id="iso-meta-full-box"),
    pytest.param((box(b"trak", box(b"udta", xyz())),), id="per-track"),
    pytest.param((box(b"udta", box(b"meta", b"\0\0\0\0" + box(b"ilst", xyz()))),), id="itunes-ilst"),
])
def test_every_place_a_phone_writes_the_location_is_blanked_in_place(children):
    video = with_moov_children(*children)
    clean, blanked = without_location(video)
    assert blanked >= 1 and PLACE not in clean
    assert len(clean) == len(video) and clean[-24:] == video[-24:]  # the mdat did not move
    assert b"free" in clean


def test_the_make_is_kept_and_a_video_without_location_is_returned_as_it_was():
    clean, _ = without_location(with_moov_children(quicktime_meta()))
    assert b"Apple" in clean and b"com.apple.quicktime.location.ISO6709" in clean  # the name stays, not the place
    plain = mp4_bytes()
    assert without_location(plain) == (plain, 0)


def test_the_media_check_stores_the_blanked_copy_and_says_so():
    video = with_moov_children(box(b"udta", xyz()))
    inspected = PillowInspector().inspect(MediaType.MP4, video)
    assert inspected.analysis.duration_s == 5.0 and inspected.analysis.gps_removed
    assert inspected.clean is not None and PLACE not in inspected.clean
    plain = PillowInspector().inspect(MediaType.MP4, mp4_bytes())
    assert plain.clean is None and not plain.analysis.gps_removed


def test_a_box_that_overruns_its_parent_is_malformed():
    video = bytearray(with_moov_children(box(b"udta", xyz())))
    at = video.index(b"udta") - 4
    video[at:at + 4] = struct.pack(">I", 10_000)
    with pytest.raises(Malformed):
        without_location(bytes(video))


@given(st.binary(max_size=300))
def test_any_bytes_either_parse_or_are_malformed_never_anything_else(tail):
    try:
        clean, _ = without_location(mp4_bytes()[:40] + tail)
    except Malformed:
        return
    assert len(clean) == 40 + len(tail)
