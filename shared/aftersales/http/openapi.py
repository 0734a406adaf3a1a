"""The published OpenAPI document: the resolver's generated schema, completed in one place with
what the generator cannot see.

- `servers`: the API lives under its stage (`/v1`), not at `/`.
- every error an operation can answer, with the one error schema (`Error`): 400 (a body or
  request the API cannot take as sent), 401/403 (API Gateway's authorizer answers with its own
  `GatewayError`, the routes with `Error`), 404 (a path id, a write, or a one-of-a-kind resource
  not saved yet), 409, 412 (If-Match), 413, 415, 422.
- the Idempotency-Key and If-Match request headers.
- the provider webhooks, which are separate functions behind the same API (`webhooks` tag).
"""

from __future__ import annotations

import copy
from typing import Any

TITLE = "After-sales platform API"
VERSION = "1.0.0"
DESCRIPTION = "Returns, exchanges, repairs, refunds and complaints for e-commerce merchants."
REF = "#/components/schemas/"
JSON = "application/json"

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Error",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string", "description": "Stable, machine-readable", "examples": ["validation_error"]},
            "message": {"type": "string", "description": "In the caller's language (Accept-Language)"},
            "fields": {"type": "array", "description": "Which inputs are wrong: body paths like `lines[0].quantity`, "
                                                       "or `query.x`, `path.x`, `header.X`",
                       "items": {"type": "object", "required": ["path", "message"],
                                 "properties": {"path": {"type": "string"}, "message": {"type": "string"},
                                                "type": {"type": "string"}}}},
            "allowed": {"type": "array", "description": "409 on a transition: the moves allowed from here",
                        "items": {}},
            "details": {"type": "object"},
        },
    }},
}
GATEWAY_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "GatewayError",
    "description": "API Gateway's own answer (missing or rejected credentials, unknown route)",
    "properties": {"message": {"type": ["string", "null"]}},
}

REASONS = {
    400: "The request cannot be taken as sent (body not UTF-8 or not JSON, nested too deeply, "
         "an API key and a token together)",
    401: "No valid credentials",
    403: "The caller's role or scope may not do this",
    404: "Not found (or not visible to the caller)",
    409: "Conflict: not allowed in the current state, a concurrent change, or the same Idempotency-Key in progress",
    412: "If-Match does not match the current version",
    413: "The request body is too large",
    415: "The request body is not application/json",
    422: "Invalid input; `fields` names each offending path",
    503: "A provider or store the operation needs is unavailable right now; retry",
}

WRITES = ("post", "put", "patch", "delete")
BODY_METHODS = ("post", "put", "patch")
# Operations that honour If-Match (optimistic concurrency on the resource's version / revision).
IF_MATCH = {("post", "/tickets/{ticket_id}/transitions"), ("post", "/tickets/{ticket_id}/assignment"),
            ("put", "/approval-policy/draft"), ("put", "/eligibility-rules/draft"),
            *(("post", f"/disputes/{{dispute_id}}/{action}") for action in (
                "evidence", "appeal", "withdraw", "take-up", "request-evidence", "decision")),
            *(("post", f"/repairs/jobs/{{job_id}}/{action}") for action in (
                "accept", "decline", "appointment", "appointment/reschedule", "check-in", "diagnosis", "parts",
                "repaired", "not-repairable", "quote", "close"))}
# Reads of a tenant's one-of-a-kind resource that answer 404 until it has been saved.
UNTIL_SAVED = {("get", "/sla/policy")}
# Operations that call a payment platform on the request path and answer 503 when it cannot be reached.
PROVIDER_CALLS = {("post", "/disputes/{dispute_id}/evidence-pack/submit")}

IDEMPOTENCY_KEY = {"name": "Idempotency-Key", "in": "header", "required": False,
                   "description": "Retry-safe POST: the same key with the same body returns the first response; "
                                  "with another body 422; while the first is still running 409",
                   "schema": {"type": "string", "minLength": 1, "maxLength": 255}}
IF_MATCH_HEADER = {"name": "If-Match", "in": "header", "required": False,
                   "description": "The version (ETag) the change was based on; 412 when it moved on",
                   "schema": {"type": "string", "pattern": r'^(W/)?"?[0-9]{1,16}"?$', "examples": ['"3"']}}


def published(document: dict[str, Any], *, stage: str | None) -> dict[str, Any]:
    """The document clients get from GET /openapi.json of `stage`."""
    doc = copy.deepcopy(document)
    doc["servers"] = [{"url": f"/{stage or 'v1'}", "description": f"This API's {stage or 'v1'} stage"}]
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas["GatewayError"] = GATEWAY_ERROR_SCHEMA
    for path, item in doc.get("paths", {}).items():
        for method, operation in item.items():
            if method in ("get", "put", "post", "patch", "delete"):
                _complete(method, path, operation)
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(name, None)
    doc["paths"].update(copy.deepcopy(OTHER_FUNCTIONS))
    tags = {t["name"] for t in doc.get("tags", [])}
    if "webhooks" not in tags:
        doc.setdefault("tags", []).append({"name": "webhooks", "description": (
            "Provider callbacks (Stripe, carriers, WeCom, Douyin): separate functions, no API credentials; each "
            "is authenticated by its provider's signature and refused with 401 before anything is stored")})
    return doc


