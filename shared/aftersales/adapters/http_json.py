"""A small JSON-over-HTTPS client (stdlib urllib) for the chat platforms' REST APIs.

Network errors, timeouts and 5xx become DeliveryFailed (the queue retries); the caller interprets
the JSON body, because these platforms report their own errors inside a 200 response.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from aftersales.notifications.errors import DeliveryFailed


class UrllibJsonHttp:
    def __init__(self, timeout_seconds: float = 5.0) -> None:
        self._timeout = timeout_seconds

    def request(self, method: str, url: str, body: dict[str, Any] | str | None = None) -> dict[str, Any]:
        """`body` as a dict is serialised here; as a str it is sent byte for byte (signed bodies)."""
        if body is None:
            data = None
        else:
            data = (body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Content-Type": "application/json; charset=utf-8", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            raise DeliveryFailed("error.delivery_failed", channel=_host(url), provider_code=exc.code) from exc
        except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
            raise DeliveryFailed("error.delivery_failed", channel=_host(url), provider_code="connection") from exc
        try:
            decoded = json.loads(payload or b"{}")
        except ValueError as exc:
            raise DeliveryFailed("error.delivery_failed", channel=_host(url), provider_code="not_json") from exc
        if not isinstance(decoded, dict):
            raise DeliveryFailed("error.delivery_failed", channel=_host(url), provider_code="not_json")
        return decoded


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).hostname or "http"
