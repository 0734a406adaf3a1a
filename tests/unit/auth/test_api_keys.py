"""API key scopes, rotation and revocation in TenantService, on an in-memory TenantDirectory."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.auth.credentials import ApiKeyScope, split_api_key
from aftersales.core.clock import FixedClock
from aftersales.core.errors import (
    Conflict,
    ConflictingCredentials,
    InvalidRequest,
    NotFound,
    Unauthorized,
)
from aftersales.tenants.ports import ApiKeyPage, ApiKeyRecord, StaffUser, Tenant
from aftersales.tenants.service import DEFAULT_ROTATION_GRACE, MAX_ROTATION_GRACE, TenantService
from aftersales.tickets.model import Role

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class InMemoryTenantDirectory:
    """The TenantDirectory port in memory, with the adapter's conditional write on replace."""

    def __init__(self) -> None:
        self.tenants: dict[str, Tenant] = {}
        self.keys: dict[str, ApiKeyRecord] = {}
        self.staff: dict[tuple[str, str], StaffUser] = {}

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self.keys

    def get_tenant(self, tenant_id: str) -> Tenant | None:
        return self.tenants.get(tenant_id)

    def put_tenant(self, tenant: Tenant) -> None:
        self.tenants[tenant.tenant_id] = tenant

    def get_api_key(self, key_id: str) -> ApiKeyRecord | None:
        return self.keys.get(key_id)

    def add_api_key(self, record: ApiKeyRecord) -> None:
        if record.key_id in self.keys:
            raise Conflict("error.api_key_exists", key_id=record.key_id)
        self.keys[record.key_id] = record

    def replace_api_key(self, record: ApiKeyRecord, *, expected_secret_sha256: str) -> None:
        stored = self.keys.get(record.key_id)
        if (stored is None or stored.status != "active" or stored.tenant_id != record.tenant_id
                or stored.secret_sha256 != expected_secret_sha256):
            raise Conflict("error.api_key_changed", key_id=record.key_id)
        self.keys[record.key_id] = record

    def list_api_keys(self, tenant_id: str, *, after: str | None, limit: int) -> ApiKeyPage:
        mine = sorted((r for r in self.keys.values()
                       if r.tenant_id == tenant_id and (after is None or r.key_id > after)), key=lambda r: r.key_id)
        return ApiKeyPage(items=mine[:limit], cursor=mine[limit - 1].key_id if len(mine) > limit else None)

    def get_staff(self, tenant_id: str, user_id: str) -> StaffUser | None:
        return self.staff.get((tenant_id, user_id))

    def put_staff(self, user: StaffUser) -> None:
        self.staff[(user.tenant_id, user.user_id)] = user


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def directory() -> InMemoryTenantDirectory:
    return InMemoryTenantDirectory()


@pytest.fixture
def tenants(directory, clock) -> TenantService:
    service = TenantService(directory, clock)
    service.create_tenant("t1", "Tenant one")
    service.create_tenant("t2", "Tenant two")
    return service


def _key_id(api_key: str) -> str:
    return api_key.split("_")[1]


def test_a_key_issued_without_scopes_is_a_storefront_key_only(tenants, directory):
    """GIVEN a key issued with no scopes WHEN it authenticates THEN the storefront role and scope,
    nothing else; only the hash of its secret is stored."""
    issued = tenants.issue_api_key("t1", "shop")
    principal = tenants.authenticate(api_key=issued.api_key, authorization=None)
    assert principal.scopes == {ApiKeyScope.STOREFRONT} and principal.roles == {Role.STOREFRONT}
    assert principal.kind == "api_key" and principal.tenant_id == "t1"
    assert issued.record.key_id in directory and split_api_key(issued.api_key)[1] not in repr(directory.keys)
    assert issued.record.created_by == "provisioning" and issued.record.created_at == NOW


