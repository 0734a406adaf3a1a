"""Provisioning and credential use cases: tenants, API keys (issue, list, rotate, revoke), staff,
token minting, and the authorizer's decision (authenticate)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from aws_lambda_powertools import Logger

from aftersales.auth import credentials
from aftersales.auth.credentials import DEFAULT_SCOPES, REPAIR_SCOPES, ApiKeyScope, Principal
from aftersales.core.clock import Clock
from aftersales.core.errors import Conflict, Forbidden, InvalidRequest, NotFound, Unauthorized
from aftersales.core.ids import new_id
from aftersales.tenants.ports import ApiKeyPage, ApiKeyRecord, SigningKey, StaffUser, Tenant, TenantDirectory
from aftersales.tickets.model import Role

logger = Logger(child=True)

DEFAULT_ROTATION_GRACE = timedelta(hours=24)
MAX_ROTATION_GRACE = timedelta(days=7)
PROVISIONING = "provisioning"  # the actor recorded for keys issued by operators' scripts (demo, setup)


@dataclass(frozen=True)
class IssuedApiKey:
    """A key as handed out: the full key (shown once, never stored) and its record."""

    api_key: str
    record: ApiKeyRecord


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

    # ------------------------------------------------------------------ API keys
    def issue_api_key(self, tenant_id: str, name: str, scopes: Iterable[ApiKeyScope] = (), *,
                      by: str = PROVISIONING) -> IssuedApiKey:
        """A new key with `scopes` (storefront only when none are given); its secret is returned once.
        A repair provider's or technician's key is issued only for one (issue_provider_key,
        issue_technician_key), never here."""
        if REPAIR_SCOPES & set(scopes):
            raise InvalidRequest("error.provider_scope_needs_provider", field="scopes")
        return self._issue(tenant_id, name, frozenset(scopes) or DEFAULT_SCOPES, by=by)

    def issue_provider_key(self, tenant_id: str, provider_id: str, name: str, *, by: str) -> IssuedApiKey:
        """A key that acts only for the repair provider `provider_id` (the repairs context checks the
        provider exists): no ticket role, so every ticket, order and merchant route refuses it."""
        return self._issue(tenant_id, name, frozenset({ApiKeyScope.REPAIR_PROVIDER}), by=by, provider_id=provider_id)

    def issue_technician_key(self, tenant_id: str, provider_id: str, technician_id: str, name: str, *,
                             by: str) -> IssuedApiKey:
        """A key that acts only for one technician of `provider_id`, on the jobs assigned to them (the
        repairs context checks who may ask, and that the technician exists); no ticket role either."""
        return self._issue(tenant_id, name, frozenset({ApiKeyScope.REPAIR_TECHNICIAN}), by=by,
                           provider_id=provider_id, technician_id=technician_id)

    def _issue(self, tenant_id: str, name: str, scopes: frozenset[ApiKeyScope], *, by: str,
               provider_id: str | None = None, technician_id: str | None = None) -> IssuedApiKey:
        now = self._clock.now()
        key_id = new_id("key", now).removeprefix("key_").lower()
        api_key, digest = credentials.new_api_key(key_id)
        record = ApiKeyRecord(key_id=key_id, tenant_id=tenant_id, secret_sha256=digest, name=name,
                              scopes=scopes, created_at=now, created_by=by, provider_id=provider_id,
                              technician_id=technician_id)
        self._dir.add_api_key(record)
        self._audit("api key issued", record, by)
        return IssuedApiKey(api_key, record)

    def list_api_keys(self, tenant_id: str, *, after: str | None = None, limit: int = 50) -> ApiKeyPage:
        return self._dir.list_api_keys(tenant_id, after=after, limit=limit)

    def rotate_api_key(self, tenant_id: str, key_id: str, *, grace: timedelta = DEFAULT_ROTATION_GRACE,
                       by: str) -> IssuedApiKey:
        """A new secret for the same key id; the replaced secret keeps working for `grace`."""
        if not timedelta(0) <= grace <= MAX_ROTATION_GRACE:
            raise InvalidRequest("error.rotation_grace_out_of_range", field="grace_seconds",
                                 max_seconds=int(MAX_ROTATION_GRACE.total_seconds()))
        current = self._active_key(tenant_id, key_id)
        api_key, digest = credentials.new_api_key(key_id)
        record = current.rotated(digest, now=self._clock.now(), grace=grace, by=by)
        self._dir.replace_api_key(record, expected_secret_sha256=current.secret_sha256)
        self._audit("api key rotated", record, by, grace_seconds=int(grace.total_seconds()))
        return IssuedApiKey(api_key, record)

    def revoke_api_key(self, tenant_id: str, key_id: str, *, by: str) -> ApiKeyRecord:
        """Both the current and a previous secret stop working at once. Revoking twice changes nothing."""
        current = self._key_of(tenant_id, key_id)
        if current.status == "revoked":
            return current
        record = current.revoked(now=self._clock.now(), by=by)
        self._dir.replace_api_key(record, expected_secret_sha256=current.secret_sha256)
        self._audit("api key revoked", record, by)
        return record

    def revoke_technician_key(self, tenant_id: str, provider_id: str, technician_id: str, key_id: str, *,
                              by: str) -> ApiKeyRecord:
        """Revoke a key only if it is this technician's (of this provider): any other key is not found."""
        record = self._key_of(tenant_id, key_id)
        if ApiKeyScope.REPAIR_TECHNICIAN not in record.scopes or \
                (record.provider_id, record.technician_id) != (provider_id, technician_id):
            raise NotFound("error.api_key_not_found", key_id=key_id)
        return self.revoke_api_key(tenant_id, key_id, by=by)

    def _key_of(self, tenant_id: str, key_id: str) -> ApiKeyRecord:
        record = self._dir.get_api_key(key_id)
        if record is None or record.tenant_id != tenant_id:  # another tenant's key does not exist here
            raise NotFound("error.api_key_not_found", key_id=key_id)
        return record

    def _active_key(self, tenant_id: str, key_id: str) -> ApiKeyRecord:
        record = self._key_of(tenant_id, key_id)
        if record.status != "active":
            raise Conflict("error.api_key_revoked", key_id=key_id)
        return record

    @staticmethod
    def _audit(event: str, record: ApiKeyRecord, by: str, **extra: object) -> None:
        logger.info(event, extra={"audit": True, "tenant_id": record.tenant_id, "key_id": record.key_id,
                                  "scopes": sorted(s.value for s in record.scopes), "actor": by, **extra})

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

    def default_locale(self, tenant_id: str) -> str:
        """The language for this tenant's customers whose own is not known ("en" for an unknown tenant)."""
        tenant = self._dir.get_tenant(tenant_id)
        return tenant.default_locale if tenant else "en"

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
        if record is None or not record.accepts(secret, self._clock.now()):
            raise Unauthorized("error.invalid_api_key")
        if ApiKeyScope.REPAIR_PROVIDER in record.scopes:
            if not record.provider_id:
                raise Unauthorized("error.invalid_api_key")
            return Principal(record.tenant_id, "provider", f"apikey:{key_id}", frozenset(),
                             scopes=frozenset({ApiKeyScope.REPAIR_PROVIDER}), provider_id=record.provider_id)
        if ApiKeyScope.REPAIR_TECHNICIAN in record.scopes:
            if not (record.provider_id and record.technician_id):
                raise Unauthorized("error.invalid_api_key")
            return Principal(record.tenant_id, "technician", f"apikey:{key_id}", frozenset(),
                             scopes=frozenset({ApiKeyScope.REPAIR_TECHNICIAN}), provider_id=record.provider_id,
                             technician_id=record.technician_id)
        # The storefront scope is the STOREFRONT role of the ticket domain; the other scopes are no
        # role there: an issuer or admin key reads no tickets or orders.
        roles = frozenset({Role.STOREFRONT}) if ApiKeyScope.STOREFRONT in record.scopes else frozenset()
        return Principal(record.tenant_id, "api_key", f"apikey:{key_id}", roles, scopes=record.scopes)

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
