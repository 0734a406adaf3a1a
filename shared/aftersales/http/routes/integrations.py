"""Integrations routes: carrier webhook secrets and the Shippo URL token, WeCom and Douyin
channel credentials, delivery-exception rules. Secrets are write-only: reads say which integrations
are configured, never their values. The bodies are integrations/model.py's models: a blank or
malformed secret, token or key is a 422 with the field's path."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from aftersales.http.context import RequestContext, json_response
from aftersales.integrations.model import CarrierSecret, DouyinSettings, MeiqiaSettings, QiyuSettings, WeComSettings
from aftersales.logistics.events import Provider
from aftersales.logistics.exception_policy import ExceptionRules
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
ADMINS = (Role.ADMIN, Role.STOREFRONT)


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


@router.put("/integrations/channels/qiyu", tags=["integrations"],
            summary="NetEase Qiyu (网易七鱼) message interface credentials")
def put_qiyu(body: QiyuSettings) -> dict:
    request.require(*ADMINS)
    services().integrations.set_qiyu(request.tenant(), body.model_dump())
    return {"channel": "qiyu", "configured": True, "push_path": f"/webhooks/im/qiyu/{request.tenant()}"}


@router.put("/integrations/channels/meiqia", tags=["integrations"], summary="Meiqia (美洽) push Secret-Key")
def put_meiqia(body: MeiqiaSettings) -> dict:
    request.require(*ADMINS)
    services().integrations.set_meiqia(request.tenant(), body.model_dump())
    return {"channel": "meiqia", "configured": True, "push_path": f"/webhooks/im/meiqia/{request.tenant()}"}


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
