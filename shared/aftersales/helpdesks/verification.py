"""Authenticating a helpdesk's webhook before anything of it is read or stored.

Zendesk signs every webhook request: `X-Zendesk-Webhook-Signature` =
base64(HMAC-SHA256(key = the signing secret's bytes as shown, message = timestamp + raw body)),
with the time in `X-Zendesk-Webhook-Signature-Timestamp` (ISO 8601); a timestamp further than the
tolerance from now is refused (a replayed capture). Freshdesk's automation webhooks are unsigned:
the tenant's secret rides in the URL (`?token=`) or the `X-Aftersales-Token` header and is
compared in constant time. Failures are VerificationError (Unauthorized: 401).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta

from aftersales.core.clock import parse_iso
from aftersales.core.headers import header
from aftersales.logistics.verification import VerificationError

ZENDESK_SIGNATURE = "X-Zendesk-Webhook-Signature"
ZENDESK_TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"
TOKEN_HEADER = "X-Aftersales-Token"
TOLERANCE = timedelta(minutes=5)


def zendesk_signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_zendesk(secret: str, headers: Mapping[str, str], body: bytes, now: datetime) -> datetime:
    """The signed timestamp, when the signature is Zendesk's for these bytes and recent enough."""
    signature, timestamp = header(headers, ZENDESK_SIGNATURE), header(headers, ZENDESK_TIMESTAMP)
    if not signature or not timestamp:
        raise VerificationError("webhook.signature_missing", provider="zendesk")
    if not hmac.compare_digest(zendesk_signature(secret, timestamp, body).encode(), signature.encode()):
        raise VerificationError("webhook.signature_invalid", provider="zendesk")
    try:
        signed_at = parse_iso(timestamp)
    except ValueError:
        raise VerificationError("webhook.timestamp_invalid", provider="zendesk") from None
    if abs(now - signed_at) > TOLERANCE:
        raise VerificationError("webhook.timestamp_out_of_tolerance", provider="zendesk")
    return signed_at


def verify_token(secret: str, headers: Mapping[str, str], query: Mapping[str, str]) -> None:
    given = header(headers, TOKEN_HEADER) or query.get("token") or ""
    if not given:
        raise VerificationError("webhook.signature_missing", provider="freshdesk")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        raise VerificationError("webhook.signature_invalid", provider="freshdesk")
