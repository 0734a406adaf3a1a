"""The REST API: one Powertools resolver with validation and generated OpenAPI.

Routes stay thin: read the principal, call one use case, render a view.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from datetime import timedelta
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn, HTTPBearer
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from aftersales.auth.credentials import ApiKeyScope, Principal
from aftersales.core.errors import DomainError, Forbidden, InvalidRequest
from aftersales.core.i18n import label, negotiate, translate
from aftersales.http import cursors, openapi
from aftersales.http import errors as http_errors
from aftersales.http.idempotency import MAX_KEY_LENGTH, run_once
from aftersales.http.schemas import (
    AssignRequest,
    BatchItem,
    BatchRequest,
    BatchResponse,
    CreateTicketRequest,
    CustomerTokenRequest,
    StaffRequest,
    StaffTokenRequest,
    TicketPage,
    TicketView,
    TokenResponse,
    TransitionRequest,
)
from aftersales.orders.domain import Order
from aftersales.tickets import domain, transitions
from aftersales.tickets.domain import Actor, OpenTicket, Ticket
from aftersales.tickets.model import Role, Status, TicketType
from aftersales.wiring import services

logger = Logger(child=True)

app = APIGatewayRestResolver(
    enable_validation=True,
    serializer=lambda obj: json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str),
)
app.enable_swagger(
    path="/swagger", title="After-sales platform API", version="1.0.0",
    description="Returns, exchanges, repairs, refunds and complaints for e-commerce merchants.",
    security_schemes={"apiKey": APIKey(name="X-Api-Key", in_=APIKeyIn.header),
                      "bearer": HTTPBearer(bearerFormat="JWT")},
    security=[{"apiKey": []}, {"bearer": []}],
)

# ---------------------------------------------------------------------- request context
def principal() -> Principal:
    return Principal.from_context(app.current_event.request_context.authorizer.raw_event)


def actor() -> Actor:
    """The ticket domain's actor. A principal without a role there (an API key without the
    storefront scope) is none: 403 on every route that acts on tickets, orders or their data."""
    p = principal()
    if not p.roles:
        raise Forbidden("error.role_not_permitted")
    return Actor(id=p.subject_id, roles=p.roles, customer_id=p.customer_id,
                 request_id=app.current_event.request_context.request_id)


def tenant() -> str:
    return principal().tenant_id


def locale() -> str:
    return negotiate(app.current_event.headers.get("accept-language"))


def require(*roles: Role, scopes: tuple[ApiKeyScope, ...] = ()) -> None:
    """One of `roles`, or an API key with one of `scopes`."""
    p = principal()
    if not (p.roles & set(roles) or p.scopes & set(scopes)):
        raise Forbidden("error.role_not_permitted", required=sorted({r.value for r in (*roles, *scopes)}))


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    if hasattr(body, "model_dump"):
        body = body.model_dump(mode="json")
    return Response(status_code=status, content_type="application/json", headers=headers or {}, body=body)


def idempotent_post(status: int, compute) -> Response:
    """Run a POST at most once per Idempotency-Key (when the client sends one)."""
    key = app.current_event.headers.get("idempotency-key")

    def render() -> dict[str, Any]:
        body = compute()
        return {"status": status, "body": body.model_dump(mode="json") if hasattr(body, "model_dump") else body}

    if not key:
        result = render()
    else:
        if len(key) > MAX_KEY_LENGTH:
            raise InvalidRequest("error.idempotency_key_too_long", field="header.Idempotency-Key")
        p = principal()
        result = run_once(context=app.lambda_context, scope=f"{p.tenant_id}:{p.subject_id}", key=key,
                          route=f"{app.current_event.http_method} {app.current_event.path}",
                          body=app.current_event.json_body, compute=render)
    return json_response(result["status"], result["body"], {"Idempotency-Key": key} if key else None)


# ---------------------------------------------------------------------- views
def ticket_view(ticket: Ticket, who: Actor, loc: str) -> TicketView:
    return TicketView(
        **ticket.model_dump(exclude={"tenant_id", "head_hash", "locale", "lines", "type", "status"}),
        type=ticket.type, status=ticket.status,
        type_label=label("type", ticket.type.value, loc), status_label=label("status", ticket.status.value, loc),
        lines=[ln.model_dump() for ln in ticket.lines],
        next=domain.allowed_targets(ticket, who),
    )


# ---------------------------------------------------------------------- errors
@app.exception_handler(DomainError)
def on_domain_error(exc: DomainError) -> Response:
    return http_errors.domain_error(exc, locale())


@app.exception_handler(RequestValidationError)
def on_validation_error(exc: RequestValidationError) -> Response:
    return http_errors.validation_error(exc, locale())


@app.exception_handler(IdempotencyValidationError)
def on_idempotency_mismatch(_: IdempotencyValidationError) -> Response:
    return http_errors.error_response(422, "idempotency_key_reused",
                                      translate("error.idempotency_key_reused", locale()))


@app.exception_handler(IdempotencyAlreadyInProgressError)
def on_idempotency_in_progress(_: IdempotencyAlreadyInProgressError) -> Response:
    return http_errors.error_response(409, "idempotency_in_progress",
                                      translate("error.idempotency_in_progress", locale()))


@app.not_found
def on_not_found(_: Exception) -> Response:
    return http_errors.error_response(404, "route_not_found", translate("error.route_not_found", locale()))


# ---------------------------------------------------------------------- public
@app.get("/health", include_in_schema=False)
def health() -> dict:
    return {"status": "ok"}


@app.get("/openapi.json", include_in_schema=False)
def openapi_document() -> Response[dict]:
    document = json.loads(app.get_openapi_json_schema(title="After-sales platform API", version="1.0.0"))
    return Response(status_code=200, content_type="application/json",
                    body=openapi.published(document, stage=app.current_event.request_context.stage))


# ---------------------------------------------------------------------- orders
PLACED_AT_SKEW = timedelta(minutes=5)  # storefront clocks may run a little ahead of ours


@app.put("/orders/<order_id>", tags=["orders"], summary="Push an order snapshot (idempotent by id + version)",
         responses={200: {"description": "Replaced by a newer version, or unchanged"},
                    201: {"description": "Created"}})
def put_order(order_id: Annotated[str, Path()], order: Order) -> Response[dict]:
    require(Role.STOREFRONT, Role.ADMIN)
    if order.order_id != order_id:
        raise InvalidRequest("error.order_id_mismatch", field="order_id")
    if order.placed_at > services().clock.now() + PLACED_AT_SKEW:
        raise InvalidRequest("error.placed_in_future", field="placed_at")
    outcome = services().tickets.upsert_order(tenant(), order)
    if outcome == "create":  # channel messages / Douyin events parked for this order are matched now
        services().channels.intake.order_arrived(tenant(), order_id)
    return json_response(201 if outcome == "create" else 200, {"order_id": order_id, "version": order.version,
                                                               "outcome": outcome})


@app.get("/orders/<order_id>", tags=["orders"], summary="Read an order snapshot")
def get_order(order_id: Annotated[str, Path()]) -> Order:
    return services().tickets.get_order(tenant(), order_id, actor())


# ---------------------------------------------------------------------- tickets
@app.post("/tickets", tags=["tickets"], summary="Open a ticket (return, exchange, repair, refund, complaint)",
          status_code=201)
def create_ticket(body: CreateTicketRequest) -> Response[TicketView]:
    who, loc = actor(), locale()

    def compute() -> TicketView:
        request = OpenTicket(type=body.type, order_id=body.order_id, customer_id=body.customer_id,
                             channel=body.channel, reason_code=body.reason_code, description=body.description,
                             lines=body.lines, parent_id=body.parent_ticket_id, locale=loc,
                             risk_keys=_risk_keys(who))
        return ticket_view(services().tickets.open(tenant(), request, who), who, loc)

    return idempotent_post(201, compute)


DEVICE_FINGERPRINT = re.compile(r"^[A-Za-z0-9._:+/=-]{1,256}$")


def _risk_keys(who: Actor) -> dict[str, str]:
    """Refund-abuse signals of the request (docs/approvals-and-refunds.md): the caller's IP when the
    customer calls (a storefront may forward its customer's IP in X-Customer-IP; staff calls carry
    none) and the optional X-Device-Fingerprint. Both are kept only as tenant-salted hashes."""
    headers = app.current_event.headers
    ip = headers.get("x-customer-ip") if Role.STOREFRONT in who.roles else (
        app.current_event.request_context.identity.source_ip if who.is_customer else None)
    device = headers.get("x-device-fingerprint")
    keys: dict[str, str] = {}
    if ip:
        try:
            keys["ip"] = _salted(str(ipaddress.ip_address(ip.strip())))
        except ValueError:
            raise InvalidRequest("error.bad_customer_ip", field="header.X-Customer-IP") from None
    if device and (who.is_customer or Role.STOREFRONT in who.roles):
        if not DEVICE_FINGERPRINT.match(device):
            raise InvalidRequest("error.bad_device_fingerprint", field="header.X-Device-Fingerprint")
        keys["device"] = _salted(device)
    return keys


def _salted(value: str) -> str:
    return hashlib.sha256(f"{tenant()}|{value}".encode()).hexdigest()[:32]


@app.get("/tickets", tags=["tickets"], summary="List tickets (customers see only their own)")
def list_tickets(status: Annotated[Status | None, Query()] = None,
                 customer_id: Annotated[str | None, Query(max_length=128)] = None,
                 limit: Annotated[int, Query(ge=1, le=100)] = 50,
                 cursor: Annotated[str | None, Query(max_length=2048)] = None) -> TicketPage:
    who, loc = actor(), locale()
    listing = cursors.scope("tickets", tenant(), who.id, customer_id, status.value if status else None)
    page = services().tickets.list(tenant(), who, customer_id=customer_id, status=status.value if status else None,
                                   limit=limit, cursor=cursors.unseal(listing, cursor))
    return TicketPage(items=[ticket_view(t, who, loc) for t in page.items],
                      next_cursor=cursors.seal(listing, page.cursor))


@app.get("/tickets/<ticket_id>", tags=["tickets"], summary="Read a ticket with its lines")
def get_ticket(ticket_id: Annotated[str, Path()]) -> Response[TicketView]:
    who = actor()
    ticket = services().tickets.get(tenant(), ticket_id, who)
    return json_response(200, ticket_view(ticket, who, locale()), {"ETag": f'"{ticket.version}"'})


def _if_match() -> int | None:
    raw = app.current_event.headers.get("if-match")
    if not raw:
        return None
    try:
        return int(raw.strip().strip('W/').strip('"'))
    except ValueError:
        raise InvalidRequest("error.bad_if_match", field="header.If-Match") from None


@app.post("/tickets/<ticket_id>/transitions", tags=["tickets"],
          summary="Move a ticket to another status (409 lists the allowed ones)")
def transition_ticket(ticket_id: Annotated[str, Path()], body: TransitionRequest) -> Response[TicketView]:
    who, loc, expected = actor(), locale(), _if_match()
    return idempotent_post(200, lambda: ticket_view(services().tickets.transition(
        tenant(), ticket_id, body.to, who, reason=body.reason, expected_version=expected), who, loc))


@app.post("/tickets/<ticket_id>/assignment", tags=["tickets"], summary="Assign a ticket to an agent")
def assign_ticket(ticket_id: Annotated[str, Path()], body: AssignRequest) -> Response[TicketView]:
    who, loc, expected = actor(), locale(), _if_match()
    return idempotent_post(200, lambda: ticket_view(services().tickets.assign(
        tenant(), ticket_id, body.assignee_id, who, reason=body.reason, expected_version=expected), who, loc))


@app.post("/tickets/batch", tags=["tickets"], summary="Assign, transition or close many tickets, per-item results")
def batch_tickets(body: BatchRequest) -> Response[BatchResponse]:
    who, loc, svc, tid = actor(), locale(), services().tickets, tenant()
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
                           error=None if r.ok else json.loads(http_errors.domain_error(r.error, loc).body)["error"])
                 for r in results]
        ok = sum(1 for i in items if i.ok)
        return BatchResponse(results=items, succeeded=ok, failed=len(items) - ok)

    return idempotent_post(200, compute)


@app.get("/tickets/<ticket_id>/audit", tags=["audit"], summary="The ticket's hash-chained audit trail (staff)")
def ticket_audit(ticket_id: Annotated[str, Path()]) -> dict:
    require(Role.AGENT, Role.SUPERVISOR, Role.FINANCE, Role.ARBITRATOR, Role.ADMIN, Role.STOREFRONT)
    entries = services().tickets.audit(tenant(), ticket_id, actor())
    return {"ticket_id": ticket_id, "entries": [e.model_dump(mode="json") for e in entries]}


@app.get("/tickets/<ticket_id>/audit/verify", tags=["audit"], summary="Verify the audit hash chain")
def verify_audit(ticket_id: Annotated[str, Path()]) -> dict:
    require(Role.AGENT, Role.SUPERVISOR, Role.FINANCE, Role.ARBITRATOR, Role.ADMIN, Role.STOREFRONT)
    return services().tickets.verify(tenant(), ticket_id, actor()).model_dump(mode="json")


@app.get("/tickets/<ticket_id>/timeline", tags=["tickets"],
         summary="Customer-facing progress timeline, in the caller's language")
def ticket_timeline(ticket_id: Annotated[str, Path()]) -> dict:
    loc = locale()
    entries = services().tickets.timeline(tenant(), ticket_id, actor())
    return {"ticket_id": ticket_id, "locale": loc,
            "entries": [{"seq": e.seq, "at": e.at, "event": e.event, "status": e.status,
                         "title": label("event", e.event, loc), "status_label": label("status", e.status, loc)}
                        for e in entries]}


# ---------------------------------------------------------------------- ticket types
@app.get("/ticket-types", tags=["ticket types"], summary="Ticket types with translated labels")
def ticket_types() -> dict:
    loc = locale()
    return {"items": [{"type": t.value, "label": label("type", t.value, loc),
                       "states": [s.value for s in transitions.states_of(t)]} for t in TicketType]}


@app.get("/ticket-types/<ticket_type>/transitions", tags=["ticket types"],
         summary="The declarative transition table of a ticket type")
def transition_table(ticket_type: Annotated[TicketType, Path()]) -> dict:
    loc = locale()
    return {"type": ticket_type.value, "initial": transitions.INITIAL_STATUS.value,
            "transitions": [{"from": t.source.value, "to": t.target.value, "event": t.event,
                             "roles": sorted(r.value for r in t.roles),
                             "from_label": label("status", t.source.value, loc),
                             "to_label": label("status", t.target.value, loc)}
                            for t in transitions.TABLES[ticket_type]]}


@app.get("/ticket-types/<ticket_type>/diagram", tags=["ticket types"],
         summary="The transition table as a Mermaid state diagram")
def transition_diagram(ticket_type: Annotated[TicketType, Path()]) -> dict:
    loc = locale()
    return {"type": ticket_type.value, "format": "mermaid",
            "diagram": transitions.to_mermaid(ticket_type, lambda key: translate(key, loc))}


# ---------------------------------------------------------------------- auth and staff
@app.post("/auth/customer-tokens", tags=["auth"], summary="Mint a short-lived customer token (storefront)",
          status_code=201)
def customer_token(body: CustomerTokenRequest) -> Response[TokenResponse]:
    require(Role.STOREFRONT)
    token = services().tenants.mint_customer_token(tenant(), body.customer_id, timedelta(seconds=body.ttl_seconds))
    return json_response(201, TokenResponse(token=token, expires_in=body.ttl_seconds))


@app.post("/auth/staff-tokens", tags=["auth"],
          summary="Mint a staff token for a registered staff user (admin, or a staff_token_issuer key)",
          status_code=201)
def staff_token(body: StaffTokenRequest) -> Response[TokenResponse]:
    require(Role.ADMIN, scopes=(ApiKeyScope.STAFF_TOKEN_ISSUER,))
    token = services().tenants.mint_staff_token(tenant(), body.user_id, timedelta(seconds=body.ttl_seconds))
    return json_response(201, TokenResponse(token=token, expires_in=body.ttl_seconds))


@app.put("/staff/<user_id>", tags=["auth"],
         summary="Register or update a staff user and their roles (admin, or an admin key)")
def put_staff(user_id: Annotated[str, Path(max_length=128)], body: StaffRequest) -> dict:
    require(Role.ADMIN, scopes=(ApiKeyScope.ADMIN,))
    user = services().tenants.put_staff(tenant(), user_id, body.display_name,
                                        frozenset(Role(r) for r in body.roles), body.status)
    return {"user_id": user.user_id, "roles": sorted(r.value for r in user.roles), "status": user.status}


# ---------------------------------------------------------------------- other contexts' routers
# Each bounded context contributes a Powertools Router (one resolver, one OpenAPI document).
# Approvals, refunds:
from aftersales.http.routes.approvals import router as approvals_router  # noqa: E402

app.include_router(approvals_router)
# SLA, dispatch:
from aftersales.http.routes.sla import router as sla_router  # noqa: E402

app.include_router(sla_router)
# Channels, logistics:
from aftersales.http.routes.logistics import router as logistics_router  # noqa: E402

app.include_router(logistics_router)
# Unmatched inbox:
from aftersales.http.routes.inbox import router as inbox_router  # noqa: E402

app.include_router(inbox_router)
# Tenant API keys (scopes, rotation, revocation):
from aftersales.http.routes.api_keys import router as api_keys_router  # noqa: E402

app.include_router(api_keys_router)
