"""A tenant's helpdesk settings, stored beside its other integrations (IntegrationSettings,
`helpdesk:zendesk` / `helpdesk:freshdesk`). Write-only: validated here where they are stored
(integrations.service.validated: 422 with the field's path), and read back only as what is configured."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aftersales.channels.ports import IntegrationSettings
from aftersales.helpdesks.model import FreshdeskSettings, Vendor, ZendeskSettings, settings_name
from aftersales.integrations.service import validated


class HelpdeskConfiguration:
    def __init__(self, settings: IntegrationSettings) -> None:
        self._settings = settings

    def set_zendesk(self, tenant_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
        config = validated(ZendeskSettings, values)
        self._settings.put(tenant_id, settings_name(Vendor.ZENDESK), config.model_dump(exclude_none=True))
        return self.view(tenant_id, Vendor.ZENDESK)

    def set_freshdesk(self, tenant_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
        config = validated(FreshdeskSettings, values)
        self._settings.put(tenant_id, settings_name(Vendor.FRESHDESK), config.model_dump(exclude_none=True))
        return self.view(tenant_id, Vendor.FRESHDESK)

    def view(self, tenant_id: str, vendor: Vendor) -> dict[str, Any]:
        """What is configured, never a secret: the account, the auth kind, the mapped agents' count."""
        stored = self._settings.get(tenant_id, settings_name(vendor))
        if stored is None:
            return {"vendor": vendor.value, "configured": False}
        account = stored.get("subdomain") if vendor is Vendor.ZENDESK else stored.get("domain")
        auth = "oauth" if stored.get("oauth_token") else ("api_token" if vendor is Vendor.ZENDESK else "api_key")
        return {"vendor": vendor.value, "configured": True, "account": account, "auth": auth,
                "mapped_agents": len(stored.get("agent_map") or {}),
                "webhook_path": f"/webhooks/helpdesks/{vendor.value}/{tenant_id}"}
