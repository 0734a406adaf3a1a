"""List cursors as clients see them: opaque, signed, and bound to the listing that issued them.

A service pages with its own position (for the tickets store, a DynamoDB key). Before it leaves the
API the position is wrapped as `<payload>.<mac>` (base64url), the MAC an HMAC-SHA256 over the
listing's scope (tenant, caller, index and filters) and the payload. A cursor that was edited,
made up, or taken from another listing (another index, filter, tenant or caller) is refused with
422 at `query.cursor` before anything is read; nothing a client sends reaches DynamoDB as a key.

The key is the deployment's CURSOR_SECRET (template parameter CursorSecret). Without one, each
process signs with a random key of its own: fine for the local stack and tests (one process);
on AWS cursors would then only work in the container that issued them (docs/decisions.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from functools import lru_cache

from aftersales.core.errors import InvalidRequest
from aftersales.wiring import services

FIELD = "query.cursor"
MAX_LENGTH = 2048
_MAC_BYTES = 16


@lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    material = secret.encode() if secret else secrets.token_bytes(32)
    return hashlib.sha256(b"aftersales list cursor\0" + material).digest()


def _mac(scope: str, payload: bytes) -> bytes:
    key = _key(services().http_settings.cursor_secret)
    return hmac.new(key, scope.encode() + b"\0" + payload, hashlib.sha256).digest()[:_MAC_BYTES]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal(scope: str, position: str | None) -> str | None:
    """The cursor a client gets for `position` of the listing `scope` (None at the end)."""
    if position is None:
        return None
    payload = position.encode()
    return f"{_b64(payload)}.{_b64(_mac(scope, payload))}"


def unseal(scope: str, cursor: str | None) -> str | None:
    """The position behind a cursor this listing issued; InvalidRequest for anything else."""
    if not cursor:
        return None
    text, _, mac = cursor.partition(".")
    try:
        if len(cursor) > MAX_LENGTH or not text or not mac:
            raise ValueError
        payload, given = _unb64(text), _unb64(mac)
        if not hmac.compare_digest(given, _mac(scope, payload)):
            raise ValueError
        return payload.decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidRequest("error.bad_cursor", field=FIELD) from None


def scope(*parts: object) -> str:
    """A listing's scope from its parts, unambiguously (None, "" and any separator are kept apart)."""
    return json.dumps([None if p is None else str(p) for p in parts], ensure_ascii=False)
