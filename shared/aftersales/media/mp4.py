"""Where an MP4 says where it was filmed, blanked in place (pure).

Phones write the place into the movie's metadata: Android and older iPhones a `©xyz` box in
`moov/udta` ("+31.2304+121.4737/"), 3GPP files a `loci` box there, and iPhones a QuickTime
metadata item named `com.apple.quicktime.location.ISO6709` (`moov/meta`: the names in `keys`, the
values in `ilst`, an item's box type being its 1-based key index), sometimes per track too.

Each such box becomes a `free` box of the same size, its payload zeroed: players skip `free`
boxes, and since no size changes, the chunk offsets (`stco`/`co64`) still point at the same
samples, so nothing else has to be rewritten. A file whose boxes do not parse raises Malformed:
the media check rejects it rather than show a video it could not clear of its location.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

# Boxes whose children are boxes (`meta` also: after its version/flags in ISO files, at once in QuickTime).
CONTAINERS = frozenset({b"moov", b"trak", b"mdia", b"minf", b"udta", b"edts", b"meta"})
LOCATION_BOXES = frozenset({b"\xa9xyz", b"loci"})
LOCATION_KEY = b"location"  # in com.apple.quicktime.location.ISO6709 and its .accuracy.* siblings
MAX_DEPTH = 8


class Malformed(ValueError):
    pass


def _boxes(data: bytearray, start: int, end: int) -> Iterator[tuple[bytes, int, int, int]]:
    """(type, box start, payload start, box end) of the boxes in data[start:end]."""
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, at)
        header = 8
        if size == 1:
            if at + 16 > end:
                raise Malformed("truncated large size")
            size, header = struct.unpack_from(">Q", data, at + 8)[0], 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            raise Malformed(f"box {kind!r} overruns its parent")
        yield kind, at, at + header, at + size
        at += size
    if at != end and end - at >= 8:
        raise Malformed("trailing bytes")


def _blank(data: bytearray, box_start: int, payload_start: int, box_end: int) -> None:
    data[box_start + 4:box_start + 8] = b"free"
    data[payload_start:box_end] = bytes(box_end - payload_start)


def _meta_children_start(data: bytearray, payload_start: int, box_end: int) -> int:
    """ISO `meta` is a full box (4 bytes of version and flags first); QuickTime's is not."""
    if payload_start + 8 <= box_end:
        kind = bytes(data[payload_start + 4:payload_start + 8])
        if kind == b"hdlr" or kind == b"keys" or kind == b"ilst":
            return payload_start
    return payload_start + 4


def _location_keys(data: bytearray, payload_start: int, box_end: int) -> set[int]:
    """1-based indexes of the `keys` entries naming a location."""
    if payload_start + 8 > box_end:
        raise Malformed("short keys box")
    count = struct.unpack_from(">I", data, payload_start + 4)[0]
    found, at = set(), payload_start + 8
    for index in range(1, count + 1):
        if at + 8 > box_end:
            raise Malformed("truncated keys entry")
        size = struct.unpack_from(">I", data, at)[0]
        if size < 8 or at + size > box_end:
            raise Malformed("bad keys entry")
        if LOCATION_KEY in bytes(data[at + 8:at + size]):
            found.add(index)
        at += size
    return found


def _walk(data: bytearray, start: int, end: int, depth: int) -> int:
    if depth > MAX_DEPTH:
        raise Malformed("nested too deep")
    blanked = 0
    children = list(_boxes(data, start, end))
    for kind, box_start, payload_start, box_end in children:
        if kind in LOCATION_BOXES:
            _blank(data, box_start, payload_start, box_end)
            blanked += 1
        elif kind == b"meta":
            blanked += _meta(data, payload_start, box_end, depth + 1)
        elif kind in CONTAINERS:
            blanked += _walk(data, payload_start, box_end, depth + 1)
    return blanked


def _meta(data: bytearray, payload_start: int, box_end: int, depth: int) -> int:
    first = _meta_children_start(data, payload_start, box_end)
    children = list(_boxes(data, first, box_end))
    located: set[int] = set()
    for kind, _, child_payload, child_end in children:
        if kind == b"keys":
            located |= _location_keys(data, child_payload, child_end)
    blanked = 0
    for kind, box_start, child_payload, child_end in children:
        if kind == b"ilst":
            for item, item_start, item_payload, item_end in list(_boxes(data, child_payload, child_end)):
                if item in LOCATION_BOXES or int.from_bytes(item, "big") in located:
                    _blank(data, item_start, item_payload, item_end)
                    blanked += 1
        elif kind in LOCATION_BOXES:
            _blank(data, box_start, child_payload, child_end)
            blanked += 1
        elif kind in CONTAINERS:
            blanked += _walk(data, child_payload, child_end, depth)
    return blanked


def without_location(content: bytes) -> tuple[bytes, int]:
    """The file with every location box blanked, and how many there were (0: `content` itself)."""
    data = bytearray(content)
    blanked = 0
    for kind, _, payload_start, box_end in _boxes(data, 0, len(data)):
        if kind == b"moov":
            blanked += _walk(data, payload_start, box_end, 1)
    return (bytes(data), blanked) if blanked else (content, 0)
