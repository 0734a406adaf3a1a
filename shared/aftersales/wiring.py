"""Composition root: connects ports to adapters on first use (never at import).

Tests and the local stack may replace pieces with `override(...)`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from aftersales.core.clock import Clock, clock_from_env
from aftersales.core.settings import Settings, get_settings
from aftersales.tenants.service import TenantService
from aftersales.tickets.service import TicketService


@dataclass
class Services:
    settings: Settings
    clock: Clock
    tickets: TicketService
    tenants: TenantService
    money: Any = None  # MoneyServices (approvals, risk, refunds), built on first use
    sla: Any = None  # SlaServices (engine, dispatch), built on first use

    def __post_init__(self) -> None:
        if self.sla is None:
            self.sla = _Lazy(lambda: build_sla(self.tickets, self.clock, approver=_MoneyApprover(self)))

    @cached_property
    def channels(self) -> ChannelServices:
        """Logistics, channels and notifications, built on first use."""
        return build_channels(self)


_override: Services | None = None


def override(services: Services | None) -> None:
    global _override
    _override = services


def services() -> Services:
    return _override or _default_services()


@lru_cache(maxsize=1)
def _default_services() -> Services:
    from aftersales.adapters.dynamo.models import bind
    from aftersales.adapters.dynamo.store import DynamoTicketStore
    from aftersales.adapters.dynamo.tenants import DynamoTenantDirectory

    settings = get_settings()
    bind(settings.tickets_table, settings.orders_table, settings.tenants_table)
    clock = clock_from_env()
    store = DynamoTicketStore()
    tickets = TicketService(store, clock)
    return Services(settings=settings, clock=clock, tickets=tickets,
                    tenants=TenantService(DynamoTenantDirectory(), clock),
                    money=_Lazy(lambda: build_money(tickets, store, clock)))


class _Lazy:
    """Builds a context's services on first attribute access: no tables bound at import, and the
    cold start of a function that never touches the context stays lean."""

    def __init__(self, factory) -> None:
        self._factory = factory
        self._built = None

    def __getattr__(self, name: str):
        if self._built is None:
            self._built = self._factory()
        return getattr(self._built, name)


@dataclass
class MoneySettings:
    """Environment of the approvals/refunds functions (template.yaml, approvals/refunds section)."""

    money_table: str
    event_bus: str
    approval_state_machine_arn: str
    refund_state_machine_arn: str
    payment_provider: str  # "sandbox" | "stripe"
    sandbox_behaviour: str
    stripe_secret_key: str
    stripe_webhook_secret: str

    @classmethod
    def from_env(cls) -> MoneySettings:
        env = os.environ.get
        return cls(money_table=env("MONEY_TABLE", "aftersales-money"),
                   event_bus=env("EVENT_BUS_NAME", "aftersales-domain"),
                   approval_state_machine_arn=env("APPROVAL_STATE_MACHINE_ARN", ""),
                   refund_state_machine_arn=env("REFUND_STATE_MACHINE_ARN", ""),
                   payment_provider=env("PAYMENT_PROVIDER", "sandbox"),
                   sandbox_behaviour=env("SANDBOX_PROVIDER", ""),
                   stripe_secret_key=env("STRIPE_SECRET_KEY", ""),
                   stripe_webhook_secret=env("STRIPE_WEBHOOK_SECRET", ""))


@dataclass
class MoneyServices:
    settings: MoneySettings
    approvals: Any
    risk: Any
    refunds: Any
    workflows: Any
    events: Any
    config: Any
    webhooks: Any
    providers: dict
    returns: Any = None  # ReturnService: return shipment and inspection


def build_money(tickets: TicketService, store, clock: Clock) -> MoneyServices:
    from aftersales.adapters.aws_workflows import OutboundEvents, StepFunctionsGateway
    from aftersales.adapters.dynamo import money as m
    from aftersales.approvals.service import ApprovalService
    from aftersales.refunds.returns import ReturnService
    from aftersales.refunds.service import RefundService
    from aftersales.risk.service import RiskService

    cfg = MoneySettings.from_env()
    m.bind(cfg.money_table)
    workflows = StepFunctionsGateway()
    risk = RiskService(m.DynamoCounterStore(), clock)
    ledger = m.DynamoPaymentLedgerStore()
    providers: dict = {}

    def provider_for(tenant_id: str):
        if tenant_id not in providers:
            if cfg.payment_provider == "stripe" and cfg.stripe_secret_key:
                from aftersales.adapters.stripe_payments import StripePaymentProvider

                providers[tenant_id] = StripePaymentProvider(cfg.stripe_secret_key)
            else:
                from aftersales.adapters.sandbox_payments import SandboxBehaviour, SandboxPaymentProvider

                providers[tenant_id] = SandboxPaymentProvider(
                    tenant_id, clock, SandboxBehaviour.parse(cfg.sandbox_behaviour))
        return providers[tenant_id]

    return MoneyServices(
        settings=cfg,
        approvals=ApprovalService(tickets, store, risk, m.DynamoPolicyRepository(), m.DynamoReviewRepository(),
                                  workflows, clock),
        risk=risk,
        refunds=RefundService(tickets, store, ledger, m.DynamoRefundStore(ledger), provider_for, clock,
                              config=m.DynamoTenantMoneyConfig()),
        workflows=workflows, events=OutboundEvents(cfg.event_bus), config=m.DynamoTenantMoneyConfig(),
        webhooks=m.DynamoWebhookLedger(), providers=providers, returns=ReturnService(tickets))


@dataclass
class SlaServices:
    engine: Any  # aftersales.sla.service.SlaService
    dispatch: Any  # aftersales.dispatch.service.DispatchService
    store: Any
    dispatch_store: Any


class _MoneyApprover:
    """The SLA engine's TimeoutApprover: the approvals service, built when first needed."""

    def __init__(self, svc: Services) -> None:
        self.services = svc

    def approve_on_timeout(self, tenant_id: str, ticket_id: str, reason: str, data: dict[str, Any]) -> Any:
        return self.services.money.approvals.approve_on_timeout(tenant_id, ticket_id, reason, data)


