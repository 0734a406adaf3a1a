"""WeCom (企业微信) outbound: customer notifications and staff replies, as application messages to
members or, for WeChat customers who wrote to a 微信客服 account, as kf messages.

- token: `wecom_api.WeComClient` (gettoken per tenant and secret, cached, renewed once on
  40014 / 42001 / 41001).
- members: POST /cgi-bin/message/send?access_token= {touser, msgtype: text, agentid, text.content,
  enable_duplicate_check, duplicate_check_interval} -> {errcode, errmsg, invaliduser, msgid}
  (https://developer.work.weixin.qq.com/document/path/90236), with the self-built application's
  secret. WeCom's own duplicate check (same content to the same user within 30 min) covers the
  window where we sent but crashed before recording it.
- WeChat customers (a contact that carries the `open_kfid` they wrote to): POST /cgi-bin/kf/send_msg
  {touser: external_userid, open_kfid, msgid, msgtype: text, text.content} with the 微信客服 secret
  (`kf_secret`); see `wecom_kf` for its window (48 h, 5 messages) and error codes.
- errors (https://developer.work.weixin.qq.com/document/path/90313): a recipient WeCom cannot reach
  on this channel (unknown / out-of-scope member; a kf session closed, expired or over its message
  limit) is RecipientUnreachable: the outbox tries the next channel. Everything else, busy (-1),
  rate limits (45009, 45033) and configuration faults alike, is DeliveryFailed, so the queue retries
  and finally parks the message in the DLQ for a redrive once the tenant has fixed its settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aftersales.channels import wecom_kf
from aftersales.channels.ports import IntegrationSettings, JsonHttp
from aftersales.channels.wecom_api import WeComApiError, WeComClient, errcode
from aftersales.core.clock import Clock
from aftersales.notifications.errors import DeliveryFailed, RecipientUnreachable

SETTINGS_NAME = "channel:wecom"
UNREACHABLE_ERRORS = frozenset({40003, 81013, 82001})
DUPLICATE_CHECK_SECONDS = 1800
MAX_TEXT_BYTES = 2048  # message/send text.content limit


class WeComSender:
    """The `wecom` channel of the notifications outbox (ChannelSender port)."""

    channel = "wecom"

    def __init__(self, settings: IntegrationSettings, http: JsonHttp, clock: Clock,
                 api_base: str = "https://qyapi.weixin.qq.com", *, client: WeComClient | None = None) -> None:
        self._settings = settings
        self._client = client or WeComClient(http, clock, api_base)

    def ready(self, tenant_id: str) -> bool:
        config = self._settings.get(tenant_id, SETTINGS_NAME) or {}
        return bool(_app_ready(config) or _kf_ready(config))

    def send(self, tenant_id: str, contact: Mapping[str, Any], subject: str, body: str, *,
             idempotency_key: str) -> str:
        """A contact carrying `open_kfid` is a WeChat customer of that 微信客服 account (kf/send_msg);
        any other is a member of the company (message/send)."""
        config = self._settings.get(tenant_id, SETTINGS_NAME) or {}
        if not config.get("corp_id") or not (_app_ready(config) or _kf_ready(config)):
            raise DeliveryFailed("error.delivery_failed", channel=self.channel, provider_code="not_configured")
        address, open_kfid = contact["address"], contact.get("open_kfid")
        if open_kfid:
            if not _kf_ready(config):  # a WeChat customer, and this tenant has no 微信客服 secret
                raise RecipientUnreachable("error.recipient_unreachable", channel=self.channel)
            return self._send_kf(tenant_id, config, address, open_kfid, body, idempotency_key)
        if not _app_ready(config):  # a member, and this tenant only set up 微信客服
            raise RecipientUnreachable("error.recipient_unreachable", channel=self.channel)
        return self._send_app(tenant_id, config, address, body, idempotency_key)

    # ------------------------------------------------------------------ members: message/send
    def _send_app(self, tenant_id: str, config: dict[str, Any], address: str, body: str, key: str) -> str:
        message = {"touser": address, "msgtype": "text", "agentid": int(config["agent_id"]),
                   "text": {"content": wecom_kf.truncate(body, MAX_TEXT_BYTES)},
                   "enable_duplicate_check": 1, "duplicate_check_interval": DUPLICATE_CHECK_SECONDS}
        reply = self._post(tenant_id, config["corp_id"], config["secret"], "/cgi-bin/message/send", message,
                           token_key=tenant_id)
        code = errcode(reply)
        if code in UNREACHABLE_ERRORS:
            raise RecipientUnreachable("error.recipient_unreachable", channel=self.channel)
        if code != 0:
            raise DeliveryFailed("error.delivery_failed", channel=self.channel, provider_code=code)
        invalid = {u for u in str(reply.get("invaliduser") or "").split("|") if u}
        if address in invalid:
            raise RecipientUnreachable("error.recipient_unreachable", channel=self.channel)
        return str(reply.get("msgid") or key)

    # ------------------------------------------------------------------ WeChat customers: kf/send_msg
    def _send_kf(self, tenant_id: str, config: dict[str, Any], address: str, open_kfid: str, body: str,
                 key: str) -> str:
        msgid = wecom_kf.message_id(key)
        message = wecom_kf.send_request(external_userid=address, open_kfid=open_kfid, content=body, msgid=msgid)
        reply = self._post(tenant_id, config["corp_id"], config["kf_secret"], "/cgi-bin/kf/send_msg", message,
                           token_key=wecom_kf.token_key(tenant_id, config))
        code = errcode(reply)
        if code in wecom_kf.UNREACHABLE_ERRORS:
            raise RecipientUnreachable("error.recipient_unreachable", channel=self.channel, provider_code=code)
        if code != 0:
            raise DeliveryFailed("error.delivery_failed", channel=self.channel, provider_code=code)
        return str(reply.get("msgid") or msgid)

    def _post(self, tenant_id: str, corp_id: str, secret: str, path: str, payload: dict[str, Any], *,
              token_key: str) -> dict[str, Any]:
        try:
            return self._client.post(tenant_id, corp_id, secret, path, payload, token_key=token_key)
        except WeComApiError as exc:  # no token (bad secret, ...): retried, then DLQ
            raise DeliveryFailed("error.delivery_failed", channel=self.channel,
                                 provider_code=exc.details.get("errcode")) from exc


def _app_ready(config: dict[str, Any]) -> bool:
    return bool(config.get("secret") and config.get("agent_id"))


def _kf_ready(config: dict[str, Any]) -> bool:
    return bool(config.get("kf_secret"))
