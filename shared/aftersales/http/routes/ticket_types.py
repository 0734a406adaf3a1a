"""Ticket types routes: the types with translated labels, each type's declarative transition
table, and the table as a Mermaid state diagram."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from aftersales.core.i18n import label, translate
from aftersales.http.context import RequestContext
from aftersales.tickets import transitions
from aftersales.tickets.model import TicketType

router = Router()
request = RequestContext(router)


@router.get("/ticket-types", tags=["ticket types"], summary="Ticket types with translated labels")
def ticket_types() -> dict:
    loc = request.locale()
    return {"items": [{"type": t.value, "label": label("type", t.value, loc),
                       "states": [s.value for s in transitions.states_of(t)]} for t in TicketType]}


@router.get("/ticket-types/<ticket_type>/transitions", tags=["ticket types"],
            summary="The declarative transition table of a ticket type")
def transition_table(ticket_type: Annotated[TicketType, Path()]) -> dict:
    loc = request.locale()
    return {"type": ticket_type.value, "initial": transitions.INITIAL_STATUS.value,
            "transitions": [{"from": t.source.value, "to": t.target.value, "event": t.event,
                             "roles": sorted(r.value for r in t.roles),
                             "from_label": label("status", t.source.value, loc),
                             "to_label": label("status", t.target.value, loc)}
                            for t in transitions.TABLES[ticket_type]]}


@router.get("/ticket-types/<ticket_type>/diagram", tags=["ticket types"],
            summary="The transition table as a Mermaid state diagram")
def transition_diagram(ticket_type: Annotated[TicketType, Path()]) -> dict:
    loc = request.locale()
    return {"type": ticket_type.value, "format": "mermaid",
            "diagram": transitions.to_mermaid(ticket_type, lambda key: translate(key, loc))}
