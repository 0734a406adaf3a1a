"""Tickets routes: open, list, read, transition, assign and batch-act on tickets; the audit
trail and its verification; the customer-facing timeline."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from aftersales.core import formatting
from aftersales.core.errors import Forbidden, InvalidRequest
from aftersales.core.i18n import label
from aftersales.http.context import CURSOR_MAX_LENGTH, RequestContext, item_error, json_response, ticket_view
from aftersales.http.schemas import (
    AssignRequest,
    BatchItem,
    BatchRequest,
    BatchResponse,
    CreateTicketRequest,
    TicketPage,
    TicketView,
    TransitionRequest,
)
from aftersales.tickets.domain import OpenTicket, Ticket
from aftersales.tickets.model import Role, Status
from aftersales.wiring import services

router = Router()
request = RequestContext(router)


@router.post("/tickets", tags=["tickets"], summary="Open a ticket (return, exchange, repair, refund, complaint)",
             status_code=201)
def create_ticket(body: CreateTicketRequest) -> Response[TicketView]:
    who, loc = request.actor(), request.locale()

    def compute() -> TicketView:
        opening = OpenTicket(type=body.type, order_id=body.order_id, customer_id=body.customer_id,
                             channel=body.channel, reason_code=body.reason_code, description=body.description,
                             lines=body.lines, parent_id=body.parent_ticket_id, locale=loc,
                             media_ids=body.media_ids,
                             risk_keys=request.risk_keys(who))
        return ticket_view(services().tickets.open(request.tenant(), opening, who), who, loc)

    return request.idempotent_post(201, compute)


@router.get("/tickets", tags=["tickets"], summary="List tickets (customers see only their own)")
def list_tickets(status: Annotated[Status | None, Query()] = None,
                 customer_id: Annotated[str | None, Query(max_length=128)] = None,
                 limit: Annotated[int, Query(ge=1, le=100)] = 50,
                 cursor: Annotated[str | None, Query(max_length=CURSOR_MAX_LENGTH)] = None) -> TicketPage:
    who, loc = request.actor(), request.locale()
    wanted = status.value if status else None
    listing = request.listing("tickets", customer_id, wanted)
    page = services().tickets.list(request.tenant(), who, customer_id=customer_id, status=wanted,
                                   limit=limit, cursor=listing.position(cursor))
    return TicketPage(items=[ticket_view(t, who, loc) for t in page.items], next_cursor=listing.cursor(page.cursor))


@router.get("/tickets/<ticket_id>", tags=["tickets"], summary="Read a ticket with its lines")
def get_ticket(ticket_id: Annotated[str, Path()]) -> Response[TicketView]:
    who = request.actor()
    ticket = services().tickets.get(request.tenant(), ticket_id, who)
    return json_response(200, ticket_view(ticket, who, request.locale()), {"ETag": f'"{ticket.version}"'})


@router.post("/tickets/<ticket_id>/transitions", tags=["tickets"],
             summary="Move a ticket to another status (409 lists the allowed ones)")
def transition_ticket(ticket_id: Annotated[str, Path()], body: TransitionRequest) -> Response[TicketView]:
    who, loc, expected = request.actor(), request.locale(), request.if_match()
    return request.idempotent_post(200, lambda: ticket_view(services().tickets.transition(
        request.tenant(), ticket_id, body.to, who, reason=body.reason, expected_version=expected), who, loc))


@router.post("/tickets/<ticket_id>/assignment", tags=["tickets"], summary="Assign a ticket to an agent")
def assign_ticket(ticket_id: Annotated[str, Path()], body: AssignRequest) -> Response[TicketView]:
    who, loc, expected = request.actor(), request.locale(), request.if_match()
    return request.idempotent_post(200, lambda: ticket_view(services().tickets.assign(
        request.tenant(), ticket_id, body.assignee_id, who, reason=body.reason, expected_version=expected), who, loc))


@router.post("/tickets/batch", tags=["tickets"], summary="Assign, transition or close many tickets, per-item results")
def batch_tickets(body: BatchRequest) -> Response[BatchResponse]:
    who, loc, svc, tid = request.actor(), request.locale(), services().tickets, request.tenant()
    if who.is_customer:
        raise Forbidden("error.role_not_permitted")
    if body.action == "assign" and not body.assignee_id:
        raise InvalidRequest("error.field_required", field="assignee_id")
    if body.action == "transition" and not body.to:
        raise InvalidRequest("error.field_required", field="to")
    target = Status.CLOSED if body.action == "close" else body.to

    def act(ticket_id: str) -> Ticket:
        if body.action == "assign":
            return svc.assign(tid, ticket_id, body.assignee_id, who, reason=body.reason)
        return svc.transition(tid, ticket_id, target, who, reason=body.reason)

    def compute() -> BatchResponse:
        results = svc.batch(tid, list(dict.fromkeys(body.ticket_ids)), who, act)
        items = [BatchItem(ticket_id=r.ticket_id, ok=r.ok, status=r.status, version=r.version,
                           error=None if r.ok else item_error(r.error, loc))
                 for r in results]
        ok = sum(1 for i in items if i.ok)
        return BatchResponse(results=items, succeeded=ok, failed=len(items) - ok)

    return request.idempotent_post(200, compute)


@router.get("/tickets/<ticket_id>/audit", tags=["audit"], summary="The ticket's hash-chained audit trail (staff)")
def ticket_audit(ticket_id: Annotated[str, Path()]) -> dict:
    request.require(Role.AGENT, Role.SUPERVISOR, Role.FINANCE, Role.ARBITRATOR, Role.ADMIN, Role.STOREFRONT)
    entries = services().tickets.audit(request.tenant(), ticket_id, request.actor())
    return {"ticket_id": ticket_id, "entries": [e.model_dump(mode="json") for e in entries]}


@router.get("/tickets/<ticket_id>/audit/verify", tags=["audit"], summary="Verify the audit hash chain")
def verify_audit(ticket_id: Annotated[str, Path()]) -> dict:
    request.require(Role.AGENT, Role.SUPERVISOR, Role.FINANCE, Role.ARBITRATOR, Role.ADMIN, Role.STOREFRONT)
    return services().tickets.verify(request.tenant(), ticket_id, request.actor()).model_dump(mode="json")


@router.get("/tickets/<ticket_id>/timeline", tags=["tickets"],
            summary="Customer-facing progress timeline, in the caller's language (at_label: its time, UTC)")
def ticket_timeline(ticket_id: Annotated[str, Path()]) -> dict:
    loc = request.locale()
    entries = services().tickets.timeline(request.tenant(), ticket_id, request.actor())
    return {"ticket_id": ticket_id, "locale": loc,
            "entries": [{"seq": e.seq, "at": e.at, "at_label": formatting.moment_with_zone(e.at, loc),
                         "event": e.event, "status": e.status,
                         "title": label("event", e.event, loc), "status_label": label("status", e.status, loc)}
                        for e in entries]}
