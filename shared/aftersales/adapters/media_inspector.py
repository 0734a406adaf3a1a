"""The media check's decoder: Pillow (+ pillow-heif for HEIC) for images, mutagen for MP4 (its
duration; the location boxes are blanked by `media.mp4`).

These libraries are the media-check function's own requirements (functions/media_check), not the
domain layer's: they are imported on first use, so nothing else pays for them.

Images: the header's dimensions are checked before anything is decoded (decompression bombs);
the image is then re-encoded with its EXIF minus the GPS IFD, and without XMP (which can carry a
location too); a HEIC upload is stored as JPEG. The perceptual hash is the DCT hash of
imagehash.phash (32x32 greyscale, the 8x8 lowest frequencies against their median), computed in
plain Python: imagehash needs numpy and scipy, about 250 MB installed, against Lambda's 250 MB
limit (docs/media.md).
"""

from __future__ import annotations

import io
import math
from functools import cache
from typing import Any

from aftersales.media.model import LIMITS, Analysis, MediaType
from aftersales.media.mp4 import Malformed, without_location
from aftersales.media.ports import Inspected

GPS_IFD = 0x8825
SCREEN_SIDE = 1600  # longest side of the JPEG rendition sent for moderation (Rekognition: 5 MB of bytes)
PILLOW_FORMAT = {MediaType.JPEG: "JPEG", MediaType.PNG: "PNG", MediaType.WEBP: "WEBP", MediaType.HEIC: "HEIF"}
# HEIC is stored as JPEG: most browsers cannot show HEIC, and re-encoding HEVC took ~2.4 s for a
# 1600x1200 photo here against ~50 ms for JPEG (bench/media.py).
STORED_AS = {MediaType.HEIC: MediaType.JPEG}
HASH_SIZE, DCT_SIZE = 8, 32


@cache
def _pillow() -> Any:
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    Image.MAX_IMAGE_PIXELS = None  # the limits below are checked on the header instead
    return Image


class PillowInspector:
    def inspect(self, kind: MediaType, content: bytes) -> Inspected:
        return self._video(content) if kind is MediaType.MP4 else self._image(kind, content)

    def _image(self, kind: MediaType, content: bytes) -> Inspected:
        image_module = _pillow()
        limits = LIMITS[kind]
        try:
            image = image_module.open(io.BytesIO(content), formats=[PILLOW_FORMAT[kind]])
            width, height = image.size
            if max(width, height) > (limits.max_side or 0) or width * height > (limits.max_pixels or 0):
                return Inspected(Analysis(width=width, height=height))
            image.load()
            clean, gps = _without_location(image, kind)
            return Inspected(Analysis(width=width, height=height, phash=phash(image), gps_removed=gps),
                             clean=clean, clean_type=STORED_AS.get(kind), screenable=_rendition(image))
        except Exception as exc:
            return Inspected(Analysis(error=type(exc).__name__))

    def _video(self, content: bytes) -> Inspected:
        from mutagen.mp4 import MP4

        try:
            length = MP4(io.BytesIO(content)).info.length
        except Exception as exc:
            return Inspected(Analysis(error=type(exc).__name__))
        if not length or not math.isfinite(length):
            return Inspected(Analysis(error="no_duration"))
        try:
            clean, located = without_location(content)
        except Malformed as exc:
            return Inspected(Analysis(error=f"boxes:{exc}"[:80]))
        return Inspected(Analysis(duration_s=round(float(length), 3), gps_removed=located > 0),
                         clean=clean if located else None)


def _without_location(image: Any, kind: MediaType) -> tuple[bytes, bool]:
    """The image re-encoded with its EXIF minus the GPS IFD (orientation and the rest kept), no XMP."""
    exif = image.getexif()
    had_gps = GPS_IFD in exif
    if had_gps:
        del exif[GPS_IFD]
    out = io.BytesIO()
    options: dict[str, Any] = {"exif": exif.tobytes() if len(exif) else b""}
    if kind is MediaType.JPEG:
        options.update(quality="keep", xmp=b"")  # the original quantisation: no visible loss
        if image.info.get("icc_profile"):
            options["icc_profile"] = image.info["icc_profile"]
    elif kind is MediaType.WEBP:
        options.update(quality=90, lossless=bool(image.info.get("lossless")), xmp=b"")
    elif kind is MediaType.HEIC:
        options.update(quality=90, xmp=b"")
    frame = image if kind is MediaType.JPEG else _single_frame(image)
    if kind in STORED_AS:
        frame = frame.convert("RGB")
    frame.save(out, format=PILLOW_FORMAT[STORED_AS.get(kind, kind)], **options)
    return out.getvalue(), had_gps


def _single_frame(image: Any) -> Any:
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)
        return image.copy()
    return image


def _rendition(image: Any) -> bytes:
    thumb = image.convert("RGB")
    thumb.thumbnail((SCREEN_SIDE, SCREEN_SIDE))
    out = io.BytesIO()
    thumb.save(out, format="JPEG", quality=85)
    return out.getvalue()


@cache
def _cosines() -> tuple[tuple[float, ...], ...]:
    """DCT-II basis: row k, column n = cos(pi * k * (2n + 1) / (2N)), for the lowest HASH_SIZE k."""
    n = DCT_SIZE
    return tuple(tuple(math.cos(math.pi * k * (2 * i + 1) / (2 * n)) for i in range(n)) for k in range(HASH_SIZE))


def phash(image: Any) -> str:
    """imagehash.phash's 64-bit hash as 16 hex digits (most significant bit first, row-major)."""
    grey = image.convert("L").resize((DCT_SIZE, DCT_SIZE), _pillow().Resampling.LANCZOS)
    raw = grey.tobytes()
    pixels = [raw[r * DCT_SIZE:(r + 1) * DCT_SIZE] for r in range(DCT_SIZE)]
    basis = _cosines()
    # DCT down the columns (axis 0), lowest frequencies only, then along each row (axis 1)
    cols = [[sum(c * pixels[r][j] for r, c in enumerate(basis[k])) for j in range(DCT_SIZE)] for k in range(HASH_SIZE)]
    low = [sum(c * cols[k][j] for j, c in enumerate(basis[m])) for k in range(HASH_SIZE) for m in range(HASH_SIZE)]
    ordered = sorted(low)
    median = (ordered[31] + ordered[32]) / 2
    bits = "".join("1" if v > median else "0" for v in low)
    return f"{int(bits, 2):016x}"
