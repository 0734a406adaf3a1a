"""A fake `stripe.HTTPClient` for contract tests: the SDK builds and parses real HTTP, this answers
each request with the next canned (status, body) and records method, URL, headers and body."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import stripe


class FakeStripeHttp(stripe.HTTPClient):
    name = "fake"

    def __init__(self, *answers: tuple[int, dict] | Exception) -> None:
        super().__init__()
        self.answers = list(answers)
        self.requests: list[dict] = []

    def __len__(self) -> int:
        return len(self.requests)

    def __contains__(self, path: object) -> bool:
        return any(r["url"].split("?")[0].endswith(str(path)) for r in self.requests)

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        body = post_data.encode() if isinstance(post_data, str) else post_data
        multipart = "multipart/form-data" in dict(headers or {}).get("Content-Type", "")
        self.requests.append({"method": method, "url": url, "headers": dict(headers or {}), "body": body or b"",
                              "form": {} if multipart or not body else parse_qs(body.decode())})
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, payload = answer
        return json.dumps(payload), status, {"request-id": "req_test"}

    def close(self):
        pass
