"""The repairs context's ProviderKeys over the tenants context: a provider-scoped tenant API key, or
one scoped to a technician of the provider."""

from __future__ import annotations

from collections.abc import Callable

from aftersales.repairs.ports import IssuedProviderKey
from aftersales.tenants.service import TenantService


class TenantProviderKeys:
    """`tenants` builds the tenants context on the first key issued (a dispatch consumer never needs it)."""

    def __init__(self, tenants: Callable[[], TenantService]) -> None:
        self._tenants = tenants

    def issue_provider_key(self, tenant_id: str, provider_id: str, name: str, *, by: str) -> IssuedProviderKey:
        issued = self._tenants().issue_provider_key(tenant_id, provider_id, name, by=by)
        return IssuedProviderKey(api_key=issued.api_key, key_id=issued.record.key_id, provider_id=provider_id)

    def issue_technician_key(self, tenant_id: str, provider_id: str, technician_id: str, name: str, *,
                             by: str) -> IssuedProviderKey:
        issued = self._tenants().issue_technician_key(tenant_id, provider_id, technician_id, name, by=by)
        return IssuedProviderKey(api_key=issued.api_key, key_id=issued.record.key_id, provider_id=provider_id,
                                 technician_id=technician_id)

    def revoke_technician_key(self, tenant_id: str, provider_id: str, technician_id: str, key_id: str, *,
                              by: str) -> None:
        self._tenants().revoke_technician_key(tenant_id, provider_id, technician_id, key_id, by=by)
