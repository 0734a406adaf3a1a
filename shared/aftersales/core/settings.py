"""Runtime settings from the environment (template.yaml Globals), read and validated on first use.

A plain pydantic model over os.environ rather than pydantic-settings: same validation, but
pydantic-settings added ~85 ms to every cold start (see docs/decisions.md).
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import ConfigDict

from aftersales.core.model import DomainModel


class Settings(DomainModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    tickets_table: str = "aftersales-tickets"
    orders_table: str = "aftersales-orders"
    tenants_table: str = "aftersales-tenants"
    idempotency_table: str = "aftersales-idempotency"
    event_bus_name: str = "aftersales-domain"
    sla_table: str = "aftersales-sla"
    dispatch_table: str = "aftersales-dispatch"
    max_body_bytes: int = 262_144
    aws_region: str | None = None
    aws_default_region: str = "us-east-1"
    idempotency_ttl_seconds: int = 24 * 3600
    cursor_secret: str = ""  # HMAC key of list cursors (aftersales.http.cursors); empty = a random key per process
    # logistics, channels, notifications (set in those functions' own Environment)
    logistics_table: str = "aftersales-logistics"
    channels_table: str = "aftersales-channels"
    attachments_bucket: str = "aftersales-attachments"
    notifications_sender: str = "no-reply@example.com"
    notifications_sender_name: str = ""  # display name on the From line (RFC 2047-encoded when not ASCII)
    wecom_api_base: str = "https://qyapi.weixin.qq.com"  # tests and benches point these elsewhere
    douyin_api_base: str = "https://openapi-fxg.jinritemai.com"
    wecom_kf_sync_queue_url: str = ""  # the WeCom callback leaves 微信客服 sync requests here
    douyin_intake_queue_url: str = ""  # the Douyin push leaves its messages here for the intake worker
    # per-container cache of per-tenant integration settings (webhook secrets, rules); 0 disables
    integration_settings_ttl_seconds: float = 60.0

    @property
    def region(self) -> str:
        return self.aws_region or self.aws_default_region

    @classmethod
    def from_env(cls) -> Settings:
        names = cls.model_fields.keys()
        return cls.model_validate({k.lower(): v for k, v in os.environ.items() if k.lower() in names})


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
