"""Provisioning and credential use cases: tenants, API keys, staff, token minting, and the
authorizer's decision (authenticate)."""

from __future__ import annotations

from datetime import timedelta

from aftersales.auth import credentials
from aftersales.auth.credentials import Principal
from aftersales.core.clock import Clock, iso
from aftersales.core.errors import Forbidden, NotFound, Unauthorized
from aftersales.core.ids import new_id
from aftersales.tenants.ports import ApiKeyRecord, SigningKey, StaffUser, Tenant, TenantDirectory
from aftersales.tickets.model import Role


class TenantService:
    def __init__(self, directory: TenantDirectory, clock: Clock) -> None:
        self._dir = directory
        self._clock = clock

    # ------------------------------------------------------------------ provisioning
    def create_tenant(self, tenant_id: str, name: str, default_locale: str = "en") -> Tenant:
        tenant = Tenant(tenant_id=tenant_id, name=name, default_locale=default_locale,
                        signing_keys=[SigningKey(kid=new_id("kid"), secret=credentials.new_signing_secret())])
        self._dir.put_tenant(tenant)
        return tenant

    def issue_api_key(self, tenant_id: str, name: str) -> str:
        key_id = new_id("key").removeprefix("key_").lower()
        api_key, digest = credentials.new_api_key(key_id)
        self._dir.put_api_key(ApiKeyRecord(key_id=key_id, tenant_id=tenant_id, secret_sha256=digest,
                                           name=name), created_at=iso(self._clock.now()))
        return api_key

    def put_staff(self, tenant_id: str, user_id: str, display_name: str, roles: frozenset[Role],
                  status: str = "active") -> StaffUser:
        user = StaffUser(tenant_id=tenant_id, user_id=user_id, display_name=display_name, roles=roles,
                         status=status)
        self._dir.put_staff(user)
        return user

    # ------------------------------------------------------------------ tokens
    def mint_customer_token(self, tenant_id: str, customer_id: str, ttl: timedelta) -> str:
        key = self._tenant(tenant_id).active_key()
        return credentials.mint_token(tenant_id=tenant_id, kid=key.kid, secret=key.secret, subject=customer_id,
                                      kind="customer", now=self._clock.now(), ttl=ttl, customer_id=customer_id)

    def mint_staff_token(self, tenant_id: str, user_id: str, ttl: timedelta) -> str:
        user = self._dir.get_staff(tenant_id, user_id)
        if user is None or user.status != "active":
            raise NotFound("error.staff_not_found", user_id=user_id)
        key = self._tenant(tenant_id).active_key()
        return credentials.mint_token(tenant_id=tenant_id, kid=key.kid, secret=key.secret, subject=user_id,
                                      kind="staff", now=self._clock.now(), ttl=ttl, roles=user.roles)

    def _tenant(self, tenant_id: str) -> Tenant:
        tenant = self._dir.get_tenant(tenant_id)
        if tenant is None:
            raise NotFound("error.tenant_not_found")
        return tenant

    # ------------------------------------------------------------------ authentication
    def authenticate(self, *, api_key: str | None, authorization: str | None) -> Principal:
        """The principal of a request's X-Api-Key or Authorization header. Both at once:
        ConflictingCredentials, decided before either is looked up."""
        api_key, bearer = credentials.single_credential(api_key, authorization)
        if api_key:
            return self._by_api_key(api_key)
        if bearer:
            return self._by_token(bearer)
        raise Unauthorized("error.missing_credentials")

    def _by_api_key(self, api_key: str) -> Principal:
        key_id, secret = credentials.split_api_key(api_key)
        record = self._dir.get_api_key(key_id)
        if record is None or record.status != "active" or not credentials.api_key_matches(
                secret, record.secret_sha256):
            raise Unauthorized("error.invalid_api_key")
        return Principal(record.tenant_id, "storefront", f"apikey:{key_id}", frozenset({Role.STOREFRONT}))

    def _by_token(self, token: str) -> Principal:
        tenant_id, kid = credentials.unverified_routing(token)
        tenant = self._dir.get_tenant(tenant_id)
        key = tenant.key(kid) if tenant else None
        if key is None:
            raise Unauthorized("error.invalid_token")
        principal = credentials.verify_token(token, secret=key.secret, tenant_id=tenant_id, now=self._clock.now())
        if principal.kind == "staff":
            # Deactivation and role removal take effect at once, not at token expiry.
            user = self._dir.get_staff(tenant_id, principal.subject_id)
            if user is None or user.status != "active":
                raise Forbidden("error.staff_inactive")
            principal = Principal(tenant_id, "staff", user.user_id, principal.roles & user.roles)
            if not principal.roles:
                raise Forbidden("error.staff_inactive")
        return principal
