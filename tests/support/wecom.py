"""Stand-ins for the WeCom contract tests: the tenant's WeCom settings, and qyapi answering
gettoken with the recorded reply (numbered tokens) and every other call with scripted replies."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.support.fixture_files import load

TOKEN = load("wecom/skit/CgibinGetTokenResponse.json")


class Settings:
    def __init__(self, config: dict | None) -> None:
        self.config = config

    def get(self, tenant_id: str, name: str) -> dict | None:
        return dict(self.config) if self.config and name == "channel:wecom" else None


class WeComApi:
    def __init__(self, replies: list[dict] | None = None, *, default_msgid: str = "msg-1") -> None:
        self.calls: list[tuple[str, str, dict, dict | None]] = []
        self.replies = list(replies or [])
        self.tokens = 0
        self._default = {"errcode": 0, "errmsg": "ok", "msgid": default_msgid}

    def request(self, method: str, url: str, body: dict | None = None) -> dict:
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.calls.append((method, parts.path, query, body))
        if parts.path == "/cgi-bin/gettoken":
            self.tokens += 1
            return {**TOKEN, "access_token": f"{TOKEN['access_token']}-{self.tokens}"}
        return self.replies.pop(0) if self.replies else dict(self._default)

    def paths(self) -> list[str]:
        return [path for _, path, _, _ in self.calls]
