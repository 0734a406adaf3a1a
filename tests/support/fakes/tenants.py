"""The tenants context's TenantDirectory over dicts, with the DynamoDB adapter's conditions: a key
id is added once (`error.api_key_exists`), a replacement needs the stored key active with the
expected secret hash (`error.api_key_changed`), keys list by key id after a cursor."""

from __future__ import annotations

from aftersales.core.errors import Conflict
from aftersales.tenants.ports import ApiKeyPage, ApiKeyRecord, StaffUser, Tenant


class InMemoryTenantDirectory:
    def __init__(self) -> None:
        self.tenants: dict[str, Tenant] = {}
        self.api_keys: dict[str, ApiKeyRecord] = {}
        self.staff: dict[tuple[str, str], StaffUser] = {}

    def __len__(self) -> int:
        return len(self.api_keys)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self.api_keys

    def get_tenant(self, tenant_id: str) -> Tenant | None:
        return self.tenants.get(tenant_id)

    def put_tenant(self, tenant: Tenant) -> None:
        self.tenants[tenant.tenant_id] = tenant

    def get_api_key(self, key_id: str) -> ApiKeyRecord | None:
        return self.api_keys.get(key_id)

    def add_api_key(self, record: ApiKeyRecord) -> None:
        if record.key_id in self.api_keys:
            raise Conflict("error.api_key_exists", key_id=record.key_id)
        self.api_keys[record.key_id] = record

    def replace_api_key(self, record: ApiKeyRecord, *, expected_secret_sha256: str) -> None:
        current = self.api_keys.get(record.key_id)
        if (current is None or current.secret_sha256 != expected_secret_sha256 or current.status != "active"
                or current.tenant_id != record.tenant_id):
            raise Conflict("error.api_key_changed", key_id=record.key_id)
        self.api_keys[record.key_id] = record

    def list_api_keys(self, tenant_id: str, *, after: str | None, limit: int) -> ApiKeyPage:
        items = sorted((r for r in self.api_keys.values() if r.tenant_id == tenant_id
                        and (after is None or r.key_id > after)), key=lambda r: r.key_id)
        more = len(items) > limit
        return ApiKeyPage(items=items[:limit], cursor=items[limit - 1].key_id if more else None)

    def get_staff(self, tenant_id: str, user_id: str) -> StaffUser | None:
        return self.staff.get((tenant_id, user_id))

    def put_staff(self, user: StaffUser) -> None:
        self.staff[(user.tenant_id, user.user_id)] = user
