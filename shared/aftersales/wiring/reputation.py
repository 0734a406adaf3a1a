"""The reputation contexts: sentiment, moderation, reviews and insights, satisfaction surveys, disputes."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from aftersales.core.settings import (
    DisputeSettings,
    EligibilitySettings,
    LogisticsSettings,
    MediaSettings,
    ModerationSettings,
    PaymentSettings,
    ReviewSettings,
    SentimentModelSettings,
    SentimentSettings,
    SettingsMissing,
    SurveySettings,
)
from aftersales.wiring.bridges import (
    LazyCommentSentiment,
    LazyEvidenceMedia,
    LazyReviewClusters,
    LazyReviewMedia,
    LazyReviewPhotos,
)
from aftersales.wiring.groups import ContextGroup

if TYPE_CHECKING:  # the contexts' modules are imported when a context is built, not with the container
    from aftersales.adapters.dynamo.disputes import DynamoDisputeStore, DynamoDueDisputes
    from aftersales.adapters.dynamo.reviews import DynamoReviewStore
    from aftersales.adapters.dynamo.sentiment import DynamoRefitStore
    from aftersales.adapters.s3_sentiment import S3ModelFiles
    from aftersales.disputes.overdue import DisputeSweep
    from aftersales.disputes.pack_ports import PlatformEvidence
    from aftersales.disputes.pack_service import EvidencePackService
    from aftersales.disputes.service import DisputeService
    from aftersales.moderation.service import ModerationService
    from aftersales.reviews.product_insights import ProductInsightService
    from aftersales.reviews.service import ReviewModeration, ReviewService
    from aftersales.sentiment.analyzers import RoutedAnalyzer, TenantAnalyzer
    from aftersales.sentiment.ports import SentimentAnalyzer
    from aftersales.sentiment.refits import SentimentRefits
    from aftersales.surveys.service import SurveyService


class ReputationContexts(ContextGroup):
    """Review sentiment (shipped and tenants' models), text moderation, reviews, surveys, disputes."""

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

        return ReviewService(self.review_store, self.ticket_store, LazyReviewMedia(self), self.events, self.clock,
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
                                photos=LazyReviewPhotos(self), clusters=LazyReviewClusters(self),
                                insights=self.product_insights)


    @cached_property
    def surveys(self) -> SurveyService:
        from aftersales.adapters.dynamo import surveys as tables
        from aftersales.adapters.sns_sms import SnsSmsSender
        from aftersales.surveys.follow_ups import TicketFollowUps
        from aftersales.surveys.service import SurveyLinks, SurveyService

        cfg = SurveySettings.from_env(self._env)
        tables.bind(cfg.surveys_table)
        staff = self.sla_tables.dispatch
        senders = {**self.notification_senders, "sms": SnsSmsSender(cfg.survey_sms_sender_id)}
        return SurveyService(tables.DynamoSurveyStore(), self.tickets, self.ticket_store, self.channel_stores.intake,
                             senders, staff, LazyCommentSentiment(self), self.clock,
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

        return DisputeService(self.dispute_store, self.tickets, LazyEvidenceMedia(self), self.events, self.clock)

    @cached_property
    def evidence_packs(self) -> EvidencePackService:
        """The one-click evidence pack: read-only over the ticket's records in the other contexts'
        tables (conversation, parcels, refunds, media bucket, policy versions), laid out with fpdf2."""
        from aftersales.adapters.dynamo import media as media_tables
        from aftersales.adapters.dynamo.drafts import DynamoDraftStore
        from aftersales.adapters.dynamo.logistics import DynamoParcelStore, bind_logistics
        from aftersales.adapters.pdf_summary import FpdfSummaryRenderer
        from aftersales.adapters.s3_pack_media import S3PackMedia
        from aftersales.disputes.applied_policy import RecordedPolicies
        from aftersales.disputes.pack_service import EvidencePackService
        from aftersales.eligibility.defaults import RULES

        media = MediaSettings.from_env(self._env)
        media_tables.bind(media.media_table)
        bind_logistics(LogisticsSettings.from_env(self._env).logistics_table)
        money = self.money_tables
        rules = DynamoDraftStore(RULES, EligibilitySettings.from_env(self._env).money_table)
        return EvidencePackService(
            disputes=self.disputes, tickets=self.tickets, conversations=self.channel_stores.conversations,
            parcels=DynamoParcelStore(), refunds=money.refunds,
            media=S3PackMedia(media_tables.DynamoMediaStore(), media.media_bucket),
            policies=RecordedPolicies(self.ticket_store, rules, money.policies),
            renderer=FpdfSummaryRenderer(), clock=self.clock, platforms=self.dispute_platforms)

    @cached_property
    def dispute_platforms(self) -> dict[str, PlatformEvidence]:
        """Where a platform case's evidence goes. The platform has one Stripe account key
        (STRIPE_SECRET_KEY, with PAYMENT_PROVIDER=stripe), not one per tenant: every tenant's Stripe
        case is sent with it. Without it, sending answers 409 disputes.platform_not_connected."""
        try:
            cfg = PaymentSettings.from_env(self._env)
        except SettingsMissing:  # no PAYMENT_PROVIDER: this function sends nothing to a platform
            return {}
        if cfg.payment_provider != "stripe" or not cfg.stripe_secret_key:
            return {}
        from aftersales.adapters.stripe_dispute_evidence import StripeDisputeEvidence

        return {"stripe": StripeDisputeEvidence(cfg.stripe_secret_key)}

    @cached_property
    def dispute_due_index(self) -> DynamoDueDisputes:
        from aftersales.adapters.dynamo.disputes import DynamoDueDisputes

        self.dispute_store  # noqa: B018  binds the disputes table
        return DynamoDueDisputes()

    @cached_property
    def dispute_sweep(self) -> DisputeSweep:
        """The overdue sweep: closes decided disputes after the appeal window, escalates the rest."""
        from aftersales.disputes.overdue import DisputeSweep

        return DisputeSweep(self.dispute_store, self.dispute_due_index, self.disputes, self.events, self.clock)
