"""TenantService on the in-memory TenantDirectory: API keys (issue, list, rotate with a grace
period, revoke), customer and staff tokens, and the authorizer's decision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aftersales.auth.credentials import ApiKeyScope
from aftersales.core.clock import FixedClock
from aftersales.core.errors import Conflict, ConflictingCredentials, Forbidden, InvalidRequest, NotFound, Unauthorized
from aftersales.tenants.service import TenantService
from aftersales.tickets.model import Role
from tests.support.fakes.tenants import InMemoryTenantDirectory

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def directory() -> InMemoryTenantDirectory:
    return InMemoryTenantDirectory()


@pytest.fixture
def tenants(directory, clock) -> TenantService:
    service = TenantService(directory, clock)
    service.create_tenant("acme", "Acme")
    service.create_tenant("globex", "Globex")
    return service


def test_an_issued_key_authenticates_as_the_storefront(tenants, directory):
    """GIVEN a key issued with no scopes WHEN it is presented THEN it is the tenant's storefront, and
    only its hash is stored."""
    issued = tenants.issue_api_key("acme", "shop")

    principal = tenants.authenticate(api_key=issued.api_key, authorization=None)

    assert issued.record.key_id in directory and len(directory) == 1
    assert (principal.tenant_id, principal.kind, principal.roles) == ("acme", "api_key", frozenset({Role.STOREFRONT}))
    assert issued.api_key not in repr(directory.get_api_key(issued.record.key_id))


def test_an_admin_key_has_no_ticket_role(tenants):
    """GIVEN a key with the admin scope only WHEN it authenticates THEN it carries the scope and no
    role of the ticket domain."""
    issued = tenants.issue_api_key("acme", "ops", [ApiKeyScope.ADMIN])

    principal = tenants.authenticate(api_key=issued.api_key, authorization=None)

    assert principal.roles == frozenset()
    assert principal.scopes == frozenset({ApiKeyScope.ADMIN})


def test_a_rotated_secret_works_until_its_grace_ends(tenants, clock):
    """GIVEN a key rotated with one hour of grace WHEN both secrets are used THEN both work within
    the hour and only the new one after it."""
    old = tenants.issue_api_key("acme", "shop")
    new = tenants.rotate_api_key("acme", old.record.key_id, grace=timedelta(hours=1), by="admin-1")

    assert tenants.authenticate(api_key=old.api_key, authorization=None).tenant_id == "acme"
    clock.advance(hours=1)
    with pytest.raises(Unauthorized):
        tenants.authenticate(api_key=old.api_key, authorization=None)
    assert tenants.authenticate(api_key=new.api_key, authorization=None).tenant_id == "acme"
    assert new.record.rotated_by == "admin-1"


def test_a_grace_beyond_a_week_is_refused(tenants):
    """GIVEN a key WHEN it is rotated with eight days of grace THEN InvalidRequest on grace_seconds,
    and the old secret is still the current one."""
    issued = tenants.issue_api_key("acme", "shop")

    with pytest.raises(InvalidRequest) as caught:
        tenants.rotate_api_key("acme", issued.record.key_id, grace=timedelta(days=8), by="admin-1")
    assert caught.value.details["field"] == "grace_seconds"
    assert tenants.authenticate(api_key=issued.api_key, authorization=None).tenant_id == "acme"


def test_revoking_stops_both_secrets_and_is_idempotent(tenants, clock):
    """GIVEN a rotated key still in its grace WHEN it is revoked (twice) THEN neither secret works,
    the second revocation changes nothing and rotating it is a Conflict."""
    old = tenants.issue_api_key("acme", "shop")
    new = tenants.rotate_api_key("acme", old.record.key_id, by="admin-1")

    first = tenants.revoke_api_key("acme", old.record.key_id, by="admin-1")
    clock.advance(minutes=5)
    again = tenants.revoke_api_key("acme", old.record.key_id, by="admin-2")

    assert again == first and again.revoked_by == "admin-1"
    for key in (old.api_key, new.api_key):
        with pytest.raises(Unauthorized):
            tenants.authenticate(api_key=key, authorization=None)
    with pytest.raises(Conflict):
        tenants.rotate_api_key("acme", old.record.key_id, by="admin-1")


def test_another_tenants_key_does_not_exist_here(tenants):
    """GIVEN a key of globex WHEN acme revokes it THEN NotFound, and it still works for globex."""
    issued = tenants.issue_api_key("globex", "shop")

    with pytest.raises(NotFound):
        tenants.revoke_api_key("acme", issued.record.key_id, by="admin-1")
    assert tenants.authenticate(api_key=issued.api_key, authorization=None).tenant_id == "globex"


def test_keys_list_per_tenant_in_pages(tenants, clock):
    """GIVEN three acme keys and one globex key WHEN acme lists two per page THEN two pages hold its
    three keys, in key-id order, and none of globex's."""
    ids = []
    for n in range(3):
        ids.append(tenants.issue_api_key("acme", f"k{n}").record.key_id)
        clock.advance(seconds=1)
    tenants.issue_api_key("globex", "other")

    first = tenants.list_api_keys("acme", limit=2)
    second = tenants.list_api_keys("acme", after=first.cursor, limit=2)

    assert [r.key_id for r in first.items + second.items] == sorted(ids)
    assert second.cursor is None


