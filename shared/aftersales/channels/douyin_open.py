"""Douyin shop (抖店) open API client: signed calls with a per-tenant shop access token.

- Call: POST {base}/{method with "." -> "/"}?app_key&method&v=2&timestamp&sign_method=hmac-sha256
  &sign&access_token, body = param_json. param_json has its keys sorted at every depth, no spaces,
  non-ASCII and "/" unescaped, and the signed text must be exactly the body sent.
- sign = hex HMAC-SHA256(app_secret, app_secret + "app_key"K + "method"M + "param_json"P +
  "timestamp"T + "v2" + app_secret) — the official SDKs' scheme (sign_util in the Go SDK).
- Token: `token.create` with grant_type authorization_self and the shop id (a self-use app) ->
  data.access_token, data.expires_in (seconds left). Cached per container and tenant, renewed
  5 minutes early or when a call answers 40003 isv.access-token-expired / -no-existed.
- Envelope: {code: 10000 = success, msg, sub_code, sub_msg, log_id, data}; legacy responses carry
  err_no 0 instead. 20000/20001 (service error, timeout), 60000 (traffic limit) and 90000 are worth
  a retry (DeliveryFailed); anything else is a refusal the merchant must act on (PlatformRefused).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.parse
from typing import Any

from aftersales.channels.ports import IntegrationSettings, JsonHttp
from aftersales.channels.token_cache import TokenCache
from aftersales.core.clock import Clock
from aftersales.core.errors import DomainError
from aftersales.notifications.errors import DeliveryFailed

SETTINGS_NAME = "channel:douyin"
SUCCESS = 10000
TOKEN_SUB_CODES = frozenset({"isv.access-token-expired", "isv.access-token-no-existed"})
RETRY_CODES = frozenset({20000, 20001, 60000, 90000})


class PlatformRefused(DomainError):
    """Douyin refused the call for a reason retrying will not fix (state, parameters, permissions)."""

    code = "platform_refused"


def param_json(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sign(app_key: str, app_secret: str, method: str, params: str, timestamp: str) -> str:
    text = f"{app_secret}app_key{app_key}method{method}param_json{params}timestamp{timestamp}v2{app_secret}"
    return hmac.new(app_secret.encode(), text.encode(), hashlib.sha256).hexdigest()


class DouyinShopClient:
    def __init__(self, settings: IntegrationSettings, http: JsonHttp, clock: Clock,
                 api_base: str = "https://openapi-fxg.jinritemai.com") -> None:
        self._settings, self._http, self._clock = settings, http, clock
        self._base = api_base.rstrip("/")
        self._tokens = TokenCache(clock)

    def configured(self, tenant_id: str) -> bool:
        config = self._settings.get(tenant_id, SETTINGS_NAME) or {}
        return bool(config.get("shop_id"))

    def call(self, tenant_id: str, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """The `data` of a successful call."""
        config = self._settings.get(tenant_id, SETTINGS_NAME) or {}
        if not config.get("shop_id"):
            raise PlatformRefused("douyin.shop_not_configured")
        for attempt in (1, 2):
            token = self._token(tenant_id, config, renew=attempt == 2)
            reply = self._signed(config, method, params, token)
            code, sub_code = _code(reply), str(reply.get("sub_code") or "")
            if code == SUCCESS:
                return reply.get("data") or {}
            if attempt == 1 and sub_code in TOKEN_SUB_CODES:
                continue
            raise _failure(reply, code, sub_code)
        raise AssertionError("unreachable")  # pragma: no cover

    def _signed(self, config: dict[str, Any], method: str, params: dict[str, Any], token: str | None
                ) -> dict[str, Any]:
        body = param_json(params)
        timestamp = str(int(self._clock.now().timestamp()))
        query = {"app_key": config["app_key"], "method": method, "v": "2", "timestamp": timestamp,
                 "sign_method": "hmac-sha256",
                 "sign": sign(config["app_key"], config["app_secret"], method, body, timestamp)}
        if token:
            query["access_token"] = token
        url = f"{self._base}/{method.replace('.', '/')}?{urllib.parse.urlencode(query)}"
        return self._http.request("POST", url, body)

    def _token(self, tenant_id: str, config: dict[str, Any], *, renew: bool) -> str:
        def fetch() -> tuple[str, int]:
            reply = self._signed(config, "token.create", {
                "code": "", "grant_type": "authorization_self", "shop_id": str(config["shop_id"])}, None)
            code, data = _code(reply), reply.get("data") or {}
            if code != SUCCESS or not data.get("access_token"):
                raise _failure(reply, code, str(reply.get("sub_code") or ""))
            return str(data["access_token"]), int(data.get("expires_in") or 0)

        return self._tokens.get(tenant_id, fetch, renew=renew)


def _code(reply: dict[str, Any]) -> int:
    if "code" in reply:
        try:
            return int(reply["code"])
        except (TypeError, ValueError):
            return -1
    return SUCCESS if reply.get("err_no") == 0 else -1  # legacy envelope


def _failure(reply: dict[str, Any], code: int, sub_code: str) -> DomainError:
    details = {"provider_code": code, "sub_code": sub_code, "sub_msg": str(reply.get("sub_msg") or "")[:200],
               "log_id": reply.get("log_id")}
    if code in RETRY_CODES:
        return DeliveryFailed("error.delivery_failed", channel="douyin", **details)
    return PlatformRefused("douyin.platform_refused", **details)
