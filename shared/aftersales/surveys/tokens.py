"""One-time survey links: an HMAC-SHA256 signed token naming the tenant, the survey and an expiry.

The token is the only credential of the survey page (no login). It is URL-safe base64 of
"<tenant>\\x1f<survey>\\x1f<expiry epoch>", a dot, and the full 32-byte MAC over it;
verification is constant-time and tells a forged token from an expired one, never more."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from aftersales.core.errors import Forbidden

MAX_TOKEN_LENGTH = 512
_SEP = "\x1f"


class TokenRefused(Forbidden):
    """The link is not one we issued, or it has expired (`reason`: malformed | forged | expired)."""

    code = "survey_token_refused"


@dataclass(frozen=True)
class LinkClaim:
    tenant_id: str
    survey_id: str
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), b"survey-link\x00" + payload, hashlib.sha256).digest()


def issue(secret: str, tenant_id: str, survey_id: str, expires_at: datetime) -> str:
    if not secret:
        raise ValueError("a survey link needs a signing secret")
    payload = _SEP.join((tenant_id, survey_id, str(int(expires_at.timestamp())))).encode("utf-8")
    return f"{_b64(payload)}.{_b64(_mac(secret, payload))}"


def verify(secret: str, token: str, now: datetime) -> LinkClaim:
    if not secret or not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        raise TokenRefused("error.survey_link_invalid", reason="malformed")
    body, mac = token.split(".")
    try:
        payload, given = _unb64(body), _unb64(mac)
        tenant_id, survey_id, expiry = payload.decode("utf-8").split(_SEP)
        expires_at = datetime.fromtimestamp(int(expiry), UTC)
    except (binascii.Error, ValueError, UnicodeDecodeError, OverflowError, OSError):
        raise TokenRefused("error.survey_link_invalid", reason="malformed") from None
    if not hmac.compare_digest(given, _mac(secret, payload)):
        raise TokenRefused("error.survey_link_invalid", reason="forged")
    if now >= expires_at:
        raise TokenRefused("error.survey_link_expired", reason="expired")
    return LinkClaim(tenant_id, survey_id, expires_at)
