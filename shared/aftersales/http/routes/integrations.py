"""Integrations routes: carrier webhook secrets and the Shippo URL token, WeCom and Douyin
channel credentials, delivery-exception rules. Secrets are write-only: reads say which integrations
are configured, never their values."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import ConfigDict, Field, StrictInt, model_validator

from aftersales.core.model import DomainModel
from aftersales.core.text import label
from aftersales.http.context import RequestContext, json_response
from aftersales.logistics.events import Provider
from aftersales.logistics.exception_policy import ExceptionRules
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
ADMINS = (Role.ADMIN, Role.STOREFRONT)
Secret = label(512, min_length=8)


class CarrierSecret(DomainModel):
    model_config = ConfigDict(extra="forbid")
    secret: Secret


class WeComSettings(DomainModel):
    """Callback credentials (inbound), plus the application's id and secret to send customer
    notifications (outbound); without the latter two WeCom is an inbound-only channel.
    `kf_secret` turns on 微信客服 (WeChat customers): messages are read with kf/sync_msg when the
    callback announces them, and replies go out with kf/send_msg."""

    model_config = ConfigDict(extra="forbid")
    token: label(64, min_length=1)
    encoding_aes_key: Annotated[str, Field(min_length=43, max_length=43)]
    corp_id: label(64, min_length=1)
    agent_id: Annotated[StrictInt, Field(ge=1, le=2**31 - 1)] | None = None
    secret: Secret | None = None
    kf_secret: Secret | None = Field(None, description=(
        "Secret whose access token may call the 微信客服 API: a self-built application listed under "
        "微信客服 → API → 可调用接口的应用 (may be the same application as `secret`), or the legacy 微信客服 "
        "secret of enterprises that still have one. Write-only."))

    @model_validator(mode="after")
    def _outbound_pair(self) -> WeComSettings:
        if (self.agent_id is None) != (self.secret is None):
            raise ValueError("agent_id and secret go together (both to send messages, neither for inbound only)")
        return self


class DouyinSettings(DomainModel):
    """Push credentials (inbound); with `shop_id`, decisions are also written back to Douyin through
    the open API (a self-use app: token.create with authorization_self). Refusals need one of the
    shop's reject reason codes, return/exchange approvals the shop's return address id."""

    model_config = ConfigDict(extra="forbid")
    app_key: label(128, min_length=1)
    app_secret: Secret
    shop_id: Annotated[str, Field(pattern=r"^[0-9]{1,20}$")] | None = None
    return_address_id: Annotated[StrictInt, Field(ge=1, le=2**63 - 1)] | None = None
    reject_reason_code: Annotated[StrictInt, Field(ge=1, le=2**31 - 1)] | None = None


def _path(provider: str, tenant_id: str) -> str:
    return f"/webhooks/carriers/{provider}/{tenant_id}"


@router.get("/integrations", tags=["integrations"], summary="Configured integrations (never the secrets)")
def list_integrations() -> dict:
    request.require(*ADMINS)
    names = services().integrations.configured(request.tenant())
    return {"items": names, "webhooks": {p.value: _path(p.value, request.tenant()) for p in Provider}}


@router.put("/integrations/carriers/<provider>", tags=["integrations"],
            summary="Set a carrier's webhook secret (AfterShip, EasyPost, 17TRACK)")
def put_carrier_secret(provider: Annotated[Provider, Path()], body: CarrierSecret) -> dict:
    request.require(*ADMINS)
    services().integrations.set_carrier_secret(request.tenant(), provider, body.secret)
    return {"provider": provider.value, "configured": True, "webhook_path": _path(provider.value, request.tenant())}


@router.post("/integrations/carriers/shippo/tokens", tags=["integrations"],
             summary="Rotate the Shippo URL token (the previous one stays valid until the next rotation)",
             status_code=201)
def rotate_shippo_token() -> Response[dict]:
    request.require(*ADMINS)
    token = services().integrations.rotate_shippo_token(request.tenant())
    return json_response(201, {"provider": "shippo",
                               "webhook_url_path": f"{_path('shippo', request.tenant())}?token={token}"})


@router.put("/integrations/channels/wecom", tags=["integrations"], summary="WeCom callback credentials")
def put_wecom(body: WeComSettings) -> dict:
    request.require(*ADMINS)
    services().integrations.set_wecom(request.tenant(), body.model_dump(exclude_none=True))
    return {"channel": "wecom", "configured": True, "outbound": body.secret is not None,
            "kf": body.kf_secret is not None, "callback_path": f"/webhooks/wecom/{request.tenant()}"}


@router.put("/integrations/channels/douyin", tags=["integrations"], summary="Douyin shop push credentials")
def put_douyin(body: DouyinSettings) -> dict:
    request.require(*ADMINS)
    services().integrations.set_douyin(request.tenant(), body.model_dump(exclude_none=True))
    return {"channel": "douyin", "configured": True, "write_back": body.shop_id is not None,
            "push_path": f"/webhooks/douyin/{request.tenant()}"}


@router.put("/integrations/logistics-rules", tags=["integrations"],
            summary="Delivery-exception rules (refusal deduction, refund route, reship cap, delays)")
def put_rules(body: ExceptionRules) -> dict:
    request.require(*ADMINS)
    return services().integrations.set_logistics_rules(request.tenant(), body).model_dump(mode="json")