def test_issuer_and_admin_keys_have_no_role_in_the_ticket_domain(tenants):
    """GIVEN a staff_token_issuer key and an admin key WHEN they authenticate THEN their scopes and
    no role (they act on no ticket or order); a key may combine scopes."""
    issuer = tenants.issue_api_key("t1", "sso", [ApiKeyScope.STAFF_TOKEN_ISSUER])
    admin = tenants.issue_api_key("t1", "ops", [ApiKeyScope.ADMIN])
    both = tenants.issue_api_key("t1", "shop+ops", [ApiKeyScope.STOREFRONT, ApiKeyScope.ADMIN])
    assert tenants.authenticate(api_key=issuer.api_key, authorization=None).scopes == {ApiKeyScope.STAFF_TOKEN_ISSUER}
    admin_principal = tenants.authenticate(api_key=admin.api_key, authorization=None)
    assert admin_principal.scopes == {ApiKeyScope.ADMIN} and admin_principal.roles == frozenset()
    assert tenants.authenticate(api_key=both.api_key, authorization=None).roles == {Role.STOREFRONT}


def test_both_credentials_are_refused_before_either_is_looked_up(tenants, directory):
    """GIVEN a valid API key and a valid staff token WHEN both arrive THEN ConflictingCredentials,
    and the directory was not asked about either (no key lookup, no staff re-check)."""
    issued = tenants.issue_api_key("t1", "shop")
    tenants.put_staff("t1", "adm", "Admin", frozenset({Role.ADMIN}))
    token = tenants.mint_staff_token("t1", "adm", timedelta(hours=1))
    directory.keys.clear()  # a lookup would now fail with 401; the refusal must come first
    with pytest.raises(ConflictingCredentials):
        tenants.authenticate(api_key=issued.api_key, authorization=f"Bearer {token}")


def test_rotation_keeps_the_old_secret_for_the_grace_period_only(tenants, clock):
    """GIVEN a key rotated with a one-hour grace WHEN used THEN the new secret works, the old one
    until the hour is over and not after; the key id stays the same."""
    old = tenants.issue_api_key("t1", "shop")
    rotated = tenants.rotate_api_key("t1", _key_id(old.api_key), grace=timedelta(hours=1), by="adm")
    assert _key_id(rotated.api_key) == _key_id(old.api_key) and rotated.api_key != old.api_key
    assert rotated.record.rotated_by == "adm" and rotated.record.previous_valid_until == NOW + timedelta(hours=1)
    clock.advance(minutes=59)
    assert tenants.authenticate(api_key=old.api_key, authorization=None).tenant_id == "t1"
    assert tenants.authenticate(api_key=rotated.api_key, authorization=None).tenant_id == "t1"
    clock.advance(minutes=1)
    with pytest.raises(Unauthorized):
        tenants.authenticate(api_key=old.api_key, authorization=None)
    assert tenants.authenticate(api_key=rotated.api_key, authorization=None).tenant_id == "t1"


def test_rotation_defaults_to_a_day_of_grace_and_bounds_it(tenants, clock):
    old = tenants.issue_api_key("t1", "shop")
    key_id = _key_id(old.api_key)
    assert tenants.rotate_api_key("t1", key_id, by="adm").record.previous_valid_until == NOW + DEFAULT_ROTATION_GRACE
    for grace in (timedelta(seconds=-1), MAX_ROTATION_GRACE + timedelta(seconds=1)):
        with pytest.raises(InvalidRequest) as refused:
            tenants.rotate_api_key("t1", key_id, grace=grace, by="adm")
        assert refused.value.details["field"] == "grace_seconds"


def test_a_second_rotation_ends_the_first_secrets_grace(tenants):
    """GIVEN a key rotated twice within the grace WHEN the first secret is used THEN refused: only the
    secret replaced last keeps a grace period."""
    first = tenants.issue_api_key("t1", "shop")
    key_id = _key_id(first.api_key)
    second = tenants.rotate_api_key("t1", key_id, by="adm")
    third = tenants.rotate_api_key("t1", key_id, by="adm")
    with pytest.raises(Unauthorized):
        tenants.authenticate(api_key=first.api_key, authorization=None)
    for usable in (second, third):
        assert tenants.authenticate(api_key=usable.api_key, authorization=None).tenant_id == "t1"


