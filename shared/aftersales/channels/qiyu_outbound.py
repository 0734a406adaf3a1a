"""NetEase Qiyu (网易七鱼) outbound: a ticket's reply into the visitor's Qiyu session.

POST {api_base}/openapi/message/send?appKey=&time=&checksum= with the JSON body
{uid, msgType: "TEXT", content} (Qiyu's message interface, sample SessionClient.sendTextMessage);
checksum = SHA1(appSecret + md5(body) + time), the push scheme (`im_signatures.qiyu_checksum`), so the
body is sent byte for byte as signed. The answer is {code, message}; 200 is sent. Qiyu documents no
idempotency key for it: the notifications outbox's once-per-reply marker is the guard. Any other code,
a network error or a 5xx is DeliveryFailed: the outbox queue retries, then parks it in its DLQ.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from aftersales.channels.im_signatures import qiyu_checksum
from aftersales.channels.ports import IntegrationSettings, JsonHttp
from aftersales.core.clock import Clock
from aftersales.notifications.errors import DeliveryFailed

SETTINGS_NAME = "channel:qiyu"
SEND_PATH = "/openapi/message/send"
MAX_TEXT_CHARS = 5000


def send_request(uid: str, content: str) -> dict[str, Any]:
    return {"uid": uid, "msgType": "TEXT", "content": content[:MAX_TEXT_CHARS]}


class QiyuSender:
    """The `qiyu` channel of the notifications outbox (ChannelSender port)."""

    channel = "qiyu"

    def __init__(self, settings: IntegrationSettings, http: JsonHttp, clock: Clock,
                 api_base: str = "https://qiyukf.com") -> None:
        self._settings, self._http, self._clock, self._base = settings, http, clock, api_base.rstrip("/")

    def ready(self, tenant_id: str) -> bool:
        config = self._settings.get(tenant_id, SETTINGS_NAME) or {}
        return bool(config.get("app_key") and config.get("app_secret"))

    def send(self, tenant_id: str, contact: Mapping[str, Any], subject: str, body: str, *,
             idempotency_key: str) -> str:
        config = self._settings.get(tenant_id, SETTINGS_NAME) or {}
        if not (config.get("app_key") and config.get("app_secret")):
            raise DeliveryFailed("error.delivery_failed", channel=self.channel, provider_code="not_configured")
        raw = json.dumps(send_request(contact["address"], body), ensure_ascii=False, separators=(",", ":"))
        time = int(self._clock.now().timestamp())
        query = urlencode({"appKey": config["app_key"], "time": time,
                           "checksum": qiyu_checksum(config["app_secret"], raw.encode(), time)})
        reply = self._http.request("POST", f"{self._base}{SEND_PATH}?{query}", raw)
        code = reply.get("code")
        if code != 200:
            raise DeliveryFailed("error.delivery_failed", channel=self.channel, provider_code=code)
        return idempotency_key
