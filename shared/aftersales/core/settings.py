"""Each bounded context's settings: a small validated model over the function's environment.

The container (aftersales.wiring) reads a context's model once, when the context is first built.
A table, bus or state machine with no safe default is required: a function deployed without the
variable fails then with `SettingsMissing` naming it, instead of talking to the wrong table.
Plain pydantic models over os.environ rather than pydantic-settings: same validation, but
pydantic-settings added ~85 ms to every cold start (see docs/decisions.md).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal, Self

from pydantic import ConfigDict, Field, ValidationError

from aftersales.core.model import DomainModel


class SettingsMissing(RuntimeError):
    """A deployment fault (template.yaml), not a request fault: names every variable at fault."""

    def __init__(self, context: str, problems: list[str]) -> None:
        self.context = context
        self.problems = problems
        super().__init__(f"{context} settings: " + "; ".join(problems))


class EnvSettings(DomainModel):
    """Field `foo_bar` is read from the variable FOO_BAR."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Self:
        env = os.environ if env is None else env
        values = {name: env[name.upper()] for name in cls.model_fields if name.upper() in env}
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = []
            for error in exc.errors():
                variable = ".".join(str(p) for p in error.get("loc", ())).upper()
                problems.append(f"{variable} is not set" if error.get("type") == "missing"
                                else f"{variable}: {error.get('msg', '')}")
            raise SettingsMissing(cls.__name__.removesuffix("Settings").lower(), problems) from None


def _required() -> str:
    return Field(min_length=1)  # type: ignore[return-value]


class HttpSettings(EnvSettings):
    """Every HTTP function (Globals): the body cap and the key of signed list cursors."""

    max_body_bytes: int = Field(default=262_144, gt=0)
    cursor_secret: str = ""  # HMAC key of list cursors; empty = a random key per process (one container)


class IdempotencySettings(EnvSettings):
    """Where the API keeps Idempotency-Key records, and for how long."""

    idempotency_table: str = _required()
    idempotency_ttl_seconds: int = Field(default=24 * 3600, gt=0)


class TicketSettings(EnvSettings):
    """Tickets, orders and tenants (Globals)."""

    tickets_table: str = _required()
    orders_table: str = _required()
    tenants_table: str = _required()


class EventSettings(EnvSettings):
    """The domain event bus every context publishes on (Globals)."""

    event_bus_name: str = _required()


class MoneySettings(EnvSettings):
    """Approvals, risk, refunds and returns: the money table."""

    money_table: str = _required()


class EligibilitySettings(EnvSettings):
    """Intake rules: kept in the money table, beside the approval policy they feed."""

    money_table: str = _required()


class PaymentSettings(EnvSettings):
    """Where refunds go: read only by the functions that call a payment provider."""

    payment_provider: Literal["sandbox", "stripe"]
    sandbox_provider: str = ""  # the local sandbox's behaviour (aftersales.adapters.sandbox_payments)
    stripe_secret_key: str = ""


class StripeWebhookSettings(EnvSettings):
    """The platform-wide Stripe endpoint secret; a tenant's own secret (money config) wins."""

    stripe_webhook_secret: str = ""


class WorkflowSettings(EnvSettings):
    """The money path's Step Functions and their timers (the money-events function)."""

    approval_state_machine_arn: str = _required()
    refund_state_machine_arn: str = _required()
    review_timeout_seconds: int = Field(default=86_400, gt=0)
    escalation_timeout_seconds: int = Field(default=172_800, gt=0)
    refund_poll_seconds: int = Field(default=30, gt=0)
    refund_max_polls: int = Field(default=40, gt=0)


class SlaSettings(EnvSettings):
    """SLA engine and dispatch tables; policy recomputes are paged through the tracker's queue."""

    sla_table: str = _required()
    dispatch_table: str = _required()
    sla_tracker_queue_url: str = ""  # only the tracker pages recomputes; elsewhere a page request is refused
    sla_recompute_page_size: int = Field(default=100, gt=0)


class ChannelSettings(EnvSettings):
    """Channel intake, conversations and integration settings (the channels table)."""

    channels_table: str = _required()
    attachments_bucket: str = ""  # only the e-mail intake stores attachments
    wecom_api_base: str = "https://qyapi.weixin.qq.com"  # tests and benches point these elsewhere
    douyin_api_base: str = "https://openapi-fxg.jinritemai.com"
    qiyu_api_base: str = "https://qiyukf.com"
    wecom_kf_sync_queue_url: str = ""  # the WeCom callback leaves 微信客服 sync requests here
    douyin_intake_queue_url: str = ""  # the Douyin push leaves its messages here for the intake worker
    im_intake_queue_url: str = ""  # the Qiyu / Meiqia push leaves its verified pushes here for the IM worker
    # per-container cache of per-tenant integration settings (webhook secrets, rules); 0 disables
    integration_settings_ttl_seconds: float = Field(default=60.0, ge=0)


