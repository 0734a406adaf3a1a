"""Logistics and channels routes: integration settings (webhook secrets, channel
credentials, exception rules), parcel registration, customer contacts, ticket conversations.
Secrets are write-only: reads say which integrations are configured, never their values."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import ConfigDict, Field, StrictInt, model_validator

from aftersales.core.clock import Instant
from aftersales.core.errors import InvalidRequest, NotFound
from aftersales.core.model import DomainModel
from aftersales.core.text import free_text, label
from aftersales.http.app import actor, idempotent_post, json_response, require, tenant
from aftersales.logistics.events import Provider
from aftersales.logistics.exception_policy import CustomsDeclaration, ExceptionRules
from aftersales.logistics.ports import Registration
from aftersales.logistics.service import carrier_settings_name
from aftersales.logistics.verification import new_shippo_token
from aftersales.orders.domain import Identifier
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
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


class ParcelRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    direction: Literal["outbound", "return"]
    order_id: Identifier
    ticket_id: Identifier | None = None
    carrier: label(64, min_length=1) | None = None
    declaration: CustomsDeclaration | None = None
    label_issued_at: Instant | None = None


class ContactRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    # the channel's own address rule (core.contacts) is the one check: it refuses blanks and control
    # characters with a message about addresses, not a generic text error
    address: str = Field(min_length=1, max_length=320, description="An e-mail address (channel email) or the "
                                                                   "channel's user id (wecom, douyin)")
    locale: Literal["en", "zh-Hans"] | None = None


def _path(provider: str, tenant_id: str) -> str:
    return f"/webhooks/carriers/{provider}/{tenant_id}"


@router.get("/integrations", tags=["integrations"], summary="Configured integrations (never the secrets)")
def list_integrations() -> dict:
    require(*ADMINS)
    names = services().channels.intake._settings.names(tenant())
    return {"items": names, "webhooks": {p.value: _path(p.value, tenant()) for p in Provider}}


@router.put("/integrations/carriers/<provider>", tags=["integrations"],
            summary="Set a carrier's webhook secret (AfterShip, EasyPost, 17TRACK)")
def put_carrier_secret(provider: Annotated[Provider, Path()], body: CarrierSecret) -> dict:
    require(*ADMINS)
    if provider is Provider.SHIPPO:
        raise InvalidRequest("error.shippo_uses_token", field="provider")
    services().channels.intake._settings.put(tenant(), carrier_settings_name(provider), {"secret": body.secret})
    return {"provider": provider.value, "configured": True, "webhook_path": _path(provider.value, tenant())}


@router.post("/integrations/carriers/shippo/tokens", tags=["integrations"],
             summary="Rotate the Shippo URL token (the previous one stays valid until the next rotation)",
             status_code=201)
def rotate_shippo_token() -> Response[dict]:
    require(*ADMINS)
    store, name = services().channels.intake._settings, carrier_settings_name(Provider.SHIPPO)
    tokens = (store.get(tenant(), name) or {}).get("tokens", [])
    token = new_shippo_token()
    store.put(tenant(), name, {"tokens": [token, *tokens][:2]})
    return json_response(201, {"provider": "shippo", "webhook_url_path": f"{_path('shippo', tenant())}?token={token}"})


@router.put("/integrations/channels/wecom", tags=["integrations"], summary="WeCom callback credentials")
def put_wecom(body: WeComSettings) -> dict:
    require(*ADMINS)
    services().channels.intake._settings.put(tenant(), "channel:wecom", body.model_dump(exclude_none=True))
    return {"channel": "wecom", "configured": True, "outbound": body.secret is not None,
            "kf": body.kf_secret is not None, "callback_path": f"/webhooks/wecom/{tenant()}"}


@router.put("/integrations/channels/douyin", tags=["integrations"], summary="Douyin shop push credentials")
def put_douyin(body: DouyinSettings) -> dict:
    require(*ADMINS)
    services().channels.intake._settings.put(tenant(), "channel:douyin", body.model_dump(exclude_none=True))
    return {"channel": "douyin", "configured": True, "write_back": body.shop_id is not None,
            "push_path": f"/webhooks/douyin/{tenant()}"}


@router.put("/integrations/logistics-rules", tags=["integrations"],
            summary="Delivery-exception rules (refusal deduction, refund route, reship cap, delays)")
def put_rules(body: ExceptionRules) -> dict:
    require(*ADMINS)
    services().channels.intake._settings.put(tenant(), "logistics:rules", body.model_dump(mode="json"))
    return body.model_dump(mode="json")


@router.put("/parcels/<tracking_number>", tags=["logistics"],
            summary="Register an outbound or return parcel (parked carrier events are matched now)")
def register_parcel(tracking_number: Annotated[str, Path(max_length=64)], body: ParcelRequest) -> dict:
    require(*ADMINS, Role.AGENT, Role.SUPERVISOR)
    if body.direction == "return" and not body.ticket_id:
        raise InvalidRequest("error.field_required", field="ticket_id")
    svc = services()
    now: datetime = svc.clock.now()
    svc.tickets.get_order(tenant(), body.order_id, actor())
    registration = Registration(**body.model_dump(), registered_at=now)
    parcel, actions = svc.channels.logistics.register(tenant(), tracking_number, registration)
    return {"tracking_number": tracking_number, "status": parcel.state.status.value,
            "progress": parcel.state.progress.value, "matched_actions": actions}


@router.get("/parcels/<tracking_number>", tags=["logistics"], summary="A parcel's merged tracking state")
def get_parcel(tracking_number: Annotated[str, Path(max_length=64)]) -> dict:
    require(*ADMINS, Role.AGENT, Role.SUPERVISOR)
    parcel = services().channels.logistics.parcel(tenant(), tracking_number)
    state = parcel.state
    return {"tracking_number": tracking_number, "status": state.status.value, "sub_status": state.sub_status.value,
            "progress": state.progress.value, "raw_status": state.raw_status, "raw_sub_status": state.raw_sub_status,
            "unknown_status": parcel.unknown_status,
            "last_checkpoint_at": state.last_checkpoint_at, "registered": parcel.registration is not None,
            "events": len(state.seen_event_ids)}


@router.put("/customers/<customer_id>/contacts/<channel>", tags=["channels"],
            summary="How to reach a customer on a channel (links the identity to the customer)")
def put_contact(customer_id: Annotated[str, Path(max_length=128)],
                channel: Annotated[Literal["email", "wecom", "douyin"], Path()], body: ContactRequest) -> dict:
    require(*ADMINS)
    services().channels.intake.put_contact(tenant(), customer_id, channel, body.address, body.locale)
    return {"customer_id": customer_id, "channel": channel, "linked": True}


class ReplyRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    body: free_text(4000, min_length=1)
    channel: Literal["email", "wecom"] | None = Field(
        None, description="Staff only: deliver on this channel; default is the customer's usual channel")


@router.post("/tickets/<ticket_id>/replies", tags=["channels"],
             summary="Staff reply to the customer (delivered by the outbox) or a customer message",
             status_code=201)
def post_reply(ticket_id: Annotated[str, Path()], body: ReplyRequest) -> Response[dict]:
    require(Role.AGENT, Role.SUPERVISOR, Role.FINANCE, Role.ARBITRATOR, Role.ADMIN, Role.CUSTOMER, Role.STOREFRONT)
    who = actor()
    if body.channel is not None and not who.is_staff:
        raise InvalidRequest("error.reply_channel_staff_only", field="channel")

    def compute() -> dict:
        item = services().channels.replies.post(tenant(), ticket_id, who, body.body, body.channel)
        return item.model_dump(mode="json")

    return idempotent_post(201, compute)


@router.get("/tickets/<ticket_id>/conversation", tags=["channels"],
            summary="Every channel's messages on a ticket, oldest first")
def ticket_conversation(ticket_id: Annotated[str, Path()]) -> dict:
    try:
        items = services().channels.intake.conversation(tenant(), ticket_id, actor())
    except NotFound:
        raise
    return {"ticket_id": ticket_id, "items": [i.model_dump(mode="json") for i in items]}
