"""Helpers for the provider-facing webhook functions (no authorizer, no Powertools resolver):
the raw body exactly as sent, case-insensitive headers, and error mapping where a malformed body
is 400 with the reason (providers read 4xx as "do not retry"), a bad signature 401."""

from __future__ import annotations

import base64
import json
from typing import Any

from aftersales.core import errors
from aftersales.core.i18n import negotiate, translate
from aftersales.http.errors import error_body

_STATUS: list[tuple[type[errors.DomainError], int]] = [
    (errors.Unauthorized, 401), (errors.InvalidRequest, 400), (errors.NotFound, 404),
    (errors.Forbidden, 403), (errors.Conflict, 409),
]


def raw_body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    return base64.b64decode(body) if event.get("isBase64Encoded") else body.encode("utf-8")


def headers(event: dict[str, Any]) -> dict[str, str]:
    return {k.lower(): v for k, v in (event.get("headers") or {}).items() if v is not None}


def query(event: dict[str, Any]) -> dict[str, str]:
    return dict(event.get("queryStringParameters") or {})


def path_param(event: dict[str, Any], name: str) -> str:
    value = (event.get("pathParameters") or {}).get(name)
    if not value:
        raise errors.NotFound("error.route_not_found")
    return value


def respond(status: int, body: Any, content_type: str = "application/json") -> dict[str, Any]:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False, default=str)
    return {"statusCode": status, "headers": {"Content-Type": content_type}, "body": text}


def error(exc: errors.DomainError, event: dict[str, Any]) -> dict[str, Any]:
    status = next((s for cls, s in _STATUS if isinstance(exc, cls)), 500)
    loc = negotiate(headers(event).get("accept-language"))
    reason = translate(exc.message_id, loc, **exc.details)
    details = {k: v for k, v in exc.details.items() if k in ("provider", "errcode", "field")}
    return respond(status, error_body(exc.code, reason, reason_id=exc.message_id, **details))


def too_large(event: dict[str, Any], limit: int) -> dict[str, Any] | None:
    if len(event.get("body") or "") > limit * 4 // 3 + 4:
        return respond(413, error_body("payload_too_large", translate("error.payload_too_large")))
    return None
