"""Composition root: one container, one typed accessor per bounded context.

Each accessor is a `cached_property` — the one lazy mechanism: a context is built (its settings
read, its tables bound, its adapters connected) the first time something asks for it, never at
import, so a function pays only for the contexts it uses. Tests, benches and the local stack build
a `Container` with fakes through its constructor and install it with `override(...)`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from aftersales.core.clock import Clock, clock_from_env
from aftersales.core.settings import (
    ChannelSettings,
    DisputeSettings,
    EligibilitySettings,
    EventSettings,
    HttpSettings,
    IdempotencySettings,
    LogisticsSettings,
    MediaSettings,
    ModerationSettings,
    MoneySettings,
    NotificationSettings,
    PaymentSettings,
    ReviewSettings,
    SentimentModelSettings,
    SentimentSettings,
    SlaSettings,
    StripeWebhookSettings,
    SurveySettings,
    TicketSettings,
    WorkflowSettings,
)

if TYPE_CHECKING:  # the contexts' modules are imported when a context is built, not with the container
    from aftersales.adapters.aws_intake import S3Attachments
    from aftersales.adapters.dynamo.disputes import DynamoDisputeStore
    from aftersales.adapters.dynamo.drafts import DynamoDraftStore
    from aftersales.adapters.dynamo.intake import DynamoConversationStore, DynamoIntakeStore
    from aftersales.adapters.dynamo.money import (
        DynamoCounterStore,
        DynamoPaymentLedgerStore,
        DynamoRefundStore,
        DynamoReviewRepository,
        DynamoTenantMoneyConfig,
        DynamoWebhookLedger,
    )
    from aftersales.adapters.dynamo.reviews import DynamoReviewStore
    from aftersales.adapters.dynamo.sentiment import DynamoRefitStore
    from aftersales.adapters.dynamo.sla import DynamoDispatchStore, DynamoSlaStore
    from aftersales.adapters.dynamo.store import DynamoTicketStore
    from aftersales.adapters.payments import PaymentProviders
    from aftersales.adapters.s3_sentiment import S3ModelFiles
    from aftersales.approvals.policy import ApprovalPolicy
    from aftersales.approvals.service import ApprovalService
    from aftersales.channels.ports import JsonHttp
    from aftersales.channels.settings_cache import CachedSettings
    from aftersales.channels.use_cases import ChannelUseCases
    from aftersales.channels.wecom_api import WeComClient
    from aftersales.channels.writeback import DouyinWriteback
    from aftersales.dispatch.service import DispatchService
    from aftersales.disputes.service import DisputeService
    from aftersales.eligibility.service import EligibilityService
    from aftersales.events.ports import EventPublisher
    from aftersales.fulfilment.ports import Workflows
    from aftersales.fulfilment.service import MoneyPathReactor
    from aftersales.integrations.service import IntegrationService
    from aftersales.logistics.service import TrackingService
    from aftersales.media.service import MediaService, NearDuplicate, Shown
    from aftersales.moderation.service import ModerationService
    from aftersales.notifications.replies import ReplyService
    from aftersales.notifications.service import ChannelSender, NotificationService
    from aftersales.orders.service import OrderIntake
    from aftersales.refunds.returns import ReturnService
    from aftersales.refunds.service import RefundService
    from aftersales.refunds.webhooks import StripeEventApplier
    from aftersales.reviews.product_insights import ProductInsightService
    from aftersales.reviews.service import ReviewModeration, ReviewService
    from aftersales.risk.service import ReviewCluster, RiskService
    from aftersales.sentiment.analyzers import RoutedAnalyzer, TenantAnalyzer
    from aftersales.sentiment.model import SentimentResult
    from aftersales.sentiment.ports import SentimentAnalyzer
    from aftersales.sentiment.refits import SentimentRefits
    from aftersales.sla.ports import RecomputePages
    from aftersales.sla.service import SlaService
    from aftersales.surveys.service import SurveyService
    from aftersales.tenants.service import TenantService
    from aftersales.tickets.service import TicketService


class Container:
    """Every argument is optional: what is not given is built from the environment on first use."""

    def __init__(self, env: Mapping[str, str] | None = None, *, clock: Clock | None = None,
                 events: EventPublisher | None = None, workflows: Workflows | None = None,
                 payments: PaymentProviders | None = None, recompute_pages: RecomputePages | None = None,
                 http_client: JsonHttp | None = None) -> None:
        self._env = env
        given = {"clock": clock, "events": events, "workflows": workflows, "payments": payments,
                 "recompute_pages": recompute_pages, "http_client": http_client}
        self.__dict__.update({name: value for name, value in given.items() if value is not None})

    # ------------------------------------------------------------------ shared ports
    @cached_property
    def clock(self) -> Clock:
        return clock_from_env()

    @cached_property
    def http_settings(self) -> HttpSettings:
        return HttpSettings.from_env(self._env)

    @cached_property
    def idempotency_settings(self) -> IdempotencySettings:
        return IdempotencySettings.from_env(self._env)

    @cached_property
    def events(self) -> EventPublisher:
        from aftersales.adapters.eventbridge import EventBridgePublisher

        return EventBridgePublisher(EventSettings.from_env(self._env).event_bus_name)

    @cached_property
    def workflows(self) -> Workflows:
        from aftersales.adapters.aws_workflows import StepFunctionsGateway

        return StepFunctionsGateway()

    @cached_property
    def http_client(self) -> JsonHttp:
        from aftersales.adapters.http_json import UrllibJsonHttp

        return UrllibJsonHttp()

    # ------------------------------------------------------------------ tickets, orders, tenants
    @cached_property
    def ticket_store(self) -> DynamoTicketStore:
        """Tickets, orders and tenants tables (read by the money contexts as their TicketRecords)."""
        from aftersales.adapters.dynamo.models import bind
        from aftersales.adapters.dynamo.store import DynamoTicketStore

        cfg = TicketSettings.from_env(self._env)
        bind(cfg.tickets_table, cfg.orders_table, cfg.tenants_table)
        return DynamoTicketStore()

    @cached_property
    def tickets(self) -> TicketService:
        from aftersales.tickets.service import TicketService

        return TicketService(self.ticket_store, self.clock, evidence=_EvidenceMedia(self))

    @cached_property
    def orders(self) -> OrderIntake:
        from aftersales.orders.service import OrderIntake

        return OrderIntake(self.tickets, self.risk, _ParkedArrivals(self))

    @cached_property
    def tenants(self) -> TenantService:
        from aftersales.adapters.dynamo.tenants import DynamoTenantDirectory
        from aftersales.tenants.service import TenantService

        self.ticket_store  # noqa: B018  binds the tenants table with the tickets context's tables
        return TenantService(DynamoTenantDirectory(), self.clock)

    # ------------------------------------------------------------------ media (uploads: evidence, inspections, reviews)
    @cached_property
    def media(self) -> MediaService:
        from aftersales.adapters.dynamo import media as tables
        from aftersales.adapters.media_inspector import PillowInspector
        from aftersales.adapters.rekognition import NotScreened, RekognitionModeration
        from aftersales.adapters.s3_media import S3MediaObjects
        from aftersales.media.service import MediaService

        cfg = MediaSettings.from_env(self._env)
        tables.bind(cfg.media_table)
        moderation = RekognitionModeration() if cfg.media_moderation == "rekognition" else NotScreened()
        return MediaService(tables.DynamoMediaStore(), S3MediaObjects(cfg.media_bucket), PillowInspector(),
                            moderation, self.clock)

    # ------------------------------------------------------------------ review sentiment (zh/en model, Comprehend)
    @cached_property
    def sentiment(self) -> RoutedAnalyzer:
        from aftersales.sentiment.analyzers import model_analyzer
        from aftersales.sentiment.shipped import shipped_model

        return model_analyzer(shipped_model(), self.sentiment_others)

    @cached_property
    def sentiment_others(self) -> SentimentAnalyzer | None:
        """What reads the languages the local model does not: Comprehend when configured, else nothing."""
        if SentimentSettings.from_env(self._env).sentiment_other_languages == "comprehend":
            from aftersales.adapters.comprehend import ComprehendSentiment

            return ComprehendSentiment()
        return None

    # ------------------------------------------------------------------ tenants' refitted sentiment models
    @cached_property
    def sentiment_model_settings(self) -> SentimentModelSettings:
        return SentimentModelSettings.from_env(self._env)

    @cached_property
    def sentiment_refit_store(self) -> DynamoRefitStore:
        from aftersales.adapters.dynamo import sentiment as tables

        tables.bind(self.sentiment_model_settings.sentiment_table)
        return tables.DynamoRefitStore()

    @cached_property
    def sentiment_model_files(self) -> S3ModelFiles:
        from aftersales.adapters.s3_sentiment import S3ModelFiles

        return S3ModelFiles(self.sentiment_model_settings.sentiment_models_bucket)

    @cached_property
    def tenant_sentiment(self) -> TenantAnalyzer:
        """Review sentiment with each tenant's current model (the moderation consumer's)."""
        from datetime import timedelta

        from aftersales.sentiment.analyzers import TenantAnalyzer
        from aftersales.sentiment.shipped import shipped_model
        from aftersales.sentiment.tenant_models import CachedTenantModels

        ttl = timedelta(seconds=self.sentiment_model_settings.sentiment_pointer_ttl_seconds)
        models = CachedTenantModels(self.sentiment_refit_store, self.sentiment_model_files, shipped_model(),
                                    self.clock, ttl)
        return TenantAnalyzer(models, self.sentiment_others)

    @cached_property
    def sentiment_refits(self) -> SentimentRefits:
        from aftersales.adapters.dynamo.sentiment import DynamoRatedReviews
        from aftersales.sentiment.refits import SentimentRefits
        from aftersales.sentiment.shipped import shipped_model

        self.review_store  # noqa: B018  binds the reviews table the refit reads
        return SentimentRefits(self.sentiment_refit_store, DynamoRatedReviews(), self.sentiment_model_files,
                               shipped_model(), self.clock)

    # ------------------------------------------------------------------ review text moderation
    @cached_property
    def moderation(self) -> ModerationService:
        from aftersales.adapters.dynamo import moderation as tables
        from aftersales.adapters.dynamo.drafts import DynamoDraftStore
        from aftersales.moderation.lexicon import LEXICON
        from aftersales.moderation.service import ModerationService

        table = ModerationSettings.from_env(self._env).moderation_table
        tables.bind(table)
        return ModerationService(DynamoDraftStore(LEXICON, table), tables.DynamoSignatureIndex(), self.clock)

    # ------------------------------------------------------------------ product reviews (intake, moderation consumer)
    @cached_property
    def review_store(self) -> DynamoReviewStore:
        from aftersales.adapters.dynamo import reviews as tables

        tables.bind(ReviewSettings.from_env(self._env).reviews_table)
        return tables.DynamoReviewStore()

    @cached_property
    def reviews(self) -> ReviewService:
        from aftersales.reviews.follow_ups import TicketFollowUps
        from aftersales.reviews.service import ReviewService

        return ReviewService(self.review_store, self.ticket_store, _ReviewMedia(self), self.events, self.clock,
                             follow_ups=TicketFollowUps(self.tickets, self.ticket_store),
                             insights=self.product_insights)

    @cached_property
    def product_insights(self) -> ProductInsightService:
        from aftersales.adapters.dynamo import reviews as tables
        from aftersales.reviews.product_insights import ProductInsightService

        tables.bind(ReviewSettings.from_env(self._env).reviews_table)
        return ProductInsightService(tables.DynamoInsightStore(), self.events, self.clock)

    @cached_property
    def review_moderation(self) -> ReviewModeration:
        from aftersales.reviews.follow_ups import TicketFollowUps
        from aftersales.reviews.service import ReviewModeration

        return ReviewModeration(self.review_store, self.moderation, self.tenant_sentiment, self.clock,
                                TicketFollowUps(self.tickets, self.ticket_store),
                                photos=_ReviewPhotos(self), clusters=_ReviewClusters(self),
                                insights=self.product_insights)

    # ------------------------------------------------------------------ money: approvals, risk, refunds, returns
    @cached_property
    def money_tables(self) -> MoneyTables:
        from aftersales.adapters.dynamo import money as m
        from aftersales.adapters.dynamo.drafts import DynamoDraftStore
        from aftersales.approvals.defaults import POLICY

        table = MoneySettings.from_env(self._env).money_table
        m.bind(table)
        ledger = m.DynamoPaymentLedgerStore()
        return MoneyTables(ledger=ledger, refunds=m.DynamoRefundStore(ledger), config=m.DynamoTenantMoneyConfig(),
                           counters=m.DynamoCounterStore(), policies=DynamoDraftStore(POLICY, table),
                           reviews=m.DynamoReviewRepository(), webhooks=m.DynamoWebhookLedger())

    @cached_property
    def risk(self) -> RiskService:
        from aftersales.risk.service import RiskService

        return RiskService(self.money_tables.counters, self.clock)

    @cached_property
    def approvals(self) -> ApprovalService:
        from aftersales.approvals.service import ApprovalService

        t = self.money_tables
        return ApprovalService(self.tickets, self.ticket_store, self.risk, t.policies, t.reviews, self.workflows,
                               self.clock)

    @cached_property
    def eligibility(self) -> EligibilityService:
        from aftersales.adapters.dynamo.drafts import DynamoDraftStore
        from aftersales.eligibility.defaults import RULES
        from aftersales.eligibility.service import EligibilityService

        rules = DynamoDraftStore(RULES, EligibilitySettings.from_env(self._env).money_table)
        return EligibilityService(self.tickets, self.ticket_store, rules, self.clock)

    @cached_property
    def payments(self) -> PaymentProviders:
        from aftersales.adapters.payments import PaymentProviders

        env = self._env

        def settings() -> PaymentSettings:  # read when the first refund is sent, not before
            return PaymentSettings.from_env(env)

        return PaymentProviders(settings, self.clock)

    @cached_property
    def refunds(self) -> RefundService:
        from aftersales.refunds.service import RefundService

        t = self.money_tables
        return RefundService(self.tickets, self.ticket_store, t.ledger, t.refunds, self.payments.for_tenant,
                             self.clock, config=t.config)

    @cached_property
    def returns(self) -> ReturnService:
        from aftersales.refunds.returns import ReturnService

        return ReturnService(self.tickets, self.money_tables.config)

    @cached_property
    def fulfilment(self) -> MoneyPathReactor:
        from aftersales.fulfilment.service import MoneyPathReactor

        return MoneyPathReactor(self.tickets, self.ticket_store, self.approvals, self.workflows, self.events,
                                self.money_tables.config, WorkflowSettings.from_env(self._env), self.returns)

    @cached_property
    def stripe_events(self) -> StripeEventApplier:
        from aftersales.adapters.dynamo.money import find_order_by_payment
        from aftersales.refunds.webhooks import StripeEventApplier

        t = self.money_tables
        return StripeEventApplier(t.webhooks, t.config, self.refunds, self.tickets, find_order_by_payment, self.clock,
                                  platform_secret=StripeWebhookSettings.from_env(self._env).stripe_webhook_secret)

    # ------------------------------------------------------------------ sla, dispatch
    @cached_property
    def sla_tables(self) -> SlaTables:
        from aftersales.adapters.dynamo import sla as tables

        cfg = self.sla_settings
        tables.bind(cfg.sla_table, cfg.dispatch_table)
        return SlaTables(deadlines=tables.DynamoSlaStore(), dispatch=tables.DynamoDispatchStore())

    @cached_property
    def sla_settings(self) -> SlaSettings:
        return SlaSettings.from_env(self._env)

    @cached_property
    def recompute_pages(self) -> RecomputePages:
        from aftersales.adapters.sla_pages import SqsRecomputePages

        return SqsRecomputePages(self.sla_settings.sla_tracker_queue_url)

    @cached_property
    def dispatch(self) -> DispatchService:
        from aftersales.dispatch.service import DispatchService

        store = self.sla_tables.deadlines
        return DispatchService(self.sla_tables.dispatch, self.tickets, self.clock, calendars=store.calendars_for)

    @cached_property
    def sla(self) -> SlaService:
        from aftersales.sla.service import SlaService

        return SlaService(self.sla_tables.deadlines, self.tickets, self.dispatch, self.events, self.clock,
                          _TimeoutApprovals(self), pages=self.recompute_pages,
                          page_size=self.sla_settings.sla_recompute_page_size)

    # ------------------------------------------------------------------ channels, logistics, notifications
    @cached_property
    def channel_settings(self) -> ChannelSettings:
        return ChannelSettings.from_env(self._env)

    @cached_property
    def integration_settings(self) -> CachedSettings:
        from aftersales.adapters.dynamo.intake import DynamoIntegrationSettings, bind_channels
        from aftersales.channels.settings_cache import CachedSettings

        cfg = self.channel_settings
        bind_channels(cfg.channels_table)
        return CachedSettings(DynamoIntegrationSettings(), ttl=cfg.integration_settings_ttl_seconds)

    @cached_property
    def integrations(self) -> IntegrationService:
        from aftersales.integrations.service import IntegrationService

        return IntegrationService(self.integration_settings, self.clock)

    @cached_property
    def channel_stores(self) -> ChannelStores:
        from aftersales.adapters.aws_intake import S3Attachments
        from aftersales.adapters.dynamo.intake import DynamoConversationStore, DynamoIntakeStore

        self.integration_settings  # noqa: B018  binds the channels table
        return ChannelStores(intake=DynamoIntakeStore(), conversations=DynamoConversationStore(),
                             attachments=S3Attachments(self.channel_settings.attachments_bucket))

    @cached_property
    def channels(self) -> ChannelUseCases:
        from aftersales.adapters.aws_intake import SqsDouyinIntakeQueue, SqsKfSyncRequests
        from aftersales.channels.use_cases import build_channels
        from aftersales.channels.wecom_kf import WeComKfSync

        cfg, stores = self.channel_settings, self.channel_stores
        return build_channels(stores.intake, stores.conversations, self.integration_settings, self.tickets,
                              self.clock, attachments=stores.attachments, platform_refunds=_PlatformRefunds(self),
                              kf=WeComKfSync(self.integration_settings, self.wecom),
                              kf_requests=SqsKfSyncRequests(cfg.wecom_kf_sync_queue_url),
                              douyin_queue=SqsDouyinIntakeQueue(cfg.douyin_intake_queue_url))

    @cached_property
    def wecom(self) -> WeComClient:
        """One WeCom client, so message/send and kf/* share one access-token cache."""
        from aftersales.channels.wecom_api import WeComClient

        return WeComClient(self.http_client, self.clock, self.channel_settings.wecom_api_base)

    @cached_property
    def logistics(self) -> TrackingService:
        from aftersales.adapters.dynamo.logistics import DynamoParcelStore, bind_logistics
        from aftersales.logistics.service import TrackingService

        bind_logistics(LogisticsSettings.from_env(self._env).logistics_table)
        return TrackingService(DynamoParcelStore(), self.integration_settings, self.tickets,
                               self.channels.aggregation, self.events, self.clock)

    @cached_property
    def notifications(self) -> NotificationService:
        from aftersales.notifications.service import NotificationService

        stores, channels = self.channel_stores, self.channels
        return NotificationService(stores.intake, self.tickets, self.notification_senders,
                                   channels.conversations.record_outbound, stores.conversations)

    @cached_property
    def notification_senders(self) -> dict[str, ChannelSender]:
        """The customer channels (SES e-mail, WeCom), shared by notifications and surveys."""
        from aftersales.adapters.aws_intake import SesEmailSender
        from aftersales.channels.wecom_outbound import WeComSender

        cfg = NotificationSettings.from_env(self._env)
        return {"email": SesEmailSender(cfg.notifications_sender, cfg.notifications_sender_name),
                "wecom": WeComSender(self.integration_settings, self.http_client, self.clock,
                                     self.channel_settings.wecom_api_base, client=self.wecom)}

    @cached_property
    def replies(self) -> ReplyService:
        from aftersales.notifications.replies import ReplyService

        return ReplyService(self.channel_stores.conversations, self.tickets, self.clock)

    @cached_property
    def douyin_writeback(self) -> DouyinWriteback:
        from aftersales.channels.douyin_open import DouyinShopClient
        from aftersales.channels.writeback import DouyinWriteback

        client = DouyinShopClient(self.integration_settings, self.http_client, self.clock,
                                  self.channel_settings.douyin_api_base)
        return DouyinWriteback(self.channel_stores.intake, self.integration_settings, client, self.tickets)

    # ------------------------------------------------------------------ satisfaction surveys
    @cached_property
    def surveys(self) -> SurveyService:
        from aftersales.adapters.dynamo import surveys as tables
        from aftersales.surveys.follow_ups import TicketFollowUps
        from aftersales.surveys.service import SurveyLinks, SurveyService

        cfg = SurveySettings.from_env(self._env)
        tables.bind(cfg.surveys_table)
        staff = self.sla_tables.dispatch
        return SurveyService(tables.DynamoSurveyStore(), self.tickets, self.ticket_store, self.channel_stores.intake,
                             self.notification_senders, staff, _CommentSentiment(self), self.clock,
                             SurveyLinks(cfg.survey_link_secret, cfg.survey_link_base_url),
                             follow_ups=TicketFollowUps(self.tickets, self.ticket_store, staff))

    # ------------------------------------------------------------------ disputes of ticket decisions
    @cached_property
    def dispute_store(self) -> DynamoDisputeStore:
        from aftersales.adapters.dynamo import disputes as tables

        tables.bind(DisputeSettings.from_env(self._env).disputes_table)
        return tables.DynamoDisputeStore()

    @cached_property
    def disputes(self) -> DisputeService:
        """Disputes: the tickets context moves or notes the ticket (never money), the media context
        checks evidence only when a dispute names media."""
        from aftersales.disputes.service import DisputeService

        return DisputeService(self.dispute_store, self.tickets, _EvidenceMedia(self), self.events, self.clock)


# ---------------------------------------------------------------------- what the contexts share inside
@dataclass(frozen=True)
class MoneyTables:
    ledger: DynamoPaymentLedgerStore
    refunds: DynamoRefundStore
    config: DynamoTenantMoneyConfig
    counters: DynamoCounterStore
    policies: DynamoDraftStore[ApprovalPolicy]
    reviews: DynamoReviewRepository
    webhooks: DynamoWebhookLedger


@dataclass(frozen=True)
class SlaTables:
    deadlines: DynamoSlaStore
    dispatch: DynamoDispatchStore


@dataclass(frozen=True)
class ChannelStores:
    intake: DynamoIntakeStore
    conversations: DynamoConversationStore
    attachments: S3Attachments


class _TimeoutApprovals:
    """The SLA engine's TimeoutApprover: the approvals context, built when first needed."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def approve_on_timeout(self, tenant_id: str, ticket_id: str, reason: str, data: dict[str, object]) -> object:
        return self.container.approvals.approve_on_timeout(tenant_id, ticket_id, reason, data)


class _EvidenceMedia:
    """The tickets context's EvidenceMedia: the media context, built when a ticket first names media."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def check_evidence(self, tenant_id: str, customer_id: str, media_ids: list[str]) -> None:
        self.container.media.check_evidence(tenant_id, customer_id, media_ids)


class _ReviewMedia:
    """The reviews context's ReviewMedia: the media context, built when a review first names media."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def check_review_media(self, tenant_id: str, customer_id: str, media_ids: list[str]) -> None:
        self.container.media.check_review_media(tenant_id, customer_id, media_ids)

    def show_review_media(self, tenant_id: str, media_ids: Sequence[str]) -> list[Shown]:
        return self.container.media.show_review_media(tenant_id, media_ids)


class _ReviewPhotos:
    """The review moderation's PhotoCopies: the media context, built when a review first has photos."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def near_duplicates(self, tenant_id: str, media_id: str, *, other_customers_only: bool = True
                        ) -> list[NearDuplicate]:
        return self.container.media.near_duplicates(tenant_id, media_id, other_customers_only=other_customers_only)


class _ReviewClusters:
    """The review moderation's ReviewClusters: the risk counters, built when a review first has risk keys."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def record_review(self, tenant_id: str, *, review_id: str, account_id: str, sku: str, rating: int,
                      written_at: datetime, keys: Mapping[str, str], now: datetime | None = None) -> ReviewCluster:
        return self.container.risk.record_review(tenant_id, review_id=review_id, account_id=account_id, sku=sku,
                                                 rating=rating, written_at=written_at, keys=keys, now=now)


class _PlatformRefunds:
    """Channels settle a refund the platform (Douyin) already paid through the refunds context."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def settle_by_platform(self, tenant_id: str, ticket_id: str, platform: str) -> object:
        return self.container.refunds.settle_by_platform(tenant_id, ticket_id, platform)


class _CommentSentiment:
    """The surveys context's sentiment analyser: the review sentiment model, loaded when a comment
    first needs it (the sweeper never does)."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def analyse(self, texts: Sequence[str]) -> list[SentimentResult]:
        return self.container.sentiment.analyse(texts)


class _ParkedArrivals:
    """A new order replays what channels parked for it; the channels context is built only then."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def order_arrived(self, tenant_id: str, order_id: str) -> list[object]:
        return list(self.container.channels.arrivals.order_arrived(tenant_id, order_id))


# ---------------------------------------------------------------------- the process's container
_override: Container | None = None
_default: Container | None = None


def services() -> Container:
    global _default
    if _override is not None:
        return _override
    if _default is None:
        _default = Container()
    return _default


def override(container: Container | None) -> None:
    """Install a container built with fakes (tests, benches); None goes back to the default."""
    global _override
    _override = container


def reset() -> None:
    """Forget the built contexts and any override (the environment changed, e.g. between tests)."""
    global _default, _override
    _override = _default = None
