"""A repair provider's API key, and a technician's: issued only for a provider (a technician of it),
it authenticates as that provider (technician) with no ticket role (so every ticket, order and
merchant route refuses it) and survives the authorizer context; the generic key endpoint cannot mint
one. A technician's key is issued and revoked by the merchant or the provider's own key only, and
revoked only as that technician's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aftersales.adapters.provider_keys import TenantProviderKeys
from aftersales.auth.credentials import ApiKeyScope, Principal
from aftersales.core.clock import FixedClock
from aftersales.core.errors import Forbidden, InvalidRequest, NotFound, Unauthorized
from aftersales.repairs.model import JobActor, Party
from aftersales.tenants.service import TenantService
from tests.support.fakes.tenants import InMemoryTenantDirectory
from tests.support.repairs import CUSTOMER_SIDE, MERCHANT, TENANT, RepairRig, provider_actor

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


# ---------------------------------------------------------------------- a technician's own key
def test_a_technician_key_is_that_technician_of_that_provider_and_nothing_else(tenants):
    issued = TenantProviderKeys(lambda: tenants).issue_technician_key("acme", "rpv_1", "tech-li", "li's phone",
                                                                      by="apikey:provider")

    principal = tenants.authenticate(api_key=issued.api_key, authorization=None)

    assert (principal.kind, principal.provider_id, principal.technician_id, principal.roles) == (
        "technician", "rpv_1", "tech-li", frozenset())
    assert principal.scopes == {ApiKeyScope.REPAIR_TECHNICIAN}
    assert Principal.from_context(principal.to_context()) == principal
    assert issued.technician_id == "tech-li"
    assert tenants.list_api_keys("acme").items[0].created_by == "apikey:provider"


def test_the_generic_endpoint_cannot_mint_a_technician_key(tenants):
    with pytest.raises(InvalidRequest) as refused:
        tenants.issue_api_key("acme", "sneaky", [ApiKeyScope.REPAIR_TECHNICIAN])
    assert refused.value.details["field"] == "scopes"


def test_a_technician_key_is_revoked_only_as_that_technicians_and_then_stops_working(tenants):
    keys = TenantProviderKeys(lambda: tenants)
    li = keys.issue_technician_key("acme", "rpv_1", "tech-li", "li", by="admin-1")
    wu = keys.issue_technician_key("acme", "rpv_1", "tech-wu", "wu", by="admin-1")
    provider = keys.issue_provider_key("acme", "rpv_1", "fixers", by="admin-1")

    for provider_id, technician_id, key_id in (("rpv_1", "tech-wu", li.key_id), ("rpv_2", "tech-li", li.key_id),
                                               ("rpv_1", "tech-li", provider.key_id)):
        with pytest.raises(NotFound):
            keys.revoke_technician_key("acme", provider_id, technician_id, key_id, by="apikey:provider")
    assert tenants.authenticate(api_key=li.api_key, authorization=None).technician_id == "tech-li"

    keys.revoke_technician_key("acme", "rpv_1", "tech-li", li.key_id, by="apikey:provider")
    keys.revoke_technician_key("acme", "rpv_1", "tech-li", li.key_id, by="apikey:provider")  # twice: no change

    with pytest.raises(Unauthorized):
        tenants.authenticate(api_key=li.api_key, authorization=None)
    assert tenants.authenticate(api_key=wu.api_key, authorization=None).technician_id == "tech-wu"
    assert tenants.authenticate(api_key=provider.api_key, authorization=None).provider_id == "rpv_1"


def test_a_technician_record_without_its_technician_authenticates_as_nobody(tenants):
    issued = tenants.issue_technician_key("acme", "rpv_1", "", "broken", by="admin-1")
    with pytest.raises(Unauthorized):
        tenants.authenticate(api_key=issued.api_key, authorization=None)


# ---------------------------------------------------------------------- who may issue and revoke them
@pytest.fixture
def rig() -> RepairRig:
    rig = RepairRig()
    for provider in ("own", "other"):
        rig.registry.register(TENANT, name=provider)
    return rig


def _providers(rig: RepairRig) -> tuple[str, str]:
    own, other = (p.provider_id for p in sorted(rig.registry.providers(TENANT), key=lambda p: p.name != "own"))
    rig.registry.put_technician(TENANT, own, name="Li", technician_id="tech-li")
    rig.registry.put_technician(TENANT, own, name="Gone", technician_id="tech-gone", active=False)
    return own, other


def test_the_merchant_and_the_providers_own_key_issue_its_technicians_keys(rig):
    own, _ = _providers(rig)
    for by in (MERCHANT, provider_actor(own)):
        issued = rig.registry.issue_technician_key(TENANT, own, "tech-li", "li's phone", by=by)
        assert (issued.provider_id, issued.technician_id) == (own, "tech-li")
    assert len(rig.keys) == 2


def test_nobody_else_issues_or_revokes_a_technicians_key(rig):
    own, other = _providers(rig)
    li = JobActor(party=Party.TECHNICIAN, id="apikey:li", provider_id=own, technician_id="tech-li")
    refusals = [(provider_actor(other), NotFound), (li, Forbidden), (CUSTOMER_SIDE, Forbidden)]
    for by, refused in refusals:
        with pytest.raises(refused):
            rig.registry.issue_technician_key(TENANT, own, "tech-li", "sneaky", by=by)
    for technician_id in ("tech-gone", "tech-nobody"):  # an inactive or unknown technician gets no key
        with pytest.raises(NotFound):
            rig.registry.issue_technician_key(TENANT, own, technician_id, "x", by=MERCHANT)
    assert len(rig.keys) == 0

    issued = rig.registry.issue_technician_key(TENANT, own, "tech-li", "li", by=MERCHANT)
    for by, refused in refusals:
        with pytest.raises(refused):
            rig.registry.revoke_technician_key(TENANT, own, "tech-li", issued.key_id, by=by)
    assert rig.keys.revoked == []
    rig.registry.revoke_technician_key(TENANT, own, "tech-li", issued.key_id, by=provider_actor(own))
    assert rig.keys.revoked == [issued.key_id]
