"""JSON over HTTP(S) for the helpdesk APIs (stdlib urllib), with the vendors' faults read once:
429 -> HelpdeskFault with Retry-After (seconds, or an HTTP date), 5xx and network faults
retryable, 401/403/404/422 and other 4xx refusals not retryable."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from aftersales.helpdesks.ports import HelpdeskFault

DEFAULT_RETRY_AFTER = 60


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def retry_after(value: str | None, now: datetime | None = None) -> int:
    if not value:
        return DEFAULT_RETRY_AFTER
    if value.strip().isdigit():
        return int(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER
    return max(0, int((when - (now or datetime.now(UTC))).total_seconds()))


class VendorHttp:
    def __init__(self, authorization: str, *, timeout_seconds: float = 10.0) -> None:
        self._authorization = authorization
        self._timeout = timeout_seconds

    def call(self, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Content-Type": "application/json", "Accept": "application/json", "Authorization": self._authorization,
            "User-Agent": "aftersales-helpdesks/1"})
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 429:
                raise HelpdeskFault("rate_limited", status=429,
                                    retry_after=retry_after(exc.headers.get("Retry-After"))) from exc
            raise HelpdeskFault("http_status", status=exc.code, retryable=exc.code >= 500 or exc.code == 409) from exc
        except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
            raise HelpdeskFault("connection") from exc
        try:
            return json.loads(payload or b"{}")
        except ValueError as exc:
            raise HelpdeskFault("not_json") from exc