class LogisticsSettings(EnvSettings):
    logistics_table: str = _required()


class NotificationSettings(EnvSettings):
    notifications_sender: str = _required()
    notifications_sender_name: str = ""  # display name on the From line (RFC 2047-encoded when not ASCII)


class MediaSettings(EnvSettings):
    """Uploads (the media table and bucket) and how they are screened."""

    media_table: str = _required()
    media_bucket: str = _required()
    media_moderation: Literal["rekognition", "none"] = "rekognition"  # none: the local stack (no Rekognition)


class SentimentSettings(EnvSettings):
    """Review sentiment: the shipped model reads zh and en; other languages go to Amazon Comprehend
    when `comprehend`, else they are reported unsupported."""

    sentiment_other_languages: Literal["comprehend", "none"] = "none"


class SentimentModelSettings(EnvSettings):
    """Tenants' refitted sentiment models: their pointers, counters and history (table), their files
    (bucket); how long a container trusts a tenant's pointer before reading it again."""

    sentiment_table: str = _required()
    sentiment_models_bucket: str = _required()
    sentiment_pointer_ttl_seconds: int = Field(default=60, ge=0)


class ModerationSettings(EnvSettings):
    """Review text moderation: the table of tenant lexicons and review signatures."""

    moderation_table: str = _required()


class ReviewSettings(EnvSettings):
    """Product reviews: their table (reviews, order-line claims, per-sku rating counters)."""

    reviews_table: str = _required()


class SurveySettings(EnvSettings):
    """Satisfaction surveys: their table, the key that signs survey links (at least 32 characters;
    no safe default: a link signed by one container must verify in every other) and the public base
    URL the links point at (the API's stage URL, or its custom domain)."""

    surveys_table: str = _required()
    survey_link_secret: str = Field(min_length=32)
    survey_link_base_url: str = Field(default="", pattern=r"^(https?://.+)?$")  # the sweeper's (it sends links)
    survey_sms_sender_id: str = Field(default="", pattern=r"^([A-Za-z0-9]{1,11})?$")  # SNS SenderID, where allowed


class TrackingSettings(EnvSettings):
    """The customer's tracking page: the key that signs its links (at least 32 characters, its own
    key: no safe default, a link signed by the notifications function must verify in the API), the
    public base URL the links point at (the notifications function's: it writes them) and how many
    days a link lasts (each notification carries a fresh one)."""

    tracking_link_secret: str = Field(min_length=32)
    tracking_link_base_url: str = Field(default="", pattern=r"^(https?://.+)?$")
    tracking_link_days: int = Field(default=90, ge=1, le=365)


class DisputeSettings(EnvSettings):
    """Disputes: their table (disputes, the one-per-ticket and platform-case claims, the due index)."""

    disputes_table: str = _required()


class RepairSettings(EnvSettings):
    """Repairs: their table (jobs, ticket links, providers, technicians, parts, the serial and batch indexes)."""

    repairs_table: str = _required()


class WebhookSettings(EnvSettings):
    """Outbound webhooks: their table and delivery queue, the per-attempt limits, and the
    local-stack switch that lets `make run` and tests call receivers on loopback (plain http too);
    off by default and never set in template.yaml."""

    webhooks_table: str = _required()
    webhook_delivery_queue_url: str = _required()
    webhooks_allow_loopback: bool = False
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=30)
    webhook_max_response_bytes: int = Field(default=65_536, gt=0, le=1_048_576)


class AnalyticsSettings(EnvSettings):
    """Analytics projections: their table."""

    analytics_table: str = _required()


class TenantZoneSettings(EnvSettings):
    """The zone of a tenant's days (the analytics buckets and the SLA figures' day buckets) when its
    SLA calendars name none; read by every function that writes or reads those buckets."""

    analytics_default_time_zone: str = "Asia/Shanghai"


class ExportSettings(EnvSettings):
    """Monthly exports: the private bucket they are written to, the worker's queue, the download links' life."""

    exports_bucket: str = _required()
    export_queue_url: str = _required()
    export_url_seconds: int = Field(default=900, ge=60, le=43_200)


class HelpdeskSettings(EnvSettings):
    """Helpdesk sync: the links table, the sync queue and its DLQ, and the vendors' base URLs
    (templates over the tenant's account; the local stack points them at its fake Zendesk)."""

    helpdesks_table: str = _required()
    helpdesk_sync_queue_url: str = _required()
    helpdesk_sync_dlq_url: str = _required()
    zendesk_api_base: str = "https://{account}.zendesk.com"
    freshdesk_api_base: str = "https://{account}.freshdesk.com"
    helpdesk_timeout_seconds: float = Field(default=10.0, gt=0, le=30)
