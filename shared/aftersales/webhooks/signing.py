"""Standard Webhooks signing (https://www.standardwebhooks.com): the signed bytes are
`<webhook-id>.<webhook-timestamp>.<raw body>`, HMAC-SHA256 with the base64-decoded secret after
its `whsec_` prefix, sent as `v1,<base64>`; several signatures (a rotation's old and new secrets)
are space-separated in one `webhook-signature` header."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

PREFIX = "whsec_"
KEY_BYTES = 32  # Svix's secrets are 24 bytes; the scheme allows 24-64


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def key_bytes(secret: str) -> bytes:
    raw = secret.removeprefix(PREFIX)
    return base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key_bytes(secret), signed, hashlib.sha256).digest()).decode()


def headers(secrets_: Sequence[str], message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers of one attempt, signed with every given secret (newest first)."""
    if not secrets_:
        raise ValueError("an endpoint always has a signing secret")
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": " ".join(signature(s, message_id, timestamp, body) for s in secrets_)}
