"""Page cursors: a query's LastEvaluatedKey as an opaque URL-safe string, and back. A cursor that is
not one of ours, or not of the listing it is handed to, is a 422 naming the query field."""

from __future__ import annotations

import base64
import json
from typing import Any

from aftersales.core.errors import InvalidRequest


def encode_cursor(key: dict[str, Any] | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode() if key else None


def decode_cursor(cursor: str | None, *, index_key: str | None = None, value: str | None = None,
                  field: str = "query.cursor") -> dict[str, Any] | None:
    """The key a cursor stands for. With index_key, the cursor must carry that listing's own
    partition value (a cursor from another tenant's or another queue's page is refused)."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest("error.bad_cursor", field=field) from None
    if not isinstance(key, dict) or (index_key is not None and key.get(index_key) != {"S": value}):
        raise InvalidRequest("error.bad_cursor", field=field)
    return key
