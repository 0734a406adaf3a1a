"""DynamoDB implementation of the TenantDirectory port."""

from __future__ import annotations

from aftersales.adapters.dynamo.models import ApiKeyItem, StaffItem, TenantItem
from aftersales.tenants.ports import ApiKeyRecord, SigningKey, StaffUser, Tenant
from aftersales.tickets.model import Role


class DynamoTenantDirectory:
    def get_tenant(self, tenant_id: str) -> Tenant | None:
        try:
            item = TenantItem.get(f"TENANT#{tenant_id}", "PROFILE")
        except TenantItem.DoesNotExist:
            return None
        return Tenant(tenant_id=item.tenant_id, name=item.name, default_locale=item.default_locale,
                      signing_keys=[SigningKey(**k) for k in item.signing_keys or []])

    def put_tenant(self, tenant: Tenant) -> None:
        TenantItem(pk=f"TENANT#{tenant.tenant_id}", sk="PROFILE", tenant_id=tenant.tenant_id,
                   name=tenant.name, default_locale=tenant.default_locale,
                   signing_keys=[vars(k) for k in tenant.signing_keys]).save()

    def get_api_key(self, key_id: str) -> ApiKeyRecord | None:
        try:
            item = ApiKeyItem.get(f"APIKEY#{key_id}", "APIKEY")
        except ApiKeyItem.DoesNotExist:
            return None
        return ApiKeyRecord(key_id=item.key_id, tenant_id=item.tenant_id, secret_sha256=item.secret_sha256,
                            name=item.name, status=item.status)

    def put_api_key(self, record: ApiKeyRecord, created_at: str) -> None:
        ApiKeyItem(pk=f"APIKEY#{record.key_id}", sk="APIKEY", tenant_id=record.tenant_id,
                   key_id=record.key_id, secret_sha256=record.secret_sha256, name=record.name,
                   status=record.status, created_at=created_at).save()

    def get_staff(self, tenant_id: str, user_id: str) -> StaffUser | None:
        try:
            item = StaffItem.get(f"TENANT#{tenant_id}", f"STAFF#{user_id}")
        except StaffItem.DoesNotExist:
            return None
        return StaffUser(tenant_id=item.tenant_id, user_id=item.user_id, display_name=item.display_name,
                         roles=frozenset(Role(r) for r in item.roles), status=item.status)

    def put_staff(self, user: StaffUser) -> None:
        StaffItem(pk=f"TENANT#{user.tenant_id}", sk=f"STAFF#{user.user_id}", tenant_id=user.tenant_id,
                  user_id=user.user_id, display_name=user.display_name,
                  roles={r.value for r in user.roles}, status=user.status).save()
