from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

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


@dataclass
class ApiKeyRecord:
    key_id: str
    tenant_id: str
    secret_sha256: str
    name: str
    status: str = "active"


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
    def put_api_key(self, record: ApiKeyRecord, created_at: str) -> None: ...
    def get_staff(self, tenant_id: str, user_id: str) -> StaffUser | None: ...
    def put_staff(self, user: StaffUser) -> None: ...
