"""WeCom (企业微信) callbacks and 微信客服 (WeChat customer service) messages as intake.

A callback is checked (signature, then the replay window: signed timestamp within 5 minutes, each
nonce once) before it is read; a customer's text is free-text intake (TextIntake), once per MsgId.
A 微信客服 event only says that a kf account has news: the callback leaves a sync request on the
queue and answers; the sync worker (`sync_kf`) pulls the messages page by page.

Nothing here logs message bodies or sender ids.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_lambda_powertools import Logger

from aftersales.channels import wecom, wecom_kf
from aftersales.channels.dedupe import Dedupe
from aftersales.channels.identity import platform_user_identity
from aftersales.channels.intake import IntakeResult, digest
from aftersales.channels.ports import IntegrationSettings, KfCursors, KfMessages, KfSyncRequests
from aftersales.channels.replay import ReplayWindow
from aftersales.channels.text_intake import TextIntake, TextMessage
from aftersales.core.errors import DomainError
from aftersales.logistics.verification import VerificationError

logger = Logger(child=True)
SOURCE = "wecom"
KF_SOURCE = "wecom_kf"  # 微信客服 msgids are their own id space
KF_MAX_PAGES = 20  # kf/sync_msg pages read per sync request (1000 messages each); the next event goes on


class WeComIntake:
    def __init__(self, settings: IntegrationSettings, replays: ReplayWindow, dedupe: Dedupe, text: TextIntake,
                 cursors: KfCursors, kf: KfMessages | None = None, kf_requests: KfSyncRequests | None = None
                 ) -> None:
        """`kf`: reads 微信客服 messages (kf/sync_msg); `kf_requests`: where the callback leaves a kf
        account's news for the sync worker; `cursors`: where each kf account's last sync stopped."""
        self._settings, self._replays, self._dedupe, self._text = settings, replays, dedupe, text
        self._cursors, self._kf, self._kf_requests = cursors, kf, kf_requests

    def _crypto(self, tenant_id: str) -> wecom.WeComCrypto:
        config = self._settings.get(tenant_id, "channel:wecom")
        if not config:
            raise VerificationError("webhook.signature_invalid", provider="wecom")
        return wecom.WeComCrypto(config["token"], config["encoding_aes_key"], config["corp_id"])

    def verify_url(self, tenant_id: str, query: Mapping[str, str]) -> str:
        """The decrypted echostr of WeCom's URL verification (GET)."""
        return self._crypto(tenant_id).verify_url(query.get("msg_signature", ""), query.get("timestamp", ""),
                                                  query.get("nonce", ""), query.get("echostr", ""))

    def message(self, tenant_id: str, query: Mapping[str, str], body: bytes) -> IntakeResult:
        """Signature, then the replay window (signed timestamp within 5 minutes, nonce once), then
        the message; a failed callback releases its nonce so WeCom's retry is taken."""
        xml_text = self._crypto(tenant_id).decrypt_message(query.get("msg_signature", ""),
                                                           query.get("timestamp", ""), query.get("nonce", ""), body)
        claim = self._replays.admit(tenant_id, query.get("timestamp", ""), query.get("nonce", ""))
        try:
            message = wecom.parse_message(xml_text)
            external_id = message.msg_id or digest(xml_text)
            result = self._dedupe.once(tenant_id, SOURCE, external_id,
                                       lambda: self._take(tenant_id, message, external_id))
        except Exception:
            self._replays.release(tenant_id, claim)
            raise
        if result is None:
            return IntakeResult(source=SOURCE, external_id=external_id, outcome="duplicate")
        return result

    def _take(self, tenant_id: str, message: wecom.WeComMessage, external_id: str) -> IntakeResult:
        if message.msg_type == "event" and message.event == wecom.KF_EVENT:
            return self._request_kf_sync(tenant_id, message, external_id)
        if message.msg_type != "text" or not message.sender:
            return IntakeResult(source=SOURCE, external_id=external_id, outcome="ignored", detail=message.msg_type)
        return self._text.file(tenant_id, TextMessage(
            channel=SOURCE, identities=(platform_user_identity(SOURCE, message.sender),),
            author=f"wecom:{digest(message.sender)}", body=message.content or "", external_id=external_id,
            contact=(SOURCE, message.sender)))

    # ------------------------------------------------------------------ 微信客服
    def _kf_reader(self, tenant_id: str) -> KfMessages | None:
        """The kf/sync_msg reader when this tenant's 微信客服 is configured (a kf secret), else None."""
        config = self._settings.get(tenant_id, "channel:wecom") or {}
        return self._kf if config.get("kf_secret") else None

    def _request_kf_sync(self, tenant_id: str, event: wecom.WeComMessage, external_id: str) -> IntakeResult:
        """WeCom wants the callback answered within 5 s and the messages pulled asynchronously: leave
        (tenant, kf account, Token, event id) on the sync queue; `sync_kf` reads the messages."""
        base = {"source": SOURCE, "external_id": external_id}
        if self._kf_requests is None or self._kf_reader(tenant_id) is None or not event.open_kfid:
            reason = "no_open_kfid" if not event.open_kfid else "kf_not_configured"
            logger.warning("wecom kf event ignored", extra={"reason": reason})
            return IntakeResult(**base, outcome="ignored", detail=reason)
        self._kf_requests.request(tenant_id, event.open_kfid, event.token, external_id)
        return IntakeResult(**base, outcome="queued")

    def sync_kf(self, tenant_id: str, open_kfid: str, token: str | None, *, event_id: str | None = None
                ) -> IntakeResult:
        """Read a kf account's messages from the stored cursor, page by page while WeCom has more, and
        move the cursor after each page whose items were all handled; each customer text is intake like
        an application message, once (msgid). A failure raises: the queue delivers the request again
        (then DLQ), and the cursor and the msgid markers make that safe."""
        base = {"source": SOURCE, "external_id": event_id}
        kf = self._kf_reader(tenant_id)
        if kf is None:  # the kf secret was removed after the event was queued
            logger.warning("wecom kf sync ignored", extra={"reason": "kf_not_configured"})
            return IntakeResult(**base, outcome="ignored", detail="kf_not_configured")
        cursor = self._cursors.kf_cursor(tenant_id, open_kfid)
        counts = {"pages": 0, "filed": 0, "parked": 0, "duplicate": 0, "ignored": 0}
        while True:
            try:
                page = kf.sync_msg(tenant_id, open_kfid=open_kfid, cursor=cursor, token=token,
                                   limit=wecom_kf.SYNC_LIMIT)
            except DomainError as exc:
                logger.error("wecom kf sync failed", extra={"code": exc.code, "errcode": exc.details.get("errcode"),
                                                            "pages": counts["pages"]})
                raise
            counts["pages"] += 1
            for item in page.messages:
                counts[self._kf_item(tenant_id, open_kfid, item)] += 1
            moved = bool(page.next_cursor) and page.next_cursor != cursor
            if moved:
                cursor = page.next_cursor
                self._cursors.save_kf_cursor(tenant_id, open_kfid, cursor)
            if not page.has_more:
                break
            if not moved or counts["pages"] >= KF_MAX_PAGES:  # a stuck cursor, or enough for one request:
                logger.warning("wecom kf sync stopped early", extra={"pages": counts["pages"], "moved": moved})
                break  # the next event goes on from the stored cursor
        logger.info("wecom kf synced", extra=counts)
        return IntakeResult(**base, outcome="synced", detail=" ".join(f"{k}={v}" for k, v in counts.items()))

    def _kf_item(self, tenant_id: str, open_kfid: str, item: wecom_kf.KfMessage) -> str:
        if not (item.customer_text and item.msgid and item.external_userid):
            return "ignored"  # servicer messages, events (enter_session, recalls, ...), non-text
        sender = item.external_userid
        message = TextMessage(channel=SOURCE, identities=(platform_user_identity(SOURCE, sender),),
                              author=f"wecom:{digest(sender)}", body=item.text or "", external_id=item.msgid,
                              contact=(SOURCE, sender), contact_details={"open_kfid": item.open_kfid or open_kfid})
        result = self._dedupe.once(tenant_id, KF_SOURCE, item.msgid, lambda: self._text.file(tenant_id, message))
        if result is None:
            return "duplicate"  # a page read again after a failure
        return "parked" if result.outcome == "parked" else "filed"
