"""The request a route serves, as every router module reads it: who calls (principal, ticket
actor, tenant), in which language, with which headers; the role check, the Idempotency-Key and
If-Match handling, signed list cursors; and the views and error bodies several routers render.

Each router module builds one `RequestContext` over its own Powertools `Router`:

    router = Router()
    request = RequestContext(router)

Powertools points an included router at its resolver (`include_router`), so `router.current_event`
is the event the resolver is serving; nothing here imports the app, and a router module imports
nothing of the HTTP layer but this module.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic_core import to_jsonable_python

from aftersales.auth.credentials import ApiKeyScope, Principal
from aftersales.core.errors import DomainError, Forbidden, InvalidRequest
from aftersales.core.headers import header
from aftersales.core.i18n import label, negotiate
from aftersales.http import cursors
from aftersales.http import errors as http_errors
from aftersales.http.idempotency import MAX_KEY_LENGTH, run_once
from aftersales.http.schemas import TicketView
from aftersales.tickets import domain
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tickets.model import Role

CURSOR_MAX_LENGTH = cursors.MAX_LENGTH
DEVICE_FINGERPRINT = re.compile(r"^[A-Za-z0-9._:+/=-]{1,256}$")


class EventSource(Protocol):
    """A Powertools router or resolver: the event it is resolving and that invocation's context."""

    @property
    def current_event(self) -> APIGatewayProxyEvent: ...

    @property
    def lambda_context(self) -> LambdaContext: ...


@dataclass(frozen=True)
class Listing:
    """One listing's signed cursors: a position leaves the API sealed for this listing only
    (its name, tenant, caller and filters), and comes back unsealed or refused (422 at query.cursor)."""

    scope: str

    def position(self, cursor: str | None) -> str | None:
        return cursors.unseal(self.scope, cursor)

    def cursor(self, position: str | None) -> str | None:
        return cursors.seal(self.scope, position)


class RequestContext:
    def __init__(self, source: EventSource) -> None:
        self._source = source

    @property
    def event(self) -> APIGatewayProxyEvent:
        return self._source.current_event

    def header(self, name: str) -> str | None:
        return header(self.event.headers, name)

    def principal(self) -> Principal:
        return Principal.from_context(self.event.request_context.authorizer.raw_event)

    def actor(self) -> Actor:
        """The ticket domain's actor. A principal without a role there (an API key without the
        storefront scope) is none: 403 on every route that acts on tickets, orders or their data."""
        p = self.principal()
        if not p.roles:
            raise Forbidden("error.role_not_permitted")
        return Actor(id=p.subject_id, roles=p.roles, customer_id=p.customer_id,
                     request_id=self.event.request_context.request_id)

    def tenant(self) -> str:
        return self.principal().tenant_id

    def locale(self) -> str:
        return negotiate(self.header("accept-language"))

    def risk_keys(self, who: Actor) -> dict[str, str]:
        """Refund-abuse signals of the request (docs/approvals-and-refunds.md): the caller's IP when the
        customer calls (a storefront may forward its customer's IP in X-Customer-IP; staff calls carry
        none) and the optional X-Device-Fingerprint. Both are kept only as tenant-salted hashes. On a
        ticket they are the requester's; on an order push, the checkout's."""
        ip = self.header("x-customer-ip") if Role.STOREFRONT in who.roles else (
            self.event.request_context.identity.source_ip if who.is_customer else None)
        device = self.header("x-device-fingerprint")
        keys: dict[str, str] = {}
        if ip:
            try:
                keys["ip"] = self._salted(str(ipaddress.ip_address(ip.strip())))
            except ValueError:
                raise InvalidRequest("error.bad_customer_ip", field="header.X-Customer-IP") from None
        if device and (who.is_customer or Role.STOREFRONT in who.roles):
            if not DEVICE_FINGERPRINT.match(device):
                raise InvalidRequest("error.bad_device_fingerprint", field="header.X-Device-Fingerprint")
            keys["device"] = self._salted(device)
        return keys

    def _salted(self, value: str) -> str:
        return hashlib.sha256(f"{self.tenant()}|{value}".encode()).hexdigest()[:32]

    def require(self, *roles: Role, scopes: tuple[ApiKeyScope, ...] = ()) -> None:
        """One of `roles`, or an API key with one of `scopes`."""
        p = self.principal()
        if not (p.roles & set(roles) or p.scopes & set(scopes)):
            raise Forbidden("error.role_not_permitted", required=sorted({r.value for r in (*roles, *scopes)}))

    def if_match(self) -> int | None:
        """The version an If-Match header names (`"3"`, `W/"3"` or `3`), or None without one."""
        raw = self.header("if-match")
        if not raw:
            return None
        try:
            return int(raw.strip().strip('W/').strip('"'))
        except ValueError:
            raise InvalidRequest("error.bad_if_match", field="header.If-Match") from None

    def listing(self, name: str, *filters: object) -> Listing:
        """The listing `name` as this caller of this tenant sees it through `filters`."""
        return Listing(cursors.scope(name, self.tenant(), self.principal().subject_id, *filters))

    def idempotent_post(self, status: int, compute: Callable[[], Any]) -> Response:
        """Run a POST at most once per Idempotency-Key (when the client sends one)."""
        key = self.header("idempotency-key")

        def render() -> dict[str, Any]:
            body = compute()
            # The idempotency store keeps the answer as JSON: a view's datetimes become ISO 8601 text.
            return {"status": status, "body": body.model_dump(mode="json") if hasattr(body, "model_dump")
                    else to_jsonable_python(body)}

        if not key:
            result = render()
        else:
            if len(key) > MAX_KEY_LENGTH:
                raise InvalidRequest("error.idempotency_key_too_long", field="header.Idempotency-Key")
            p, event = self.principal(), self.event
            result = run_once(context=self._source.lambda_context, scope=f"{p.tenant_id}:{p.subject_id}", key=key,
                              route=f"{event.http_method} {event.path}", body=event.json_body, compute=render)
        return json_response(result["status"], result["body"], {"Idempotency-Key": key} if key else None)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    if hasattr(body, "model_dump"):
        body = body.model_dump(mode="json")
    return Response(status_code=status, content_type="application/json", headers=headers or {}, body=body)


def item_error(exc: DomainError, locale: str) -> dict[str, Any]:
    """The `error` object of one failed item in a batch answer: what the route itself would answer."""
    return json.loads(http_errors.domain_error(exc, locale).body)["error"]


def ticket_view(ticket: Ticket, who: Actor, loc: str) -> TicketView:
    return TicketView(
        **ticket.model_dump(exclude={"tenant_id", "head_hash", "locale", "lines", "type", "status", "risk"}),
        type=ticket.type, status=ticket.status, risk=ticket.risk if who.is_staff else None,
        type_label=label("type", ticket.type.value, loc), status_label=label("status", ticket.status.value, loc),
        lines=[ln.model_dump() for ln in ticket.lines],
        next=domain.allowed_targets(ticket, who),
    )
