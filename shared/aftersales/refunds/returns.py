"""Goods coming back: the customer's return shipment (with the return shipping they paid) and the
inspection that decides the accepted quantities a return refund pays for.

Both go through TicketService (the transition table decides who may do what, from which status):
* return shipment: awaiting_return -> return_in_transit (`ticket.return_shipped`, lines in transit)
  with {carrier, tracking_number, return_shipping_paid} in the audit entry. When a carrier scan
  moved the ticket on first, the same data is recorded as a `ticket.return_shipping_recorded` entry
  (written by SYSTEM on the caller's behalf; `recorded_by` names the caller);
* inspection: inspecting -> refund_pending (return_refund) / reshipping (exchange), or -> rejected
  when nothing is accepted; the lines' counters and acceptance axis are written in the SAME write.
"""

from __future__ import annotations

from typing import Any

from aftersales.core.errors import Conflict, InvalidRequest
from aftersales.core.money import Money
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tickets.model import Reception, Role, Status, TicketType
from aftersales.tickets.service import TicketService

from .inspection import InspectedLine, apply_inspection, target_status

SYSTEM = Actor(id="returns-workflow", roles=frozenset({Role.SYSTEM}))
RETURN_TYPES = frozenset({TicketType.RETURN_REFUND, TicketType.EXCHANGE})
RECORDED_EVENT = "ticket.return_shipping_recorded"
# a carrier scan may have moved the ticket on before the customer posted the shipment
MOVED_ON = frozenset({Status.RETURN_IN_TRANSIT, Status.RETURN_RECEIVED, Status.INSPECTING})


class ReturnService:
    def __init__(self, tickets: TicketService) -> None:
        self._tickets = tickets

    def record_shipment(self, tenant_id: str, ticket_id: str, actor: Actor, *, carrier: str,
                        tracking_number: str, return_shipping_paid: Money | None) -> Ticket:
        ticket = self._tickets.get(tenant_id, ticket_id, actor)
        if ticket.type not in RETURN_TYPES:
            raise InvalidRequest("refunds.return_shipping_not_applicable", field="return_shipping_paid",
                                 type=ticket.type.value)
        currency = ticket.requested_amount.currency
        if return_shipping_paid is not None and return_shipping_paid.currency != currency:
            raise InvalidRequest("refunds.return_shipping_currency_mismatch",
                                 field="return_shipping_paid.currency", currency=currency)
        data: dict[str, Any] = {"carrier": carrier, "tracking_number": tracking_number,
                                "return_shipping_paid": return_shipping_paid.model_dump() if return_shipping_paid
                                else None}
        if ticket.status in MOVED_ON:
            return self._tickets.note(tenant_id, ticket_id, RECORDED_EVENT, SYSTEM, reason="return_shipment",
                                      data={**data, "recorded_by": actor.id,
                                            "recorded_by_role": actor.primary_role.value})
        if ticket.status != Status.AWAITING_RETURN and ticket.status not in (Status.APPROVED, Status.SUBMITTED,
                                                                              Status.PENDING_APPROVAL):
            raise Conflict("refunds.return_shipping_too_late", status=ticket.status.value)
        return self._tickets.transition(tenant_id, ticket_id, Status.RETURN_IN_TRANSIT, actor,
                                        reason="return_shipment", data=data, line_reception=Reception.IN_TRANSIT)

    def inspect(self, tenant_id: str, ticket_id: str, actor: Actor, results: list[InspectedLine],
                reason: str | None = None) -> Ticket:
        ticket = self._tickets.get(tenant_id, ticket_id, actor)
        target = target_status(ticket.type, results)
        return self._tickets.transition(
            tenant_id, ticket_id, target, actor, reason=reason or "inspection",
            data={"inspection": [r.model_dump() for r in results]},
            lines=lambda current: apply_inspection(current.lines, results))