def test_revocation_invalidates_current_and_previous_secrets_at_once(tenants):
    """GIVEN a key within its rotation grace WHEN revoked THEN neither secret works, the record says
    who revoked it, revoking again changes nothing, and a revoked key cannot be rotated back."""
    old = tenants.issue_api_key("t1", "shop")
    key_id = _key_id(old.api_key)
    new = tenants.rotate_api_key("t1", key_id, by="adm")
    revoked = tenants.revoke_api_key("t1", key_id, by="apikey:ops")
    assert revoked.status == "revoked" and revoked.revoked_by == "apikey:ops" and revoked.revoked_at == NOW
    for secret in (old.api_key, new.api_key):
        with pytest.raises(Unauthorized):
            tenants.authenticate(api_key=secret, authorization=None)
    assert tenants.revoke_api_key("t1", key_id, by="someone-else") == revoked
    with pytest.raises(Conflict):
        tenants.rotate_api_key("t1", key_id, by="adm")


def test_another_tenants_key_does_not_exist_for_management(tenants):
    """GIVEN t2's key WHEN t1 rotates or revokes it by id THEN 404, and it keeps working for t2."""
    theirs = tenants.issue_api_key("t2", "their shop")
    key_id = _key_id(theirs.api_key)
    with pytest.raises(NotFound):
        tenants.rotate_api_key("t1", key_id, by="adm")
    with pytest.raises(NotFound):
        tenants.revoke_api_key("t1", key_id, by="adm")
    assert tenants.authenticate(api_key=theirs.api_key, authorization=None).tenant_id == "t2"


def test_a_concurrent_change_is_a_conflict_not_a_lost_update(tenants, directory):
    """GIVEN a key rotated by someone else between our read and our write WHEN we write THEN Conflict:
    the other rotation's secret is not silently replaced."""
    issued = tenants.issue_api_key("t1", "shop")
    key_id = _key_id(issued.api_key)
    stale = directory.keys[key_id]
    tenants.rotate_api_key("t1", key_id, by="other-admin")
    with pytest.raises(Conflict):
        directory.replace_api_key(replace(stale, name="x"), expected_secret_sha256=stale.secret_sha256)


def test_listing_pages_through_a_tenants_keys_only(tenants, clock):
    mine = []
    for n in range(5):
        clock.advance(milliseconds=1)
        mine.append(tenants.issue_api_key("t1", f"shop {n}").record.key_id)
    tenants.issue_api_key("t2", "their shop")
    seen, cursor = [], None
    while True:
        page = tenants.list_api_keys("t1", after=cursor, limit=2)
        seen += [r.key_id for r in page.items]
        if not (cursor := page.cursor):
            break
    assert seen == sorted(mine)


@settings(max_examples=40, deadline=None)
@given(graces=st.lists(st.integers(min_value=0, max_value=int(MAX_ROTATION_GRACE.total_seconds())),
                       min_size=1, max_size=4),
       waits=st.lists(st.integers(min_value=0, max_value=3 * 86400), min_size=4, max_size=4),
       probe=st.integers(min_value=0, max_value=10 * 86400))
def test_exactly_the_current_and_the_last_replaced_secret_within_its_grace_work(graces, waits, probe):
    """GIVEN any sequence of rotations at any intervals WHEN every secret ever issued is tried later
    THEN the current one works, the one replaced last works iff its grace has not ended, none else."""
    clock = FixedClock(NOW)
    tenants = TenantService(InMemoryTenantDirectory(), clock)
    secrets_issued = [tenants.issue_api_key("t1", "shop").api_key]
    key_id = _key_id(secrets_issued[0])
    grace_end = None
    for grace, wait in zip(graces, waits, strict=False):
        clock.advance(seconds=wait)
        secrets_issued.append(tenants.rotate_api_key("t1", key_id, grace=timedelta(seconds=grace), by="adm").api_key)
        grace_end = clock.now() + timedelta(seconds=grace)
    clock.advance(seconds=probe)

    def works(api_key: str) -> bool:
        try:
            return tenants.authenticate(api_key=api_key, authorization=None).tenant_id == "t1"
        except Unauthorized:
            return False

    assert [works(s) for s in secrets_issued] == [False] * (len(secrets_issued) - 2) + [
        clock.now() < grace_end, True]
