"""The unmatched inbox: channel intake we could not place on a customer or an
order, for agents to file on a ticket, link to a customer, or dismiss. Listing items show what a
conversation item shows (channel-scoped author, never an address)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import ConfigDict

from aftersales.channels.inbox import DismissReason, Settlement, UnmatchedPage
from aftersales.core.errors import InvalidRequest
from aftersales.core.model import DomainModel
from aftersales.core.text import free_text
from aftersales.http.context import CURSOR_MAX_LENGTH, RequestContext
from aftersales.orders.domain import Identifier
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
STAFF = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
ItemId = Annotated[str, Path(max_length=64)]


class ResolveRequest(DomainModel):
    """Exactly one target: a customer (the sender is linked to them) or a ticket (filed as a comment)."""

    model_config = ConfigDict(extra="forbid")
    customer_id: Identifier | None = None
    ticket_id: Identifier | None = None


class DismissRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    reason: DismissReason
    note: free_text(500) | None = None


@router.get("/inbox/unmatched", tags=["channels"],
            summary="Channel messages and platform events no customer or order matched yet, newest first")
def list_unmatched(limit: Annotated[int, Query(ge=1, le=100)] = 50,
                   cursor: Annotated[str | None, Query(max_length=CURSOR_MAX_LENGTH)] = None) -> UnmatchedPage:
    request.require(*STAFF)
    listing = request.listing("inbox.unmatched")
    page = services().channels.inbox.page(request.tenant(), limit=limit, cursor=listing.position(cursor))
    return page.model_copy(update={"next_cursor": listing.cursor(page.next_cursor)})


@router.post("/inbox/unmatched/<item_id>/resolve", tags=["channels"],
             summary="File an unmatched item on a ticket, or link its sender to a customer")
def resolve_unmatched(item_id: ItemId, body: ResolveRequest) -> Response[Settlement]:
    request.require(*STAFF)
    if (body.customer_id is None) == (body.ticket_id is None):
        raise InvalidRequest("inbox.resolve_needs_one_target",
                             field="ticket_id" if body.customer_id is not None else "customer_id")
    who = request.actor()
    return request.idempotent_post(200, lambda: services().channels.inbox.resolve(
        request.tenant(), item_id, who, customer_id=body.customer_id, ticket_id=body.ticket_id))


@router.post("/inbox/unmatched/<item_id>/dismiss", tags=["channels"],
             summary="Dismiss an unmatched item (spam, ...); who, when and why are kept")
def dismiss_unmatched(item_id: ItemId, body: DismissRequest) -> Response[Settlement]:
    request.require(*STAFF)
    who = request.actor()
    return request.idempotent_post(200, lambda: services().channels.inbox.dismiss(
        request.tenant(), item_id, who, body.reason, body.note))
