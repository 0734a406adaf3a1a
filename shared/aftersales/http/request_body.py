"""What the API function checks of a request body before the resolver parses it.

Every operation that takes a body speaks JSON. A body is refused, before any route runs, when it is
larger than the configured limit (413), sent as another media type (415), not UTF-8, not JSON, or
JSON no client of ours would send (400): nested deeper than DynamoDB can store (32 levels),
NaN/Infinity, an integer outside int64, a duplicate member name, or a lone surrogate escape (the
I-JSON profile, RFC 7493, with an int64 bound). A body nested 100,000 deep is one 400, not a
RecursionError.

The one exception: the public pages' own forms (the survey's POST /surveys/{token} and
/surveys/{token}/unsubscribe, the tracking page's POST /track/{token}/messages and /photos) are plain HTML forms,
so those paths also take application/x-www-form-urlencoded (UTF-8, same cap).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from aftersales.core.headers import header
from aftersales.core.payloads import MAX_DEPTH, JsonRefused, decode_json

__all__ = ["MAX_DEPTH", "Refusal", "refusal"]
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
FORM_PATHS = re.compile(r"^(/surveys/[^/]+(/unsubscribe)?|/track/[^/]+/(messages|photos))/?$")


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message_id: str
    detail: str | None = None


def refusal(event: dict[str, Any], max_bytes: int) -> Refusal | None:
    """Why this request's body cannot be taken, or None when the resolver may parse it."""
    text = event.get("body") or ""
    method = str(event.get("httpMethod") or "").upper()
    if event.get("isBase64Encoded") and text:
        if len(text) > max_bytes * 4 // 3 + 4:
            return Refusal(413, "payload_too_large", "error.payload_too_large")
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return Refusal(400, "malformed_body", "error.malformed_body")
    else:
        data = text.encode("utf-8", "surrogatepass")
    if len(data) > max_bytes:
        return Refusal(413, "payload_too_large", "error.payload_too_large")
    content_type = (header(event.get("headers"), "content-type") or "").strip()
    form = _is_form(content_type) and bool(FORM_PATHS.match(str(event.get("path") or "")))
    if content_type and (data or method in BODY_METHODS) and not _is_json(content_type) and not form:
        return Refusal(415, "unsupported_media_type", "error.unsupported_media_type")
    if not data:
        return None
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(400, "body_not_utf8", "error.body_not_utf8")
    return None if form else _json_refusal(decoded)


def _is_json(content_type: str) -> bool:
    media, _, params = content_type.partition(";")
    if media.strip().lower() != "application/json":
        return False
    charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in params.split(";")
                    if p.strip().lower().startswith("charset=")), "utf-8")
    return charset in ("utf-8", "utf8")


def _is_form(content_type: str) -> bool:
    media, _, params = content_type.partition(";")
    charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in params.split(";")
                    if p.strip().lower().startswith("charset=")), "utf-8")
    return media.strip().lower() == "application/x-www-form-urlencoded" and charset in ("utf-8", "utf8")


def _json_refusal(text: str) -> Refusal | None:
    try:
        decode_json(text, i_json=True)
    except JsonRefused as exc:
        if exc.too_deep:
            return Refusal(400, "json_too_deep", "error.json_too_deep")
        return Refusal(400, "malformed_json", "error.malformed_json", exc.reason)
    return None
