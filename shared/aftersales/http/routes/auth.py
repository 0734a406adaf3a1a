"""Auth routes: short-lived customer tokens (storefront), staff tokens for registered staff
users, and the staff register (users and their roles)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from aftersales.auth.credentials import ApiKeyScope
from aftersales.http.context import RequestContext, json_response
from aftersales.http.schemas import CustomerTokenRequest, StaffRequest, StaffTokenRequest, TokenResponse
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)


@router.post("/auth/customer-tokens", tags=["auth"], summary="Mint a short-lived customer token (storefront)",
             status_code=201)
def customer_token(body: CustomerTokenRequest) -> Response[TokenResponse]:
    request.require(Role.STOREFRONT)
    token = services().tenants.mint_customer_token(request.tenant(), body.customer_id,
                                                   timedelta(seconds=body.ttl_seconds))
    return json_response(201, TokenResponse(token=token, expires_in=body.ttl_seconds))


@router.post("/auth/staff-tokens", tags=["auth"],
             summary="Mint a staff token for a registered staff user (admin, or a staff_token_issuer key)",
             status_code=201)
def staff_token(body: StaffTokenRequest) -> Response[TokenResponse]:
    request.require(Role.ADMIN, scopes=(ApiKeyScope.STAFF_TOKEN_ISSUER,))
    token = services().tenants.mint_staff_token(request.tenant(), body.user_id, timedelta(seconds=body.ttl_seconds))
    return json_response(201, TokenResponse(token=token, expires_in=body.ttl_seconds))


@router.put("/staff/<user_id>", tags=["auth"],
            summary="Register or update a staff user and their roles (admin, or an admin key)")
def put_staff(user_id: Annotated[str, Path(max_length=128)], body: StaffRequest) -> dict:
    request.require(Role.ADMIN, scopes=(ApiKeyScope.ADMIN,))
    user = services().tenants.put_staff(request.tenant(), user_id, body.display_name,
                                        frozenset(Role(r) for r in body.roles), body.status)
    return {"user_id": user.user_id, "roles": sorted(r.value for r in user.roles), "status": user.status}
