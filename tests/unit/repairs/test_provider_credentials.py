"""A repair provider's API key: issued only for a provider, it authenticates as that provider with
no ticket role (so every ticket, order and merchant route refuses it) and survives the authorizer
context; the generic key endpoint cannot mint one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aftersales.adapters.provider_keys import TenantProviderKeys
from aftersales.auth.credentials import ApiKeyScope, Principal
from aftersales.core.clock import FixedClock
from aftersales.core.errors import InvalidRequest, Unauthorized
from aftersales.tenants.service import TenantService
from tests.support.fakes.tenants import InMemoryTenantDirectory

NOW = datetime(2026, 12, 3, 8, tzinfo=UTC)


@pytest.fixture
def tenants() -> TenantService:
    service = TenantService(InMemoryTenantDirectory(), FixedClock(NOW))
    service.create_tenant("acme", "Acme")
    return service


def test_a_provider_key_is_that_provider_and_nothing_else(tenants):
    issued = TenantProviderKeys(lambda: tenants).issue_provider_key("acme", "rpv_1", "fixers", by="admin-1")

    principal = tenants.authenticate(api_key=issued.api_key, authorization=None)

    assert (principal.kind, principal.provider_id, principal.roles) == ("provider", "rpv_1", frozenset())
    assert principal.scopes == {ApiKeyScope.REPAIR_PROVIDER}
    assert Principal.from_context(principal.to_context()) == principal


def test_the_generic_endpoint_cannot_mint_a_provider_key(tenants):
    with pytest.raises(InvalidRequest) as refused:
        tenants.issue_api_key("acme", "sneaky", [ApiKeyScope.STOREFRONT, ApiKeyScope.REPAIR_PROVIDER])
    assert refused.value.details["field"] == "scopes"


def test_a_revoked_provider_key_stops_working(tenants):
    issued = TenantProviderKeys(lambda: tenants).issue_provider_key("acme", "rpv_1", "fixers", by="admin-1")
    tenants.revoke_api_key("acme", issued.key_id, by="admin-1")
    with pytest.raises(Unauthorized):
        tenants.authenticate(api_key=issued.api_key, authorization=None)


def test_other_principals_carry_no_provider():
    principal = Principal("acme", "api_key", "apikey:k", frozenset(), scopes=frozenset({ApiKeyScope.ADMIN}))
    assert Principal.from_context(principal.to_context()).provider_id is None
