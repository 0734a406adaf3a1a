"""The real type of an upload from its first bytes (magic numbers), whatever the client declared.

JPEG: FF D8 FF. PNG: the 8-byte PNG signature. WebP: a RIFF container of form type WEBP. HEIC
and MP4 are both ISO base media files (an `ftyp` box first): the major brand, or for the generic
`mif1`/`msf1` brands the compatible brands, tell HEIC from MP4. QuickTime (`qt  `), AVIF and
anything else are none of the allowed types.
"""

from __future__ import annotations

from .model import MediaType

SNIFF_BYTES = 64  # enough for every signature below (ftyp boxes list their brands in the first bytes)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})
GENERIC_HEIF_BRANDS = frozenset({b"mif1", b"msf1"})
MP4_BRANDS = frozenset({b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
                        b"M4V ", b"dash", b"mmp4", b"MSNV"})


def sniff(head: bytes) -> MediaType | None:
    if head.startswith(b"\xff\xd8\xff"):
        return MediaType.JPEG
    if head.startswith(PNG_SIGNATURE):
        return MediaType.PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return MediaType.WEBP
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _iso_media(head)
    return None


def _iso_media(head: bytes) -> MediaType | None:
    size = int.from_bytes(head[:4], "big")
    major = head[8:12]
    box_end = min(size, len(head)) if size >= 16 else len(head)
    compatible = {head[i:i + 4] for i in range(16, box_end - 3, 4)}
    if major in HEIC_BRANDS or (major in GENERIC_HEIF_BRANDS and compatible & HEIC_BRANDS):
        return MediaType.HEIC
    if major in MP4_BRANDS:
        return MediaType.MP4
    return None
