"""The channel contexts: integrations, channels, logistics, notifications, replies, Douyin write-back."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from aftersales.core.settings import (
    ChannelSettings,
    LogisticsSettings,
    NotificationSettings,
    SettingsMissing,
    TrackingSettings,
)
from aftersales.wiring.bridges import (
    LazyAnswers,
    LazyPlatformDisputes,
    LazyPlatformRefunds,
)
from aftersales.wiring.groups import ContextGroup

logger = Logger(child=True)

if TYPE_CHECKING:  # the contexts' modules are imported when a context is built, not with the container
    from aftersales.adapters.aws_intake import S3Attachments
    from aftersales.adapters.dynamo.intake import DynamoConversationStore, DynamoIntakeStore
    from aftersales.answers.knowledge import KnowledgeBase
    from aftersales.answers.service import AutomaticAnswers
    from aftersales.channels.settings_cache import CachedSettings
    from aftersales.channels.use_cases import ChannelUseCases
    from aftersales.channels.wecom_api import WeComClient
    from aftersales.channels.writeback import DouyinWriteback
    from aftersales.integrations.service import IntegrationService
    from aftersales.logistics.service import TrackingService
    from aftersales.notifications.replies import ReplyService
    from aftersales.notifications.service import ChannelSender, NotificationService
    from aftersales.tracking.links import TrackingLinks
    from aftersales.tracking.service import TrackingPageService


class ChannelContexts(ContextGroup):
    """Customer channels in and out, carriers, notifications."""

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
        from aftersales.adapters.aws_intake import SqsDouyinIntakeQueue, SqsImIntakeQueue, SqsKfSyncRequests
        from aftersales.channels.use_cases import build_channels
        from aftersales.channels.wecom_kf import WeComKfSync

        cfg, stores = self.channel_settings, self.channel_stores
        return build_channels(stores.intake, stores.conversations, self.integration_settings, self.tickets,
                              self.clock, attachments=stores.attachments, platform_refunds=LazyPlatformRefunds(self),
                              kf=WeComKfSync(self.integration_settings, self.wecom),
                              kf_requests=SqsKfSyncRequests(cfg.wecom_kf_sync_queue_url),
                              douyin_queue=SqsDouyinIntakeQueue(cfg.douyin_intake_queue_url),
                              platform_disputes=LazyPlatformDisputes(self), answers=LazyAnswers(self),
                              im_queue=SqsImIntakeQueue(cfg.im_intake_queue_url))

    @cached_property
    def knowledge_base(self) -> KnowledgeBase:
        """The tenants' knowledge bases (channels table), cached per tenant like the integration settings."""
        from aftersales.adapters.dynamo.knowledge import DynamoKnowledgeStore, bind_knowledge
        from aftersales.answers.knowledge import KnowledgeBase

        cfg = self.channel_settings
        bind_knowledge(cfg.channels_table)
        return KnowledgeBase(DynamoKnowledgeStore(), self.clock, ttl=cfg.integration_settings_ttl_seconds)

    @cached_property
    def answers(self) -> AutomaticAnswers | None:
        """The bot that answers routine channel messages from the customer's own ticket; None in a
        function that cannot read the refund, SLA and parcel tables (the template gives them to the
        channel intake functions and the API), where agents answer everything."""
        from aftersales.adapters.dynamo.logistics import DynamoParcelStore, bind_logistics
        from aftersales.answers.service import AutomaticAnswers
        from aftersales.tracking.service import TicketViews

        try:
            bind_logistics(LogisticsSettings.from_env(self._env).logistics_table)
            refunds, deadlines = self.money_tables.refunds, self.sla_tables.deadlines
        except SettingsMissing as exc:
            logger.warning("automatic answers off in this function", extra={"missing": str(exc)})
            return None
        views = TicketViews(self.tickets, self.ticket_store, deadlines, DynamoParcelStore(), refunds,
                            self.channel_stores.conversations, zones=self.channels.links)
        return AutomaticAnswers(self.knowledge_base, self.tickets, views, self.channel_stores.conversations,
                                self.clock)

    @cached_property
    def wecom(self) -> WeComClient:
        """One WeCom client, so message/send and kf/* share one access-token cache."""
        from aftersales.channels.wecom_api import WeComClient

        return WeComClient(self.http_client, self.clock, self.channel_settings.wecom_api_base)

    @cached_property
    def logistics(self) -> TrackingService:
        from aftersales.adapters.dynamo.logistics import DynamoParcelStore, bind_logistics
        from aftersales.logistics.service import TrackingService
        from aftersales.wiring.bridges import LazyRepairParcels

        bind_logistics(LogisticsSettings.from_env(self._env).logistics_table)
        return TrackingService(DynamoParcelStore(), self.integration_settings, self.tickets,
                               self.channels.aggregation, self.events, self.clock,
                               repairs=LazyRepairParcels(self))

    @cached_property
    def notifications(self) -> NotificationService:
        from aftersales.notifications.service import NotificationService

        stores, channels = self.channel_stores, self.channels
        return NotificationService(stores.intake, self.tickets, self.notification_senders,
                                   channels.conversations.record_outbound, stores.conversations,
                                   links=self.tracking_links, clock=self.clock, tenant_locales=self.tenants)

    @cached_property
    def tracking_links(self) -> TrackingLinks | None:
        """The tracking page's link signer; None where TRACKING_LINK_SECRET is not set (the
        notifications then go out without a link)."""
        from datetime import timedelta

        from aftersales.tracking.links import TrackingLinks

        try:
            cfg = TrackingSettings.from_env(self._env)
        except SettingsMissing:
            return None
        return TrackingLinks(cfg.tracking_link_secret, cfg.tracking_link_base_url,
                             timedelta(days=cfg.tracking_link_days))

    @cached_property
    def tracking_page(self) -> TrackingPageService:
        """The customer's tracking page, read by key over the ticket's records in the other
        contexts' tables (timeline and audit chain, deadlines, parcels, refunds, conversation)."""
        from aftersales.adapters.dynamo.logistics import DynamoParcelStore, bind_logistics
        from aftersales.core.errors import Unavailable
        from aftersales.tracking.links import TrackingLinks
        from aftersales.tracking.service import TrackingPageService

        try:
            cfg = TrackingSettings.from_env(self._env)
        except SettingsMissing:  # the page cannot verify a link without its key: a deployment problem
            raise Unavailable("tracking.not_configured") from None
        bind_logistics(LogisticsSettings.from_env(self._env).logistics_table)
        return TrackingPageService(
            TrackingLinks(cfg.tracking_link_secret, cfg.tracking_link_base_url), tickets=self.tickets,
            audit=self.ticket_store, deadlines=self.sla_tables.deadlines, parcels=DynamoParcelStore(),
            refunds=self.money_tables.refunds, conversations=self.channel_stores.conversations,
            messages=self.replies, clock=self.clock, uploads=self.media, zones=self.channels.links)

    @cached_property
    def notification_senders(self) -> dict[str, ChannelSender]:
        """The customer channels (SES e-mail, WeCom, Qiyu), shared by notifications and surveys."""
        from aftersales.adapters.aws_intake import SesEmailSender
        from aftersales.channels.qiyu_outbound import QiyuSender
        from aftersales.channels.wecom_outbound import WeComSender

        cfg = NotificationSettings.from_env(self._env)
        return {"email": SesEmailSender(cfg.notifications_sender, cfg.notifications_sender_name),
                "wecom": WeComSender(self.integration_settings, self.http_client, self.clock,
                                     self.channel_settings.wecom_api_base, client=self.wecom),
                "qiyu": QiyuSender(self.integration_settings, self.http_client, self.clock,
                                   self.channel_settings.qiyu_api_base)}

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


@dataclass(frozen=True)
class ChannelStores:
    intake: DynamoIntakeStore
    conversations: DynamoConversationStore
    attachments: S3Attachments


