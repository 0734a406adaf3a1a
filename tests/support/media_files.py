"""Tiny real media files made in the test (Pillow, pillow-heif) and a minimal MP4 built box by box."""

from __future__ import annotations

import io
import struct

GPS_IFD = 0x8825


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), *, gps: bool = False, color=(200, 30, 30),
                pattern: int = 0) -> bytes:
    """A small image in `fmt` (JPEG, PNG, WEBP, HEIF); `gps` puts a GPS IFD (a latitude) in its EXIF;
    `pattern` draws a different picture (for perceptual-hash tests)."""
    import pillow_heif
    from PIL import Image, ImageDraw

    pillow_heif.register_heif_opener()
    image = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(image)
    w, h = size
    if pattern == 0:
        draw.ellipse((w // 4, h // 4, 3 * w // 4, 3 * h // 4), fill=(20, 160, 40))
    else:
        draw.rectangle((0, 0, w // 3, h), fill=(10, 10, 200))
        draw.line((0, h, w, 0), fill=(250, 250, 0), width=max(1, w // 10))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes())
    return out.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4_bytes(duration_s: float = 5.0, timescale: int = 1000) -> bytes:
    """ftyp + moov/mvhd (and an empty mdat): enough for the sniffer and for mutagen's duration."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    mvhd = _box(b"mvhd", struct.pack(">B3xIIII", 0, 0, 0, timescale, int(duration_s * timescale))
                + struct.pack(">I", 0x00010000) + struct.pack(">H", 0x0100) + b"\0" * 10
                + struct.pack(">9I", 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000) + b"\0" * 24
                + struct.pack(">I", 2))
    return ftyp + _box(b"moov", mvhd) + _box(b"mdat", b"\0" * 16)


def photo_like(seed: int, size: tuple[int, int] = (256, 192), fmt: str = "PNG") -> bytes:
    """A picture with a photo's smooth variety (blurred blobs on a gradient), the same for a seed."""
    import random

    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    w, h = size
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x, y = rng.randrange(w), rng.randrange(h)
        r = rng.randrange(w // 12, w // 3)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    image.filter(ImageFilter.GaussianBlur(3)).save(out, format=fmt)
    return out.getvalue()