def _error(status: int, gateway: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"$ref": f"{REF}Error"}
    if gateway:
        schema = {"anyOf": [schema, {"$ref": f"{REF}GatewayError"}]}
    return {"description": REASONS[status], "content": {JSON: {"schema": schema}}}


def _complete(method: str, path: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    codes = {400, 401, 403, 422}
    if "{" in path or method != "get" or (method, path) in UNTIL_SAVED:
        codes.add(404)
    if method in BODY_METHODS:
        codes |= {413, 415}
    if method in WRITES:
        codes.add(409)
    if (method, path) in IF_MATCH:
        codes.add(412)
    if (method, path) in PROVIDER_CALLS:
        codes.add(503)
    for code in sorted(codes):
        responses[str(code)] = _error(code, gateway=code in (401, 403))
    parameters = operation.setdefault("parameters", [])
    if method == "post":
        parameters.append(copy.deepcopy(IDEMPOTENCY_KEY))
    if (method, path) in IF_MATCH:
        parameters.append(copy.deepcopy(IF_MATCH_HEADER))


def _webhook(summary: str, *, parameters: list[dict[str, Any]], body: bool = True,
             success: str = "Accepted (a duplicate delivery is accepted again and changes nothing)",
             method: str = "post") -> dict[str, Any]:
    operation: dict[str, Any] = {
        "tags": ["webhooks"], "summary": summary, "security": [], "parameters": parameters,
        "responses": {"200": {"description": success, "content": {JSON: {"schema": {}}, "text/plain": {
            "schema": {"type": "string"}}}},
                      **{str(code): {"description": REASONS[code] if code != 401 else
                                     "The signature (or token) is missing or wrong: nothing was stored",
                                     "content": {JSON: {"schema": {"$ref": f"{REF}Error"}}}}
                         for code in (400, 401, 404, 413)}},
    }
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": {}}}}
    return {method: operation}


def _path_param(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", **schema}}


def _header(name: str, description: str, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": required, "description": description,
            "schema": {"type": "string"}}


def _query(name: str, description: str, required: bool = True) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": {"type": "string"}}


TENANT = _path_param("tenant_id", "The merchant (tenant) the provider account belongs to", maxLength=64)
_WECOM_QUERY = [_query("msg_signature", "SHA1 over token, timestamp, nonce and the encrypted payload"),
                _query("timestamp", "Unix seconds"), _query("nonce", "Random string")]

OTHER_FUNCTIONS: dict[str, dict[str, Any]] = {
    "/webhooks/stripe/{tenant_id}": _webhook(
        "Stripe events (refund and charge updates)",
        parameters=[TENANT, _header("Stripe-Signature", "t=<unix seconds>,v1=<HMAC-SHA256 hex of "
                                    "\"<t>.<raw body>\"> with the endpoint's signing secret", required=True)]),
    "/webhooks/carriers/{provider}/{tenant_id}": _webhook(
        "Carrier tracking events (AfterShip, EasyPost, 17TRACK, Shippo)",
        parameters=[_path_param("provider", "The tracking provider",
                                enum=["aftership", "easypost", "17track", "shippo"]), TENANT,
                    _header("aftership-hmac-sha256", "AfterShip: base64 HMAC-SHA256 of the raw body"),
                    _header("X-Hmac-Signature", "EasyPost: hmac-sha256-hex=<HMAC-SHA256 hex of the raw body>"),
                    _header("sign", "17TRACK: SHA256 hex of the raw body and the API key"),
                    _query("token", "Shippo: the URL token from POST /integrations/carriers/shippo/tokens",
                           required=False)]),
    "/webhooks/wecom/{tenant_id}": {
        **_webhook("WeCom callback URL verification (echoes the decrypted echostr)", method="get", body=False,
                   success="The decrypted echostr (text/plain)",
                   parameters=[TENANT, *_WECOM_QUERY, _query("echostr", "Encrypted challenge")]),
        **_webhook("WeCom callback messages and events (encrypted XML; 微信客服 kf_msg_or_event)",
                   success="\"success\" (text/plain)", parameters=[TENANT, *_WECOM_QUERY]),
    },
    "/webhooks/douyin/{tenant_id}": _webhook(
        "Douyin shop (抖店) pushes: after-sale messages",
        parameters=[TENANT, _header("event-sign", "MD5/HMAC-SHA256 of app_key + raw body + app_secret", required=True),
                    _header("app-id", "The Douyin app key")]),
}
OTHER_FUNCTIONS["/webhooks/wecom/{tenant_id}"]["post"]["requestBody"] = {
    "required": True, "content": {"text/xml": {"schema": {"type": "string"}}}}

OTHER_FUNCTIONS["/inbound-email"] = {"post": {
    "tags": ["channels"], "summary": "Drop one raw e-mail (MIME) into intake, as the SES receipt rule does",
    "requestBody": {"required": True, "content": {"application/octet-stream": {
        "schema": {"type": "string", "format": "binary", "description": "The raw MIME message"}}}},
    "responses": {"202": {"description": "Taken in: filed on a ticket, opened one, or parked in the unmatched inbox",
                          "content": {JSON: {"schema": {"type": "object"}}}},
                  "200": {"description": "Taken in before (the same message): nothing changes",
                          "content": {JSON: {"schema": {"type": "object"}}}},
                  **{str(code): _error(code, gateway=code in (401, 403)) for code in (400, 401, 403, 413, 422)}},
}}
