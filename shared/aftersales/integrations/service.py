"""A tenant's integration settings: carrier webhook secrets, the Shippo URL token, channel
credentials and the delivery-exception rules. Secrets are write-only: reads name what is
configured, never a value."""

from __future__ import annotations

from typing import Any

from aftersales.channels.ports import IntegrationSettings
from aftersales.core.clock import Clock
from aftersales.core.errors import InvalidRequest
from aftersales.logistics.events import Provider
from aftersales.logistics.exception_policy import ExceptionRules
from aftersales.logistics.service import carrier_settings_name
from aftersales.logistics.verification import new_shippo_token

WECOM = "channel:wecom"
DOUYIN = "channel:douyin"
LOGISTICS_RULES = "logistics:rules"
SHIPPO_TOKENS_KEPT = 2  # the new token and the one before it (senders switch over without a gap)


class IntegrationService:
    def __init__(self, settings: IntegrationSettings, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock

    def configured(self, tenant_id: str) -> list[str]:
        return self._settings.names(tenant_id)

    def set_carrier_secret(self, tenant_id: str, provider: Provider, secret: str) -> None:
        if provider is Provider.SHIPPO:
            raise InvalidRequest("error.shippo_uses_token", field="provider")
        self._settings.put(tenant_id, carrier_settings_name(provider), {"secret": secret})

    def rotate_shippo_token(self, tenant_id: str) -> str:
        """A new URL token; the previous one stays valid until the next rotation."""
        name = carrier_settings_name(Provider.SHIPPO)
        tokens = (self._settings.get(tenant_id, name) or {}).get("tokens", [])
        token = new_shippo_token()
        self._settings.put(tenant_id, name, {"tokens": [token, *tokens][:SHIPPO_TOKENS_KEPT]})
        return token

    def set_wecom(self, tenant_id: str, credentials: dict[str, Any]) -> None:
        self._settings.put(tenant_id, WECOM, credentials)

    def set_douyin(self, tenant_id: str, credentials: dict[str, Any]) -> None:
        self._settings.put(tenant_id, DOUYIN, credentials)

    def set_logistics_rules(self, tenant_id: str, rules: ExceptionRules) -> ExceptionRules:
        self._settings.put(tenant_id, LOGISTICS_RULES, rules.model_dump(mode="json"))
        return rules
