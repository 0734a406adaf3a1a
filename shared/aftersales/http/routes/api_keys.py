"""Tenant API keys: issue (the secret is shown once), list (never a secret), rotate (a new secret,
the replaced one valid for a grace period) and revoke (invalid at once). Admin staff tokens and keys
with the `admin` scope manage keys; every change records and logs who made it.

The responses that carry a secret are not replayed for an Idempotency-Key (the idempotency store
would keep the secret): a retried issue makes a second key, which the list shows and revocation
removes. Revocation is idempotent by itself."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import ConfigDict, Field

from aftersales.auth.credentials import ApiKeyScope
from aftersales.core.model import DomainModel
from aftersales.http.context import RequestContext, json_response
from aftersales.tenants.ports import ApiKeyRecord
from aftersales.tenants.service import DEFAULT_ROTATION_GRACE, MAX_ROTATION_GRACE, IssuedApiKey
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
KeyId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9]+$")]
NO_STORE = {"Cache-Control": "no-store"}


class CreateApiKeyRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=128, description="What the key is for, e.g. the shop or bridge")
    scopes: list[ApiKeyScope] = Field(default_factory=lambda: [ApiKeyScope.STOREFRONT], min_length=1,
                                      max_length=len(ApiKeyScope),
                                      description="storefront (default), staff_token_issuer, admin (a provider's "
                                                  "or technician's key comes from /repairs/providers only)")


class RotateApiKeyRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    grace_seconds: int = Field(default=int(DEFAULT_ROTATION_GRACE.total_seconds()), ge=0,
                               le=int(MAX_ROTATION_GRACE.total_seconds()),
                               description="How long the replaced secret keeps working (0: not at all)")


class ApiKeyView(DomainModel):
    key_id: str
    name: str
    scopes: list[ApiKeyScope]
    status: str
    created_at: datetime
    created_by: str
    rotated_at: datetime | None = None
    rotated_by: str | None = None
    previous_secret_valid_until: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    provider_id: str | None = Field(default=None, description="A repair provider's or technician's key: the provider")
    technician_id: str | None = Field(default=None, description="A technician's key: the technician")


class IssuedApiKeyView(ApiKeyView):
    api_key: str = Field(description="The whole key for X-Api-Key; shown only in this response")


class ApiKeyPageView(DomainModel):
    items: list[ApiKeyView]
    next_cursor: str | None = None


def _view(record: ApiKeyRecord) -> ApiKeyView:
    return ApiKeyView(key_id=record.key_id, name=record.name, scopes=sorted(record.scopes), status=record.status,
                      created_at=record.created_at, created_by=record.created_by, rotated_at=record.rotated_at,
                      rotated_by=record.rotated_by, previous_secret_valid_until=record.previous_valid_until,
                      revoked_at=record.revoked_at, revoked_by=record.revoked_by, provider_id=record.provider_id,
                      technician_id=record.technician_id)


def _issued(issued: IssuedApiKey) -> IssuedApiKeyView:
    return IssuedApiKeyView(**_view(issued.record).model_dump(), api_key=issued.api_key)


def _require_key_admin() -> str:
    """Admin staff or an admin key; returns who acts, for the record and the audit log."""
    request.require(Role.ADMIN, scopes=(ApiKeyScope.ADMIN,))
    return request.principal().subject_id


@router.post("/api-keys", tags=["api keys"], summary="Issue an API key with scopes (the secret is shown once)",
             status_code=201)
def create_api_key(body: CreateApiKeyRequest) -> Response[IssuedApiKeyView]:
    by = _require_key_admin()
    issued = services().tenants.issue_api_key(request.tenant(), body.name, body.scopes, by=by)
    return json_response(201, _issued(issued), NO_STORE)


@router.get("/api-keys", tags=["api keys"], summary="The tenant's API keys, oldest first (no secrets)")
def list_api_keys(limit: Annotated[int, Query(ge=1, le=100)] = 50,
                  cursor: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9]+$")] = None) -> ApiKeyPageView:
    _require_key_admin()
    page = services().tenants.list_api_keys(request.tenant(), after=cursor, limit=limit)
    return ApiKeyPageView(items=[_view(r) for r in page.items], next_cursor=page.cursor)


@router.post("/api-keys/<key_id>/rotation", tags=["api keys"],
             summary="A new secret for the key; the replaced one keeps working for grace_seconds (default 24 h)")
def rotate_api_key(key_id: KeyId,
                   body: Annotated[RotateApiKeyRequest | None, Body()] = None) -> Response[IssuedApiKeyView]:
    by = _require_key_admin()
    grace = timedelta(seconds=(body or RotateApiKeyRequest()).grace_seconds)
    issued = services().tenants.rotate_api_key(request.tenant(), key_id, grace=grace, by=by)
    return json_response(200, _issued(issued), NO_STORE)


@router.post("/api-keys/<key_id>/revocation", tags=["api keys"],
             summary="Revoke the key: its current and previous secrets stop working at once")
def revoke_api_key(key_id: KeyId) -> ApiKeyView:
    by = _require_key_admin()
    return _view(services().tenants.revoke_api_key(request.tenant(), key_id, by=by))
