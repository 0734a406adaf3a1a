"""What the API function checks of a request body before the resolver parses it.

Every operation that takes a body speaks JSON. A body is refused, before any route runs, when it is
larger than the configured limit (413), sent as another media type (415), not UTF-8, not JSON, or
JSON no client of ours would send (400): nested deeper than DynamoDB can store (32 levels),
NaN/Infinity, an integer outside int64, a duplicate member name, or a lone surrogate escape (the
I-JSON profile, RFC 7493, with an int64 bound). A body nested 100,000 deep is one 400, not a
RecursionError.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 32  # DynamoDB's limit for nested attributes
INT64 = 2**63 - 1
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message_id: str
    detail: str | None = None


def header(event: dict[str, Any], name: str) -> str | None:
    return next((v for k, v in (event.get("headers") or {}).items() if k.lower() == name), None)


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
    content_type = (header(event, "content-type") or "").strip()
    if content_type and (data or method in BODY_METHODS) and not _is_json(content_type):
        return Refusal(415, "unsupported_media_type", "error.unsupported_media_type")
    if not data:
        return None
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(400, "body_not_utf8", "error.body_not_utf8")
    return _json_refusal(decoded)


def _is_json(content_type: str) -> bool:
    media, _, params = content_type.partition(";")
    if media.strip().lower() != "application/json":
        return False
    charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in params.split(";")
                    if p.strip().lower().startswith("charset=")), "utf-8")
    return charset in ("utf-8", "utf8")


class _NotIJson(ValueError):
    pass


def _int(text: str) -> int:
    value = int(text)
    if not -INT64 - 1 <= value <= INT64:
        raise _NotIJson("an integer outside int64")
    return value


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotIJson("a number too large for a double")
    return value


def _constant(text: str) -> float:
    raise _NotIJson(f"{text} is not JSON")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _NotIJson("a member name appears twice")
    return result


def _json_refusal(text: str) -> Refusal | None:
    try:
        document = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant,
                              object_pairs_hook=_object)
    except RecursionError:  # the C scanner gives up long before the stack does
        return Refusal(400, "json_too_deep", "error.json_too_deep")
    except _NotIJson as exc:
        return Refusal(400, "malformed_json", "error.malformed_json", str(exc))
    except ValueError:  # JSONDecodeError, and int() past Python's digit limit
        return Refusal(400, "malformed_json", "error.malformed_json")
    return _shape_refusal(document)


def _shape_refusal(document: Any) -> Refusal | None:
    """Depth and strings of a parsed document, walked without recursion."""
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            if depth + 1 > MAX_DEPTH:
                return Refusal(400, "json_too_deep", "error.json_too_deep")
            stack.extend((key, depth + 1) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            if depth + 1 > MAX_DEPTH:
                return Refusal(400, "json_too_deep", "error.json_too_deep")
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not value.isascii() and _SURROGATE.search(value):
            # json.loads joins escaped pairs into one character: what is left is half a pair
            return Refusal(400, "malformed_json", "error.malformed_json", "a lone surrogate")
    return None
