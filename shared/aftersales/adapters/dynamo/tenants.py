"""DynamoDB implementation of the TenantDirectory port."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import PutError

from aftersales.adapters.dynamo.models import ApiKeyItem, StaffItem, TenantItem
from aftersales.auth.credentials import DEFAULT_SCOPES, ApiKeyScope
from aftersales.core.clock import iso, parse_iso
from aftersales.core.errors import Conflict
from aftersales.tenants.ports import ApiKeyPage, ApiKeyRecord, SigningKey, StaffUser, Tenant
from aftersales.tickets.model import Role

KEYS_ISSUED_BEFORE_AUDIT = "provisioning"  # keys without created_by were only ever issued by scripts


def _api_key_pk(key_id: str) -> str:
    return f"APIKEY#{key_id}"


def _tenant_keys(tenant_id: str) -> str:
    return f"TENANT#{tenant_id}#APIKEYS"


def _when(value: str | None) -> datetime | None:
    return parse_iso(value) if value else None


def _iso(value: datetime | None) -> str | None:
    return iso(value) if value is not None else None


def _record(item: ApiKeyItem) -> ApiKeyRecord:
    return ApiKeyRecord(key_id=item.key_id, tenant_id=item.tenant_id, secret_sha256=item.secret_sha256,
                        name=item.name, status=item.status, created_at=parse_iso(item.created_at),
                        created_by=item.created_by or KEYS_ISSUED_BEFORE_AUDIT,
                        scopes=frozenset(ApiKeyScope(s) for s in item.scopes) if item.scopes else DEFAULT_SCOPES,
                        previous_secret_sha256=item.previous_secret_sha256,
                        previous_valid_until=_when(item.previous_valid_until),
                        rotated_at=_when(item.rotated_at), rotated_by=item.rotated_by,
                        revoked_at=_when(item.revoked_at), revoked_by=item.revoked_by,
                        provider_id=item.provider_id, technician_id=item.technician_id)


def _item(record: ApiKeyRecord) -> ApiKeyItem:
    return ApiKeyItem(pk=_api_key_pk(record.key_id), sk="APIKEY", tenant_id=record.tenant_id,
                      key_id=record.key_id, secret_sha256=record.secret_sha256, name=record.name,
                      status=record.status, created_at=iso(record.created_at), created_by=record.created_by,
                      scopes={s.value for s in record.scopes},
                      previous_secret_sha256=record.previous_secret_sha256,
                      previous_valid_until=_iso(record.previous_valid_until),
                      rotated_at=_iso(record.rotated_at), rotated_by=record.rotated_by,
                      revoked_at=_iso(record.revoked_at), revoked_by=record.revoked_by,
                      provider_id=record.provider_id, technician_id=record.technician_id,
                      gsi1pk=_tenant_keys(record.tenant_id), gsi1sk=record.key_id)


def _condition_failed(exc: PutError) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


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
            item = ApiKeyItem.get(_api_key_pk(key_id), "APIKEY", consistent_read=True)
        except ApiKeyItem.DoesNotExist:
            return None
        return _record(item)

    def add_api_key(self, record: ApiKeyRecord) -> None:
        try:
            _item(record).save(condition=ApiKeyItem.pk.does_not_exist())
        except PutError as exc:
            if _condition_failed(exc):
                raise Conflict("error.api_key_exists", key_id=record.key_id) from exc
            raise

    def replace_api_key(self, record: ApiKeyRecord, *, expected_secret_sha256: str) -> None:
        try:
            _item(record).save(condition=(ApiKeyItem.secret_sha256 == expected_secret_sha256)
                               & (ApiKeyItem.status == "active") & (ApiKeyItem.tenant_id == record.tenant_id))
        except PutError as exc:
            if _condition_failed(exc):
                raise Conflict("error.api_key_changed", key_id=record.key_id) from exc
            raise

    def list_api_keys(self, tenant_id: str, *, after: str | None, limit: int) -> ApiKeyPage:
        condition = ApiKeyItem.gsi1sk > after if after else None
        items = [_record(i) for i in ApiKeyItem.by_tenant.query(_tenant_keys(tenant_id), condition,
                                                                 limit=limit + 1)]
        more = len(items) > limit
        return ApiKeyPage(items=items[:limit], cursor=items[limit - 1].key_id if more else None)

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
