from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from aftersales.auth.credentials import DEFAULT_SCOPES, ApiKeyScope, api_key_matches
from aftersales.tickets.model import Role


@dataclass
class SigningKey:
    kid: str
    secret: str
    status: str = "active"


@dataclass
class Tenant:
    tenant_id: str
    name: str
    default_locale: str = "en"
    signing_keys: list[SigningKey] = field(default_factory=list)

    def active_key(self) -> SigningKey:
        return next(k for k in self.signing_keys if k.status == "active")

    def key(self, kid: str) -> SigningKey | None:
        return next((k for k in self.signing_keys if k.kid == kid and k.status != "revoked"), None)


@dataclass(frozen=True)
class ApiKeyRecord:
    """A tenant API key: its scopes, the hash of its secret and, after a rotation, the hash of the
    previous secret with the end of its grace period. Who created, rotated or revoked it is kept
    on the record (and logged)."""

    key_id: str
    tenant_id: str
    secret_sha256: str
    name: str
    created_at: datetime
    created_by: str
    scopes: frozenset[ApiKeyScope] = DEFAULT_SCOPES
    status: str = "active"  # active | revoked
    previous_secret_sha256: str | None = None
    previous_valid_until: datetime | None = None
    rotated_at: datetime | None = None
    rotated_by: str | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    provider_id: str | None = None  # a repair provider's key (scope repair_provider): the provider it acts for
    technician_id: str | None = None  # a technician's key (scope repair_technician): whose jobs it acts on

    def accepts(self, secret: str, now: datetime) -> bool:
        """The current secret, or the previous one until its grace period ends; nothing once revoked."""
        if self.status != "active":
            return False
        if api_key_matches(secret, self.secret_sha256):
            return True
        return (self.previous_secret_sha256 is not None and self.previous_valid_until is not None
                and now < self.previous_valid_until and api_key_matches(secret, self.previous_secret_sha256))

    def rotated(self, new_secret_sha256: str, *, now: datetime, grace: timedelta, by: str) -> ApiKeyRecord:
        """A secret before the last rotation is dropped here: only the one being replaced keeps a grace."""
        return replace(self, secret_sha256=new_secret_sha256, previous_secret_sha256=self.secret_sha256,
                       previous_valid_until=now + grace, rotated_at=now, rotated_by=by)

    def revoked(self, *, now: datetime, by: str) -> ApiKeyRecord:
        return replace(self, status="revoked", previous_secret_sha256=None, previous_valid_until=None,
                       revoked_at=now, revoked_by=by)


@dataclass(frozen=True)
class ApiKeyPage:
    items: list[ApiKeyRecord]
    cursor: str | None  # the last key id of the page when there may be more


@dataclass
class StaffUser:
    tenant_id: str
    user_id: str
    display_name: str
    roles: frozenset[Role]
    status: str = "active"


class TenantDirectory(Protocol):
    def get_tenant(self, tenant_id: str) -> Tenant | None: ...
    def put_tenant(self, tenant: Tenant) -> None: ...
    def get_api_key(self, key_id: str) -> ApiKeyRecord | None: ...
    def add_api_key(self, record: ApiKeyRecord) -> None: ...
    def replace_api_key(self, record: ApiKeyRecord, *, expected_secret_sha256: str) -> None:
        """Write `record` over the stored active key whose current secret hash is
        `expected_secret_sha256`; Conflict when it changed or was revoked meanwhile."""
        ...
    def list_api_keys(self, tenant_id: str, *, after: str | None, limit: int) -> ApiKeyPage: ...
    def get_staff(self, tenant_id: str, user_id: str) -> StaffUser | None: ...
    def put_staff(self, user: StaffUser) -> None: ...