def build_sla(tickets: TicketService, clock: Clock, notifier: Any = None, pages: Any = None,
              page_size: int | None = None, approver: Any = None) -> SlaServices:
    """SLA engine and dispatch on the SLA/dispatch tables (SLA_TABLE, DISPATCH_TABLE); policy
    recomputes are paged through the tracker's queue (SLA_TRACKER_QUEUE_URL)."""
    from aftersales.adapters.dynamo import sla as tables
    from aftersales.adapters.eventbridge import EventBridgeNotifier
    from aftersales.adapters.sla_pages import SqsRecomputePages
    from aftersales.dispatch.service import DispatchService
    from aftersales.sla.service import RECOMPUTE_PAGE_SIZE, SlaService

    settings = get_settings()
    tables.bind(settings.sla_table, settings.dispatch_table)
    store, dispatch_store = tables.DynamoSlaStore(), tables.DynamoDispatchStore()
    dispatch = DispatchService(dispatch_store, tickets, clock, calendars=store.calendars_for)
    engine = SlaService(store, tickets, dispatch, notifier or EventBridgeNotifier(settings.event_bus_name), clock,
                        approver,
                        pages=pages or SqsRecomputePages(os.environ.get("SLA_TRACKER_QUEUE_URL", "")),
                        page_size=page_size or int(os.environ.get("SLA_RECOMPUTE_PAGE_SIZE", RECOMPUTE_PAGE_SIZE)))
    return SlaServices(engine=engine, dispatch=dispatch, store=store, dispatch_store=dispatch_store)


def reset() -> None:
    """Forget cached wiring (settings changed, e.g. between tests)."""
    override(None)
    _default_services.cache_clear()
    get_settings.cache_clear()


# ---------------------------------------------------------------------- channels, logistics, notifications
@dataclass
class ChannelServices:
    logistics: Any
    intake: Any
    notifications: Any
    attachments: Any
    douyin_writeback: Any
    replies: Any


def build_channels(svc: Services) -> ChannelServices:
    from aftersales.adapters.aws_intake import (
        EventBridgeAlerts,
        S3Attachments,
        SesEmailSender,
        SqsDouyinIntakeQueue,
        SqsKfSyncRequests,
    )
    from aftersales.adapters.dynamo.intake import (
        DynamoConversationStore,
        DynamoIntakeStore,
        DynamoIntegrationSettings,
        bind_channels,
    )
    from aftersales.adapters.dynamo.logistics import DynamoParcelStore, bind_logistics
    from aftersales.adapters.http_json import UrllibJsonHttp
    from aftersales.channels.douyin_open import DouyinShopClient
    from aftersales.channels.service import IntakeService
    from aftersales.channels.settings_cache import CachedSettings
    from aftersales.channels.wecom_api import WeComClient
    from aftersales.channels.wecom_kf import WeComKfSync
    from aftersales.channels.wecom_outbound import WeComSender
    from aftersales.channels.writeback import DouyinWriteback
    from aftersales.logistics.service import TrackingService
    from aftersales.notifications.replies import ReplyService
    from aftersales.notifications.service import NotificationService

    cfg = svc.settings
    bind_logistics(cfg.logistics_table)
    bind_channels(cfg.channels_table)
    store = DynamoIntakeStore()
    settings = CachedSettings(DynamoIntegrationSettings(), ttl=cfg.integration_settings_ttl_seconds)
    attachments = S3Attachments(cfg.attachments_bucket)
    conversations = DynamoConversationStore()
    http = UrllibJsonHttp()
    wecom = WeComClient(http, svc.clock, cfg.wecom_api_base)  # one token cache for message/send and kf/*
    intake = IntakeService(store, conversations, settings, svc.tickets, svc.clock, attachments,
                           platform_refunded=lambda tenant, ticket, platform:
                           svc.money.refunds.settle_by_platform(tenant, ticket, platform),
                           kf=WeComKfSync(settings, wecom),
                           kf_requests=SqsKfSyncRequests(cfg.wecom_kf_sync_queue_url),
                           douyin_queue=SqsDouyinIntakeQueue(cfg.douyin_intake_queue_url))
    logistics = TrackingService(DynamoParcelStore(), settings, svc.tickets, intake,
                                EventBridgeAlerts(cfg.event_bus_name), svc.clock)

    def record(tenant_id: str, ticket_id: str, *, channel: str, body: str, subject: str | None,
               external_id: str) -> Any:
        return intake.comment(tenant_id, ticket_id, channel=channel, direction="outbound", author="system",
                              body=body, subject=subject, external_id=external_id)

    senders = {"email": SesEmailSender(cfg.notifications_sender, cfg.notifications_sender_name),
               "wecom": WeComSender(settings, http, svc.clock, cfg.wecom_api_base, client=wecom)}
    douyin = DouyinShopClient(settings, http, svc.clock, cfg.douyin_api_base)
    return ChannelServices(logistics=logistics, intake=intake, attachments=attachments,
                          notifications=NotificationService(store, svc.tickets, senders, record, conversations),
                          replies=ReplyService(conversations, svc.tickets, svc.clock),
                          douyin_writeback=DouyinWriteback(store, settings, douyin, svc.tickets))
