"""Douyin write-back: decisions taken on a ticket that mirrors a Douyin after-sale are sent to
Douyin (`afterSale.operate`), which shows them to the buyer and moves the money.

One domain event -> at most one call. The outcome is in the ticket's audit chain either way:
`ticket.platform_synced`, or `ticket.platform_sync_failed` with Douyin's reason, so an agent can
finish the step in the 抖店 back office. Retryable faults (network, Douyin busy or rate limited)
fail the queue record instead: SQS retries it, then parks it in the DLQ.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from aftersales.channels.douyin import AfterSaleKind
from aftersales.channels.douyin_open import SETTINGS_NAME, DouyinShopClient, PlatformRefused
from aftersales.channels.douyin_writeback import EVENTS, operate_params, reported_by_douyin
from aftersales.channels.ports import IntakeStore, IntegrationSettings
from aftersales.core.errors import DomainError, InvalidRequest
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Role
from aftersales.tickets.service import TicketService

logger = Logger(child=True)
SYSTEM = Actor(id="system:douyin-writeback", roles=frozenset({Role.SYSTEM}))
SYNCED, SYNC_FAILED = "ticket.platform_synced", "ticket.platform_sync_failed"
PLATFORM = "douyin"


class DouyinWriteback:
    def __init__(self, store: IntakeStore, settings: IntegrationSettings, client: DouyinShopClient,
                 tickets: TicketService) -> None:
        self._store, self._settings, self._client, self._tickets = store, settings, client, tickets

    def handle(self, event: dict[str, Any]) -> str:
        name, detail = event.get("detail-type") or "", event.get("detail") or {}
        if name not in EVENTS:
            return "ignored"
        if reported_by_douyin(detail.get("reason")):
            return "reported_by_douyin"  # Douyin told us: nothing to tell it back
        tenant_id, ticket_id = detail["tenant_id"], detail["ticket_id"]
        ref = self._store.external_ref(tenant_id, ticket_id, PLATFORM)
        if ref is None:
            return "not_a_douyin_after_sale"
        if not self._client.configured(tenant_id):
            return "write_back_off"  # the tenant receives Douyin pushes but has not enabled write-back
        config = self._settings.get(tenant_id, SETTINGS_NAME) or {}
        try:
            params = operate_params(name, AfterSaleKind(ref["kind"]), ref["aftersale_id"],
                                    reason=detail.get("reason"), data=detail.get("data") or {}, config=config)
        except InvalidRequest as exc:
            return self._failed(tenant_id, ticket_id, name, ref, exc)
        if params is None:
            return "no_counterpart"
        if not self._store.first_seen(tenant_id, "douyin-writeback", detail["dedup_key"]):
            return "duplicate"
        try:
            data = self._client.call(tenant_id, "afterSale.operate", params)
            item = next(iter(data.get("items") or []), {})
            if int(item.get("status_code") or 0) != 0:
                raise PlatformRefused("douyin.platform_refused", provider_code=item.get("status_code"), sub_code="",
                                      sub_msg=str(item.get("status_msg") or "")[:200])
        except PlatformRefused as exc:
            return self._failed(tenant_id, ticket_id, name, ref, exc)
        except Exception:
            self._store.forget(tenant_id, "douyin-writeback", detail["dedup_key"])  # the retry calls again
            raise
        self._tickets.note(tenant_id, ticket_id, SYNCED, SYSTEM, reason=name, data={
            "platform": PLATFORM, "aftersale_id": ref["aftersale_id"], "operate_type": params["type"]})
        logger.info("douyin write-back done", extra={"event": name, "operate_type": params["type"]})
        return "written"

    def _failed(self, tenant_id: str, ticket_id: str, name: str, ref: dict[str, Any], exc: DomainError) -> str:
        details = {k: v for k, v in exc.details.items() if k != "field"}
        self._tickets.note(tenant_id, ticket_id, SYNC_FAILED, SYSTEM, reason=exc.message_id, data={
            "platform": PLATFORM, "aftersale_id": ref["aftersale_id"], "step": name, "details": details})
        logger.warning("douyin write-back refused", extra={"event": name, "reason": exc.message_id})
        return "refused"