def test_a_customer_token_carries_the_customer(tenants):
    """GIVEN a tenant WHEN a customer token is minted and presented THEN it is that customer."""
    token = tenants.mint_customer_token("acme", "cust-1", timedelta(minutes=15))

    principal = tenants.authenticate(api_key=None, authorization=f"Bearer {token}")

    assert (principal.kind, principal.customer_id, principal.roles) == ("customer", "cust-1",
                                                                         frozenset({Role.CUSTOMER}))


def test_a_deactivated_staff_member_is_refused_at_once(tenants):
    """GIVEN a supervisor's valid token WHEN the supervisor is deactivated THEN the same token is
    Forbidden (not at its expiry)."""
    tenants.put_staff("acme", "sup-1", "Sam", frozenset({Role.SUPERVISOR}))
    token = tenants.mint_staff_token("acme", "sup-1", timedelta(minutes=15))
    assert tenants.authenticate(api_key=None, authorization=f"Bearer {token}").roles == frozenset({Role.SUPERVISOR})

    tenants.put_staff("acme", "sup-1", "Sam", frozenset({Role.SUPERVISOR}), status="inactive")

    with pytest.raises(Forbidden):
        tenants.authenticate(api_key=None, authorization=f"Bearer {token}")


def test_a_removed_role_is_dropped_from_a_live_token(tenants):
    """GIVEN a token minted for agent+supervisor WHEN the supervisor role is removed THEN the token
    authenticates with the agent role only."""
    tenants.put_staff("acme", "u-1", "Uma", frozenset({Role.AGENT, Role.SUPERVISOR}))
    token = tenants.mint_staff_token("acme", "u-1", timedelta(minutes=15))
    tenants.put_staff("acme", "u-1", "Uma", frozenset({Role.AGENT}))

    assert tenants.authenticate(api_key=None, authorization=f"Bearer {token}").roles == frozenset({Role.AGENT})


def test_a_token_of_one_tenant_is_not_valid_for_another(tenants, directory):
    """GIVEN a customer token of acme WHEN acme's signing key is replaced by globex's THEN the token
    no longer verifies."""
    token = tenants.mint_customer_token("acme", "cust-1", timedelta(minutes=15))
    acme, globex = directory.get_tenant("acme"), directory.get_tenant("globex")
    directory.put_tenant(type(acme)(tenant_id="acme", name="Acme", signing_keys=globex.signing_keys))

    with pytest.raises(Unauthorized):
        tenants.authenticate(api_key=None, authorization=f"Bearer {token}")


def test_no_credentials_and_both_credentials_are_refused(tenants):
    """GIVEN no header THEN Unauthorized; GIVEN an API key and a bearer at once THEN refused before
    either is looked up."""
    issued = tenants.issue_api_key("acme", "shop")
    token = tenants.mint_customer_token("acme", "cust-1", timedelta(minutes=15))

    with pytest.raises(Unauthorized):
        tenants.authenticate(api_key=None, authorization=None)
    with pytest.raises(ConflictingCredentials):
        tenants.authenticate(api_key=issued.api_key, authorization=f"Bearer {token}")
