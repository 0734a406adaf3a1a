"""The one place where errors become HTTP responses: a stable code, a translated message,
and field paths for validation problems."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from aftersales.core import errors
from aftersales.core.i18n import translate

STATUS_BY_ERROR: list[tuple[type[errors.DomainError], int]] = [
    (errors.PreconditionFailed, 412),
    (errors.Conflict, 409),
    (errors.NotFound, 404),
    (errors.InvalidRequest, 422),
    (errors.Forbidden, 403),
    (errors.Unauthorized, 401),
    (errors.BadRequest, 400),
]


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def error_response(status: int, code: str, message: str, **extra: Any) -> Response:
    return Response(status_code=status, content_type="application/json",
                    body=json.dumps(error_body(code, message, **extra), ensure_ascii=False, default=str))


def domain_error(exc: errors.DomainError, locale: str) -> Response:
    status = next((s for cls, s in STATUS_BY_ERROR if isinstance(exc, cls)), 400)
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
