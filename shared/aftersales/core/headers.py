"""The one header lookup. HTTP field names are case-insensitive (RFC 9110 §5.1), and API Gateway
hands functions the headers with the sender's casing (`X-Api-Key`, `x-api-key`, `X-API-KEY`), so
every read of a request or webhook header goes through `header`."""

from __future__ import annotations

from collections.abc import Mapping


def header(headers: Mapping[str, str | None] | None, name: str) -> str | None:
    """The value of header `name` in `headers`, whatever the casing of either; None when absent.

    `headers` may be a Lambda event's `headers` (None when the request has none), a provider's
    header map, or Powertools' case-insensitive view of them."""
    if not headers:
        return None
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)
