"""Signed links: an HMAC-SHA256 token naming what it opens and until when (pure).

A token is URL-safe base64 of its fields and an expiry epoch joined by \\x1f, a dot, and the full
32-byte MAC over "<purpose>\\x00" + that payload. The purpose keeps a link of one kind (a survey, a
ticket's tracking page) from ever opening another, even under the same key. Verification is
constant-time and tells a malformed or forged token from an expired one, never more."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import UTC, datetime

MAX_TOKEN_LENGTH = 512
_SEP = "\x1f"


class LinkRefused(ValueError):
    """`reason`: malformed | forged | expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, purpose: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), purpose.encode("ascii") + b"\x00" + payload, hashlib.sha256).digest()


def sign(secret: str, purpose: str, fields: tuple[str, ...], expires_at: datetime) -> str:
    if not secret:
        raise ValueError("a signed link needs a signing secret")
    if any(_SEP in f for f in fields):
        raise ValueError("a link field cannot hold the separator")
    payload = _SEP.join((*fields, str(int(expires_at.timestamp())))).encode("utf-8")
    return f"{_b64(payload)}.{_b64(_mac(secret, purpose, payload))}"


def open_link(secret: str, purpose: str, token: str, now: datetime, *, fields: int
              ) -> tuple[tuple[str, ...], datetime]:
    """The token's fields and expiry; LinkRefused unless we signed it for `purpose` and it holds."""
    if not secret or not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        raise LinkRefused("malformed")
    body, mac = token.split(".")
    try:
        payload, given = _unb64(body), _unb64(mac)
        *values, expiry = payload.decode("utf-8").split(_SEP)
        expires_at = datetime.fromtimestamp(int(expiry), UTC)
    except (binascii.Error, ValueError, UnicodeDecodeError, OverflowError, OSError):
        raise LinkRefused("malformed") from None
    if len(values) != fields:
        raise LinkRefused("malformed")
    if not hmac.compare_digest(given, _mac(secret, purpose, payload)):
        raise LinkRefused("forged")
    if now >= expires_at:
        raise LinkRefused("expired")
    return tuple(values), expires_at
