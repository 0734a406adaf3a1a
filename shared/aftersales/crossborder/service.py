"""Cross-border returns: the return authorisation number, the warehouse a return goes to (chosen by
the country the order was delivered to), and the customs declaration of a return parcel that
crosses a border, recorded on the ticket's audit chain (`ticket.return_declaration_recorded`).

A return whose warehouse is in another country than the delivery needs a declaration before its
shipment is recorded: ReturnService asks `shipment_refusal` where the shipment is written."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any, Protocol

from pydantic import ValidationError

from aftersales.core.clock import Clock
from aftersales.core.errors import Conflict, InvalidRequest
from aftersales.orders.domain import Order
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tickets.model import Role, Status, TicketType

from .model import DeclarationRequest, ReturnDeclaration, ReturnDestinations, ReturnInstructions

DESTINATIONS = "returns:destinations"
DECLARED_EVENT = "ticket.return_declaration_recorded"
DECLARABLE_TYPES = frozenset({TicketType.RETURN_REFUND, TicketType.EXCHANGE})
BEFORE_SHIPMENT = frozenset({Status.SUBMITTED, Status.PENDING_APPROVAL, Status.APPROVED, Status.AWAITING_RETURN})
SYSTEM = Actor(id="cross-border-returns", roles=frozenset({Role.SYSTEM}))


class ReturnTickets(Protocol):
    """The tickets context (aftersales.tickets.service.TicketService)."""

    def get(self, tenant_id: str, ticket_id: str, actor: Actor) -> Ticket: ...

    def get_order(self, tenant_id: str, order_id: str, actor: Actor) -> Order: ...

    def audit(self, tenant_id: str, ticket_id: str, actor: Actor) -> list[AuditEntry]: ...

    def note(self, tenant_id: str, ticket_id: str, event: str, actor: Actor, *, reason: str | None = None,
             data: dict[str, Any] | None = None) -> Ticket: ...


class TenantSettings(Protocol):
    def get(self, tenant_id: str, name: str) -> Mapping[str, Any] | None: ...

    def put(self, tenant_id: str, name: str, config: dict[str, Any]) -> None: ...


def authorisation_number(tenant_id: str, ticket_id: str) -> str:
    """The return authorisation (RMA) number printed on the parcel: stable for the ticket, unguessable
    from it, short enough to write by hand."""
    digest = hashlib.sha256(f"{tenant_id}#{ticket_id}".encode()).digest()
    return "RA-" + base64.b32encode(digest).decode()[:10]


class CrossBorderReturns:
    def __init__(self, tickets: ReturnTickets, settings: TenantSettings, clock: Clock) -> None:
        self._tickets = tickets
        self._settings = settings
        self._clock = clock

    # ------------------------------------------------------------------ the tenant's warehouses
    def destinations(self, tenant_id: str) -> ReturnDestinations | None:
        stored = self._settings.get(tenant_id, DESTINATIONS)
        return ReturnDestinations.model_validate(stored) if stored else None

    def set_destinations(self, tenant_id: str, destinations: ReturnDestinations) -> ReturnDestinations:
        self._settings.put(tenant_id, DESTINATIONS, destinations.model_dump(mode="json"))
        return destinations

    # ------------------------------------------------------------------ one ticket
    def instructions(self, tenant_id: str, ticket_id: str, actor: Actor) -> ReturnInstructions:
        ticket = self._tickets.get(tenant_id, ticket_id, actor)
        return self._instructions(tenant_id, ticket, self._declaration(tenant_id, ticket_id))

    def declare(self, tenant_id: str, ticket_id: str, actor: Actor, request: DeclarationRequest
                ) -> ReturnInstructions:
        ticket = self._tickets.get(tenant_id, ticket_id, actor)
        if ticket.type not in DECLARABLE_TYPES:
            raise InvalidRequest("crossborder.not_a_return", field="ticket_id", type=ticket.type.value)
        if ticket.status not in BEFORE_SHIPMENT:
            raise Conflict("crossborder.declaration_too_late", status=ticket.status.value)
        requested = {line.line_id: line.quantity_requested for line in ticket.lines}
        for position, line in enumerate(request.lines):
            if line.line_id not in requested:
                raise InvalidRequest("crossborder.line_not_requested", field=f"lines[{position}].line_id",
                                     line_id=line.line_id)
            if line.quantity > requested[line.line_id]:
                raise InvalidRequest("crossborder.more_than_requested", field=f"lines[{position}].quantity",
                                     line_id=line.line_id, requested=requested[line.line_id])
        declaration = ReturnDeclaration(**request.model_dump(), recorded_by=actor.id, recorded_at=self._clock.now(),
                                        authorisation_number=authorisation_number(tenant_id, ticket_id))
        current = self._declaration(tenant_id, ticket_id)
        if current is None or _declared(current) != _declared(declaration):  # the same again writes nothing
            # written by the platform on the declarant's behalf (recorded_by names them), as returns do
            ticket = self._tickets.note(tenant_id, ticket_id, DECLARED_EVENT, SYSTEM, reason="customs_declaration",
                                        data={**declaration.model_dump(mode="json"),
                                              "recorded_by_role": actor.primary_role.value})
            current = declaration
        return self._instructions(tenant_id, ticket, current)

    def shipment_refusal(self, tenant_id: str, ticket: Ticket) -> InvalidRequest | None:
        """Why a return shipment may not be recorded yet: it crosses a border and nothing is declared."""
        if ticket.type not in DECLARABLE_TYPES:
            return None
        instructions = self._instructions(tenant_id, ticket, None)
        if instructions.declaration_required and self._declaration(tenant_id, ticket.id) is None:
            return InvalidRequest("crossborder.declaration_missing", field="declaration",
                                  destination=instructions.destination.country if instructions.destination else "")
        return None

    def _instructions(self, tenant_id: str, ticket: Ticket, declaration: ReturnDeclaration | None
                      ) -> ReturnInstructions:
        order = self._tickets.get_order(tenant_id, ticket.order_id, SYSTEM)
        country = order.shipping.country
        destinations = self.destinations(tenant_id)
        warehouse = destinations.for_country(country) if destinations else None
        cross_border = warehouse is not None and warehouse.country != country
        return ReturnInstructions(ticket_id=ticket.id, authorisation_number=authorisation_number(tenant_id, ticket.id),
                                  delivered_to=country, destination=warehouse, cross_border=cross_border,
                                  declaration_required=cross_border and ticket.type in DECLARABLE_TYPES,
                                  declaration=declaration)

    def _declaration(self, tenant_id: str, ticket_id: str) -> ReturnDeclaration | None:
        for entry in reversed(self._tickets.audit(tenant_id, ticket_id, SYSTEM)):
            if entry.event == DECLARED_EVENT and entry.data:
                try:
                    return ReturnDeclaration.model_validate(entry.data)
                except ValidationError:
                    return None
        return None


def _declared(declaration: ReturnDeclaration) -> dict[str, Any]:
    return declaration.model_dump(mode="json", exclude={"recorded_at", "recorded_by", "recorded_by_role"})
