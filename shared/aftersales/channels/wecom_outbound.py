"""WeCom (企业微信) outbound: customer notifications as application messages.

- access token: GET /cgi-bin/gettoken?corpid=&corpsecret= -> {errcode, access_token, expires_in}
  (https://developer.work.weixin.qq.com/document/path/91039). WeCom returns the same token while
  it is valid, so each container caches it per tenant and renews it 5 minutes before expiry, or at
  once when a call says it is invalid or expired (40014, 42001, 41001).
- send: POST /cgi-bin/message/send?access_token= {touser, msgtype: text, agentid, text.content,
  enable_duplicate_check, duplicate_check_interval} -> {errcode, errmsg, invaliduser, msgid}
  (https://developer.work.weixin.qq.com/document/path/90236). WeCom's own duplicate check (same
  content to the same user within 30 min) covers the window where we sent but crashed before
  recording it.
- errors (https://developer.work.weixin.qq.com/document/path/90313): an unknown or out-of-scope
  user is permanent for this channel (RecipientUnreachable: the outbox tries the next channel);
  everything else, busy (-1), rate limits (45009, 45033) and configuration faults alike, is
  DeliveryFailed, so the queue retries and finally parks the message in the DLQ for a redrive
  once the tenant has fixed its settings.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from aftersales.channels.ports import IntegrationSettings, JsonHttp
from aftersales.channels.token_cache import TokenCache
from aftersales.core.clock import Clock
from aftersales.notifications.errors import DeliveryFailed, RecipientUnreachable

SETTINGS_NAME = "channel:wecom"
TOKEN_ERRORS = frozenset({40014, 42001, 41001})
UNREACHABLE_ERRORS = frozenset({40003, 81013, 82001})
DUPLICATE_CHECK_SECONDS = 1800
MAX_TEXT_BYTES = 2048  # message/send text.content limit


class WeComSender:
    """The `wecom` channel of the notifications outbox (ChannelSender port)."""

    channel = "wecom"

    def __init__(self, settings: IntegrationSettings, http: JsonHttp, clock: Clock,
                 api_base: str = "https://qyapi.weixin.qq.com") -> None:
        self._settings, self._http = settings, http
        self._base = api_base.rstrip("/")
        self._tokens = TokenCache(clock)

    def ready(self, tenant_id: str) -> bool:
        config = self._settings.get(tenant_id, SETTINGS_NAME) or {}
        return bool(config.get("secret") and config.get("agent_id"))

    def send(self, tenant_id: str, address: str, subject: str, body: str, *, idempotency_key: str) -> str:
        config = self._config(tenant_id)
        message = {"touser": address, "msgtype": "text", "agentid": int(config["agent_id"]),
                   "text": {"content": _truncate(body, MAX_TEXT_BYTES)},
                   "enable_duplicate_check": 1, "duplicate_check_interval": DUPLICATE_CHECK_SECONDS}
        reply = self._call(tenant_id, config, "/cgi-bin/message/send", message)
        invalid = {u for u in str(reply.get("invaliduser") or "").split("|") if u}
        if address in invalid:
            raise RecipientUnreachable("error.recipient_unreachable", channel=self.channel)
        return str(reply.get("msgid") or idempotency_key)

    # ------------------------------------------------------------------ token and calls
    def _config(self, tenant_id: str) -> dict[str, Any]:
        config = self._settings.get(tenant_id, SETTINGS_NAME) or {}
        if not (config.get("secret") and config.get("agent_id") and config.get("corp_id")):
            raise DeliveryFailed("error.delivery_failed", channel=self.channel, provider_code="not_configured")
        return config

    def _call(self, tenant_id: str, config: dict[str, Any], path: str, payload: dict[str, Any]) -> dict[str, Any]:
        for attempt in (1, 2):
            token = self._token(tenant_id, config, renew=attempt == 2)
            reply = self._http.request("POST", f"{self._base}{path}?{urllib.parse.urlencode({'access_token': token})}",
                                       payload)
            code = _errcode(reply)
            if code == 0:
                return reply
            if code in TOKEN_ERRORS and attempt == 1:
                continue  # expired or revoked early: renew once and resend
            if code in UNREACHABLE_ERRORS:
                raise RecipientUnreachable("error.recipient_unreachable", channel=self.channel)
            raise DeliveryFailed("error.delivery_failed", channel=self.channel, provider_code=code)
        raise AssertionError("unreachable")  # pragma: no cover

    def _token(self, tenant_id: str, config: dict[str, Any], *, renew: bool) -> str:
        def fetch() -> tuple[str, int]:
            query = urllib.parse.urlencode({"corpid": config["corp_id"], "corpsecret": config["secret"]})
            reply = self._http.request("GET", f"{self._base}/cgi-bin/gettoken?{query}")
            code = _errcode(reply)
            if code != 0 or not reply.get("access_token"):
                raise DeliveryFailed("error.delivery_failed", channel=self.channel, provider_code=code or "no_token")
            return str(reply["access_token"]), int(reply.get("expires_in") or 7200)

        return self._tokens.get(tenant_id, fetch, renew=renew)


def _errcode(reply: dict[str, Any]) -> int:
    try:
        return int(reply.get("errcode", 0))
    except (TypeError, ValueError):
        return -1


def _truncate(text: str, limit: int) -> str:
    raw = text.encode()
    if len(raw) <= limit:
        return text
    return raw[:limit - 3].decode(errors="ignore") + "…"
