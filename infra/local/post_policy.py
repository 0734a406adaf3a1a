"""S3 browser-upload (POST) policies, enforced before moto, which stores whatever is posted.

A form POST to a bucket carrying a `policy` field is checked the way S3 documents it (Amazon S3
API reference, "Creating a POST policy"): not expired; every condition holds — `{"field": value}`
and `["eq", "$field", value]` exact, `["starts-with", "$field", prefix]`, and
`["content-length-range", min, max]` on the file's size; every form field other than `policy`,
`x-amz-signature`, `file` and `x-ignore-*` is named by a condition. A refusal is answered as S3
does: 403 AccessDenied ("Invalid according to Policy"), or 400 EntityTooLarge / EntityTooSmall.
The signature is not verified (the embedded endpoint takes any credentials).
"""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime
from typing import Any

EXEMPT = frozenset({"policy", "x-amz-signature", "file", "signature", "awsaccesskeyid"})


def refusal(fields: dict[str, str], file_size: int, now: datetime | None = None) -> tuple[int, str, str] | None:
    """(status, S3 error code, message) when the form breaks its policy; None when it may be stored
    (or carries no policy)."""
    raw = fields.get("policy")
    if raw is None:
        return None
    try:
        policy = json.loads(base64.b64decode(raw))
        expiration = datetime.fromisoformat(str(policy["expiration"]).replace("Z", "+00:00"))
        conditions = list(policy.get("conditions") or [])
    except (ValueError, KeyError, TypeError):
        return 400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON."
    if (now or datetime.now(UTC)) > expiration:
        return 403, "AccessDenied", "Invalid according to Policy: Policy expired."
    named: set[str] = set()
    lowered = {k.lower(): v for k, v in fields.items()}
    for condition in conditions:
        if isinstance(condition, dict):
            for name, value in condition.items():
                named.add(name.lower())
                if lowered.get(name.lower()) != str(value):
                    return _failed(["eq", f"${name}", value])
        elif isinstance(condition, list) and condition and condition[0] == "content-length-range":
            low, high = int(condition[1]), int(condition[2])
            if file_size > high:
                return 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"
            if file_size < low:
                return 400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"
        elif isinstance(condition, list) and len(condition) == 3 and condition[0] in ("eq", "starts-with"):
            name = str(condition[1]).removeprefix("$").lower()
            named.add(name)
            value = lowered.get(name, "")
            if condition[0] == "eq" and value != str(condition[2]):
                return _failed(condition)
            if condition[0] == "starts-with" and not value.startswith(str(condition[2])):
                return _failed(condition)
    for name in lowered:
        if name not in EXEMPT and name not in named and not name.startswith("x-ignore-") and name != "bucket":
            return 403, "AccessDenied", f"Invalid according to Policy: Extra input fields: {name}"
    return None


def _failed(condition: Any) -> tuple[int, str, str]:
    return 403, "AccessDenied", f"Invalid according to Policy: Policy Condition failed: {json.dumps(condition)}"


def form_of(environ: dict[str, Any], body: bytes) -> tuple[dict[str, str], int] | None:
    """The form fields and the file's size of a multipart POST body, or None when it is not one."""
    if "multipart/form-data" not in (environ.get("CONTENT_TYPE") or ""):
        return None
    from werkzeug.formparser import parse_form_data

    copy = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
    _stream, form, files = parse_form_data(copy)
    upload = files.get("file")
    size = len(upload.read()) if upload is not None else 0
    return {k: form[k] for k in form}, size


def error_body(code: str, message: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
            "</Error>").encode()
