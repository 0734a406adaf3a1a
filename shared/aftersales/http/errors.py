"""The one place where errors become HTTP responses: a stable code, a translated message,
and field paths for validation problems."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from aftersales.core import errors
from aftersales.core.i18n import translate

# The one map from domain errors to HTTP status codes, for the API and every provider webhook.
# Rows are tried in order (subclasses before their bases); the last row catches every other
# DomainError. The provider column differs where providers read the code differently:
# - InvalidRequest: 422 to API clients (with field paths); 400 to a provider, the plain "bad
#   request" every provider's retry rules know as "do not retry" (docs/decisions.md, 2026-12-01);
# - an unmapped DomainError: 400 to an API client (its request was refused), 500 to a provider
#   (ours to fix, so the provider delivers it again later).
STATUS_BY_ERROR: tuple[tuple[type[errors.DomainError], int, int], ...] = (
    # error                      API  provider
    (errors.PreconditionFailed,  412, 412),
    (errors.Conflict,            409, 409),
    (errors.NotFound,            404, 404),
    (errors.InvalidRequest,      422, 400),
    (errors.Forbidden,           403, 403),
    (errors.Unauthorized,        401, 401),
    (errors.BadRequest,          400, 400),
    (errors.Unavailable,         503, 503),
    (errors.DomainError,         400, 500),
)


def status_for(exc: errors.DomainError, *, for_provider: bool = False) -> int:
    """The HTTP status of `exc` for an API client, or for a provider calling a webhook."""
    return next((provider if for_provider else api) for cls, api, provider in STATUS_BY_ERROR if isinstance(exc, cls))


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def error_response(status: int, code: str, message: str, **extra: Any) -> Response:
    return Response(status_code=status, content_type="application/json",
                    body=json.dumps(error_body(code, message, **extra), ensure_ascii=False, default=str))


def domain_error(exc: errors.DomainError, locale: str) -> Response:
    status = status_for(exc)
    details = dict(exc.details)
    extra: dict[str, Any] = {}
    field = details.pop("field", None)
    if field:
        extra["fields"] = [{"path": field, "message": translate(exc.message_id, locale, **details)}]
    if "allowed" in details:
        extra["allowed"] = details.pop("allowed")
    if details:
        extra["details"] = details
    return error_response(status, exc.code, translate(exc.message_id, locale, **exc.details), **extra)


def field_path(loc: tuple | list) -> str:
    """("body", "lines", 0, "quantity") -> "lines[0].quantity"; query/header keep their source."""
    parts = list(loc)
    source = parts.pop(0) if parts and parts[0] in ("body", "query", "path", "header") else "body"
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path if source == "body" else f"{source}.{path}"


def validation_error(exc: RequestValidationError, locale: str) -> Response:
    fields = [{"path": field_path(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
              for e in exc.errors()]
    return error_response(422, "validation_error", translate("error.validation", locale), fields=fields)
