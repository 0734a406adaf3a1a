"""The WeCom (企业微信) server API client shared by the outbound sender and the 微信客服 sync.

- access token: GET /cgi-bin/gettoken?corpid=&corpsecret= -> {errcode, access_token, expires_in}
  (https://developer.work.weixin.qq.com/document/path/91039). One token per (tenant, secret): the
  self-built application's secret for message/send, the 微信客服 secret for kf/* (the same token
  when both secrets are the same). WeCom returns the same token while it is valid, so each
  container caches it and renews it 5 minutes before expiry, or at once when a call says it is
  invalid or expired (40014, 42001, 41001: https://developer.work.weixin.qq.com/document/path/90313),
  and makes that call once more.
- Callers read the other error codes themselves (what is "unreachable" depends on the API).
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from aftersales.channels.ports import JsonHttp
from aftersales.channels.token_cache import TokenCache
from aftersales.core.clock import Clock
from aftersales.core.errors import DomainError

TOKEN_ERRORS = frozenset({40014, 42001, 41001})


class WeComApiError(DomainError):
    """WeCom refused a call (or no token could be had): `errcode` is WeCom's code, or a short reason."""

    code = "wecom_api_error"


class WeComClient:
    def __init__(self, http: JsonHttp, clock: Clock, api_base: str = "https://qyapi.weixin.qq.com") -> None:
        self._http = http
        self._base = api_base.rstrip("/")
        self._tokens = TokenCache(clock)

    def post(self, tenant_id: str, corp_id: str, secret: str, path: str, payload: dict[str, Any], *,
             token_key: str | None = None) -> dict[str, Any]:
        """POST `payload` with a corp access token for (corp_id, secret). A token error renews the
        token and sends once more; the reply is returned whatever its errcode (see `errcode()`).
        `token_key` names the cache slot (default: the tenant); raises WeComApiError when
        gettoken itself fails, DeliveryFailed (from the HTTP adapter) on network errors and 5xx."""
        reply: dict[str, Any] = {}
        for attempt in (1, 2):
            token = self._token(token_key or tenant_id, corp_id, secret, renew=attempt == 2)
            reply = self._http.request(
                "POST", f"{self._base}{path}?{urllib.parse.urlencode({'access_token': token})}", payload)
            if errcode(reply) not in TOKEN_ERRORS:
                return reply
        return reply  # a fresh token was refused as well: the caller decides

    def _token(self, key: str, corp_id: str, secret: str, *, renew: bool) -> str:
        def fetch() -> tuple[str, int]:
            query = urllib.parse.urlencode({"corpid": corp_id, "corpsecret": secret})
            reply = self._http.request("GET", f"{self._base}/cgi-bin/gettoken?{query}")
            code = errcode(reply)
            if code != 0 or not reply.get("access_token"):
                raise WeComApiError("error.wecom_api_failed", errcode=code or "no_token", api="gettoken")
            return str(reply["access_token"]), int(reply.get("expires_in") or 7200)

        return self._tokens.get(key, fetch, renew=renew)


def errcode(reply: dict[str, Any]) -> int:
    try:
        return int(reply.get("errcode", 0))
    except (TypeError, ValueError):
        return -1
