"""Runtime settings from the environment (template.yaml Globals), read on first use."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    tickets_table: str = "aftersales-tickets"
    orders_table: str = "aftersales-orders"
    tenants_table: str = "aftersales-tenants"
    idempotency_table: str = "aftersales-idempotency"
    event_bus_name: str = "aftersales-domain"
    max_body_bytes: int = 262_144
    aws_region: str | None = None
    aws_default_region: str = "us-east-1"
    idempotency_ttl_seconds: int = 24 * 3600

    @property
    def region(self) -> str:
        return self.aws_region or self.aws_default_region


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
