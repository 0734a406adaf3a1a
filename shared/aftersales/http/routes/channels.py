"""Channels routes: how to reach a customer on a channel (contacts), replies on a ticket (staff
or customer), and a ticket's conversation across every channel."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import ConfigDict, Field

from aftersales.core.errors import InvalidRequest
from aftersales.core.formatting import TimeZoneName
from aftersales.core.i18n import LanguageTag
from aftersales.core.model import DomainModel
from aftersales.core.text import free_text
from aftersales.http.context import RequestContext
from aftersales.http.schemas import CreateTicketRequest
from aftersales.tickets.domain import OpenTicket
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
ADMINS = (Role.ADMIN, Role.STOREFRONT)


class ContactRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    # the channel's own address rule (core.contacts) is the one check: it refuses blanks and control
    # characters with a message about addresses, not a generic text error
    address: str = Field(min_length=1, max_length=320, description="An e-mail address (channel email), a mobile "
                                                                   "number (sms; E.164 or a Chinese national number) "
                                                                   "or the channel's user id (wecom, douyin)")
    locale: LanguageTag | None = Field(None, description="The customer's language for notifications; a regional "
                                                       "tag is kept as the locale it reads (de-AT -> de)")
    time_zone: TimeZoneName | None = Field(None, description="The customer's IANA time zone (Europe/Berlin): times "
                                                             "on their tracking page are shown in it")


@router.put("/customers/<customer_id>/contacts/<channel>", tags=["channels"],
            summary="How to reach a customer on a channel (links the identity to the customer)")
def put_contact(customer_id: Annotated[str, Path(max_length=128)],
                channel: Annotated[Literal["email", "wecom", "douyin", "sms"], Path()], body: ContactRequest) -> dict:
    request.require(*ADMINS)
    services().channels.contacts.put(request.tenant(), customer_id, channel, body.address, body.locale,
                                     time_zone=body.time_zone)
    return {"customer_id": customer_id, "channel": channel, "linked": True}


class ReplyRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    body: free_text(4000, min_length=1)
    channel: Literal["email", "wecom", "qiyu"] | None = Field(
        None, description="Staff only: deliver on this channel; default is the customer's usual channel")


@router.post("/tickets/<ticket_id>/replies", tags=["channels"],
             summary="Staff reply to the customer (delivered by the outbox) or a customer message",
             status_code=201)
def post_reply(ticket_id: Annotated[str, Path()], body: ReplyRequest) -> Response[dict]:
    request.require(Role.AGENT, Role.SUPERVISOR, Role.FINANCE, Role.ARBITRATOR, Role.ADMIN, Role.CUSTOMER,
                    Role.STOREFRONT)
    who = request.actor()
    if body.channel is not None and not who.is_staff:
        raise InvalidRequest("error.reply_channel_staff_only", field="channel")

    def compute() -> dict:
        item = services().replies.post(request.tenant(), ticket_id, who, body.body, body.channel)
        return item.model_dump(mode="json")

    return request.idempotent_post(201, compute)


class InternalNoteRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    body: free_text(4000, min_length=1)


@router.post("/tickets/<ticket_id>/internal-notes", tags=["channels"],
             summary="Staff's internal note on the conversation (never shown or sent to the customer)",
             status_code=201)
def post_internal_note(ticket_id: Annotated[str, Path()], body: InternalNoteRequest) -> Response[dict]:
    request.require(Role.AGENT, Role.SUPERVISOR, Role.FINANCE, Role.ARBITRATOR, Role.ADMIN)
    who = request.actor()
    return request.idempotent_post(201, lambda: services().replies.note(request.tenant(), ticket_id, who,
                                                                         body.body).model_dump(mode="json"))


@router.get("/tickets/<ticket_id>/conversation", tags=["channels"],
            summary="Every channel's messages on a ticket, oldest first")
def ticket_conversation(ticket_id: Annotated[str, Path()]) -> dict:
    items = services().channels.conversations.of_ticket(request.tenant(), ticket_id, request.actor())
    return {"ticket_id": ticket_id, "items": [i.model_dump(mode="json") for i in items]}


class ImLinkRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    ticket_id: str = Field(min_length=1, max_length=64, description="The open ticket this conversation is about")


@router.post("/channels/im/<channel>/conversations/<visitor>/link", tags=["channels"],
             summary="Link an IM conversation (Qiyu uid / Meiqia clientId) to a ticket; its parked messages "
                     "are filed on it")
def link_im_conversation(channel: Annotated[Literal["qiyu", "meiqia"], Path()],
                         visitor: Annotated[str, Path(min_length=1, max_length=128)],
                         body: ImLinkRequest) -> Response[dict]:
    request.require(Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
    who = request.actor()
    return request.idempotent_post(200, lambda: services().channels.im.link(
        request.tenant(), channel, visitor, body.ticket_id, who).model_dump(mode="json"))


@router.post("/channels/im/<channel>/conversations/<visitor>/ticket", tags=["channels"], status_code=201,
             summary="Open a ticket for the order an IM conversation is about and link the conversation to it")
def open_im_ticket(channel: Annotated[Literal["qiyu", "meiqia"], Path()],
                   visitor: Annotated[str, Path(min_length=1, max_length=128)],
                   body: CreateTicketRequest) -> Response[dict]:
    request.require(Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
    who = request.actor()

    def compute() -> dict:
        opening = OpenTicket(type=body.type, order_id=body.order_id, customer_id=body.customer_id,
                             channel=body.channel, reason_code=body.reason_code, description=body.description,
                             lines=body.lines, parent_id=body.parent_ticket_id, locale=request.locale(),
                             media_ids=body.media_ids)
        return services().channels.im.open_ticket(request.tenant(), channel, visitor, opening, who).model_dump(
            mode="json")

    return request.idempotent_post(201, compute)
