"""微信客服 (WeChat Customer Service, "kf"): how external WeChat users reach a merchant on WeCom.

Inbound is pull-based (https://developer.work.weixin.qq.com/document/path/94670): the callback URL
gets only an event (`kf_msg_or_event` with a Token and the OpenKfId that has news); the messages
are read with POST /cgi-bin/kf/sync_msg {cursor, token, limit, open_kfid} -> {errcode, next_cursor,
has_more, msg_list[]}, paging while `has_more` is 1. Items have an `origin`: 3 = sent by the WeChat
customer, 4 = system event, 5 = sent by a servicer in the WeCom client; only customer text becomes
intake. The cursor is ours to keep (per tenant and kf account); without one WeCom starts at the
oldest message of the last 3 days.

Outbound (https://developer.work.weixin.qq.com/document/path/94677): POST /cgi-bin/kf/send_msg
{touser: external_userid, open_kfid, msgid, msgtype: text, text.content (<= 2048 bytes)}, allowed
for 48 hours after the customer's last message and for at most 5 messages per customer message,
and only while the session is not with a human servicer in the WeCom client.

Error codes (https://developer.work.weixin.qq.com/document/path/90313, 95xxx = 微信客服): the
customer cannot be reached *now* on this channel -> RecipientUnreachable, the outbox tries e-mail:
  95001 over the 5-message limit, 95002 past the 48-hour window, 95013 session ended,
  95018 the session's state does not allow API sends (human servicer, or > 48 h),
  95000 / 95004 invalid / deleted kf account (open_kfid), 40096 invalid external_userid.
Everything else (busy, rate limits, 95007 stale sync token, 95011 / 95012 / 95017 / 48002 secret or
permission set up wrong) is a failure the caller surfaces: the queue retries the notification (then
DLQ), the kf sync worker (functions/wecom_kf_sync) fails its SQS record so the queue retries it
(then DLQ) and our logs show it.

This module is pure (request bodies, page parsing, error classes); the adapter that calls WeCom is
`WeComKfSync` below and the sender in `wecom_outbound`, both on `wecom_api.WeComClient`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import ConfigDict

from aftersales.channels.ports import IntegrationSettings
from aftersales.channels.wecom_api import WeComApiError, WeComClient, errcode
from aftersales.core.model import DomainModel
from aftersales.notifications.errors import DeliveryFailed

SETTINGS_NAME = "channel:wecom"
SYNC_LIMIT = 1000  # the documented default and maximum
ORIGIN_CUSTOMER = 3
MAX_TEXT_BYTES = 2048  # kf/send_msg text.content
UNREACHABLE_ERRORS = frozenset({95000, 95001, 95002, 95004, 95013, 95018, 40096})


class KfMessage(DomainModel):
    """One `msg_list` item of kf/sync_msg, reduced to what intake reads (never logged)."""

    model_config = ConfigDict(frozen=True)

    msgid: str | None = None
    open_kfid: str | None = None
    external_userid: str | None = None
    origin: int | None = None
    msgtype: str = "unknown"
    send_time: int | None = None
    text: str | None = None  # text.content of msgtype "text"

    @property
    def customer_text(self) -> bool:
        """A text the WeChat customer wrote (not a servicer's message, not an event)."""
        return (self.origin == ORIGIN_CUSTOMER and self.msgtype == "text" and bool(self.msgid)
                and bool(self.external_userid))


class KfSyncPage(DomainModel):
    model_config = ConfigDict(frozen=True)

    messages: list[KfMessage]
    next_cursor: str | None = None
    has_more: bool = False


def sync_request(*, open_kfid: str, cursor: str | None, token: str | None, limit: int = SYNC_LIMIT
                 ) -> dict[str, Any]:
    body: dict[str, Any] = {"limit": limit, "open_kfid": open_kfid}
    if cursor:
        body["cursor"] = cursor
    if token:
        body["token"] = token
    return body


def parse_sync_page(reply: dict[str, Any]) -> KfSyncPage:
    messages = []
    for item in reply.get("msg_list") or []:
        if not isinstance(item, dict):
            continue
        text = item.get("text")
        origin = item.get("origin")
        send_time = item.get("send_time")
        messages.append(KfMessage(
            msgid=_str(item.get("msgid")), open_kfid=_str(item.get("open_kfid")),
            external_userid=_str(item.get("external_userid")),
            origin=origin if isinstance(origin, int) else None, msgtype=str(item.get("msgtype") or "unknown"),
            send_time=send_time if isinstance(send_time, int) else None,
            text=_str(text.get("content")) if isinstance(text, dict) else None))
    return KfSyncPage(messages=messages, next_cursor=_str(reply.get("next_cursor")) or None,
                      has_more=str(reply.get("has_more", 0)) in ("1", "True", "true"))


def send_request(*, external_userid: str, open_kfid: str, content: str, msgid: str) -> dict[str, Any]:
    return {"touser": external_userid, "open_kfid": open_kfid, "msgid": msgid, "msgtype": "text",
            "text": {"content": truncate(content, MAX_TEXT_BYTES)}}


def message_id(idempotency_key: str) -> str:
    """kf/send_msg takes our own msgid (<= 32 bytes, [0-9a-zA-Z_-]) and echoes it back: derived from
    the outbox key, so a resend of the same notification carries the same id."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]


def token_key(tenant_id: str, config: dict[str, Any]) -> str:
    """The token cache slot of the kf secret: the application's slot when it is the same secret
    (a self-built app authorised for 微信客服), else its own."""
    return tenant_id if config.get("kf_secret") == config.get("secret") else f"{tenant_id}#kf"


def truncate(text: str, limit: int) -> str:
    raw = text.encode()
    if len(raw) <= limit:
        return text
    return raw[:limit - 3].decode(errors="ignore") + "…"


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class WeComKfSync:
    """The KfMessages port: kf/sync_msg with the tenant's 微信客服 secret."""

    def __init__(self, settings: IntegrationSettings, client: WeComClient) -> None:
        self._settings, self._client = settings, client

    def sync_msg(self, tenant_id: str, *, open_kfid: str, cursor: str | None, token: str | None,
                 limit: int = SYNC_LIMIT) -> KfSyncPage:
        config = self._settings.get(tenant_id, SETTINGS_NAME) or {}
        if not (config.get("kf_secret") and config.get("corp_id")):
            raise WeComApiError("error.wecom_api_failed", errcode="kf_not_configured", api="kf/sync_msg")
        try:
            reply = self._client.post(tenant_id, config["corp_id"], config["kf_secret"], "/cgi-bin/kf/sync_msg",
                                      sync_request(open_kfid=open_kfid, cursor=cursor, token=token, limit=limit),
                                      token_key=token_key(tenant_id, config))
        except DeliveryFailed as exc:  # network / 5xx from the HTTP adapter
            raise WeComApiError("error.wecom_api_failed", errcode=exc.details.get("provider_code"),
                                api="kf/sync_msg") from exc
        code = errcode(reply)
        if code != 0:
            raise WeComApiError("error.wecom_api_failed", errcode=code, api="kf/sync_msg")
        return parse_sync_page(reply)
