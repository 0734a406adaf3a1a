"""Helpers for the provider-facing webhook functions (no authorizer, no Powertools resolver):
the raw body exactly as sent, the headers, and the answer to a refused delivery: the status from
the one error table (aftersales.http.errors, provider column: a malformed body is 400 with the
reason, as providers read 4xx as "do not retry"; a bad signature 401; our own fault 5xx)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from aftersales.core import errors
from aftersales.core.headers import header
from aftersales.core.i18n import negotiate, translate
from aftersales.http.errors import error_body, status_for


def raw_body(event: dict[str, Any]) -> bytes:
    """The bytes the provider signed. (surrogatepass: text API Gateway could not have decoded stays
    undecodable, so the provider's own parser refuses it with a 400, never an encoding crash.)"""
    body = event.get("body") or ""
    if not event.get("isBase64Encoded"):
        return body.encode("utf-8", "surrogatepass")
    try:
        return base64.b64decode(body, validate=True)
    except binascii.Error:
        raise errors.InvalidRequest("error.body_not_base64") from None


def headers(event: dict[str, Any]) -> dict[str, str]:
    """The request's headers as sent (read them with aftersales.core.headers.header)."""
    return {k: v for k, v in (event.get("headers") or {}).items() if v is not None}


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
    """Every error a provider's input can cause is a 4xx; a fault on our side (a queue or table
    that did not take the write) is a 5xx, which the provider delivers again later."""
    status = status_for(exc, for_provider=True)
    loc = negotiate(header(event.get("headers"), "accept-language"))
    reason = translate(exc.message_id, loc, **exc.details)
    details = {k: v for k, v in exc.details.items() if k in ("provider", "errcode")}
    if field := exc.details.get("field"):
        details["fields"] = [{"path": field, "message": reason}]
    return respond(status, error_body(exc.code, reason, reason_id=exc.message_id, **details))


def too_large(event: dict[str, Any], limit: int) -> dict[str, Any] | None:
    """413 for a body of more than `limit` bytes, before anything reads it."""
    body = event.get("body") or ""
    size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode("utf-8", "surrogatepass"))
    if size > limit:
        return respond(413, error_body("payload_too_large", translate("error.payload_too_large")))
    return None
