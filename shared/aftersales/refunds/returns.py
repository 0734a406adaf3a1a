"""Goods coming back: the customer's return shipment (with the return shipping they paid) and the
inspection that decides the accepted quantities a return refund pays for.

Both go through TicketService (the transition table decides who may do what, from which status):
* return shipment: awaiting_return -> return_in_transit (`ticket.return_shipped`, lines in transit)
  with {carrier, tracking_number, return_shipping_paid} in the audit entry. When a carrier scan
  moved the ticket on first, the same data is recorded as a `ticket.return_shipping_recorded` entry
  (written by SYSTEM on the caller's behalf; `recorded_by` names the caller). The parcel is then
  registered with the logistics context as this ticket's return parcel, so carrier events parked
  before it are matched at once and later ones move the ticket. Posting the same shipment again
  writes nothing and registers nothing twice; a tracking number registered for another ticket or
  an outbound parcel is refused (409) before anything is written;
* inspection: inspecting -> refund_pending (return_refund) / reshipping (exchange), or -> rejected
  when nothing is accepted; the lines' counters and acceptance axis are written in the SAME write.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from aftersales.core.errors import Conflict, IllegalTransition, InvalidRequest, NotFound
from aftersales.core.money import Money
from aftersales.logistics.ports import Parcel, Registration
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tickets.model import Reception, Role, Status, TicketType
from aftersales.tickets.service import TicketService
from aftersales.tickets.warrants import InspectionRecord

from .inspection import InspectedLine, apply_inspection, target_status
from .ports import MoneyConfig
from .service import refund_settings

SYSTEM = Actor(id="returns-workflow", roles=frozenset({Role.SYSTEM}))
RETURN_TYPES = frozenset({TicketType.RETURN_REFUND, TicketType.EXCHANGE})
RECORDED_EVENT = "ticket.return_shipping_recorded"
# a carrier scan may have moved the ticket on before the customer posted the shipment
MOVED_ON = frozenset({Status.RETURN_IN_TRANSIT, Status.RETURN_RECEIVED, Status.INSPECTING})
SHIPMENT_FIELDS = ("carrier", "tracking_number", "return_shipping_paid")


class ReturnParcels(Protocol):
    """The logistics context's parcel registry (aftersales.logistics.service.TrackingService)."""

    def parcel(self, tenant_id: str, tracking_number: str) -> Parcel:
        """NotFound when no event or registration exists for the number."""

    def register(self, tenant_id: str, tracking_number: str, registration: Registration
                 ) -> tuple[Parcel, list[str]]:
        """Stores the registration and acts on the parcel's parked events; returns what they caused."""


ACCEPTED_ON_ARRIVAL = "accepted_on_arrival"
AUTO_APPROVE = "auto_approve"  # the approval route that involved no person


class ShipmentCustoms(Protocol):
    """The cross-border returns context (aftersales.crossborder.service.CrossBorderReturns)."""

    def shipment_refusal(self, tenant_id: str, ticket: Ticket) -> InvalidRequest | None:
        """Why the shipment may not be recorded yet (a border crossed with nothing declared)."""


class ReturnService:
    def __init__(self, tickets: TicketService, config: MoneyConfig | None = None,
                 customs: ShipmentCustoms | None = None) -> None:
        self._tickets = tickets
        self._config = config  # the tenant's refund settings (refund on arrival)
        self._customs = customs  # a return crossing a border needs its declaration first

    def accept_on_arrival(self, tenant_id: str, ticket_id: str) -> str:
        """Refund on arrival (the tenant's `accept_returns_on_arrival`): a received return whose
        approval was automatic is inspected by the platform with every received unit accepted, which
        starts the refund (or the reshipment). What happened: accepted_on_arrival | not_received |
        inspection_required (the tenant inspects) | reviewed_return (a person approved it, so a person
        inspects it) | already_moved."""
        ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
        if ticket.status is not Status.RETURN_RECEIVED:
            return "not_received"
        if not refund_settings(self._config, tenant_id).accept_returns_on_arrival:
            return "inspection_required"
        if ticket.approval is None or ticket.approval.route != AUTO_APPROVE:
            return "reviewed_return"
        results = [InspectedLine(line_id=line.line_id, accepted=line.quantity_received or line.quantity_requested)
                   for line in ticket.lines]
        try:
            self._tickets.transition(tenant_id, ticket_id, Status.INSPECTING, SYSTEM, reason=ACCEPTED_ON_ARRIVAL)
            self.inspect(tenant_id, ticket_id, SYSTEM, results, reason=ACCEPTED_ON_ARRIVAL)
        except IllegalTransition:
            return "already_moved"  # the warehouse got there first, or a redelivered event did
        return ACCEPTED_ON_ARRIVAL

    def record_shipment(self, tenant_id: str, ticket_id: str, actor: Actor, *, carrier: str,
                        tracking_number: str, return_shipping_paid: Money | None, parcels: ReturnParcels,
                        now: datetime) -> Ticket:
        ticket = self._tickets.get(tenant_id, ticket_id, actor)
        if ticket.type not in RETURN_TYPES:
            raise InvalidRequest("refunds.return_shipping_not_applicable", field="return_shipping_paid",
                                 type=ticket.type.value)
        currency = ticket.requested_amount.currency
        if return_shipping_paid is not None and return_shipping_paid.currency != currency:
            raise InvalidRequest("refunds.return_shipping_currency_mismatch",
                                 field="return_shipping_paid.currency", currency=currency)
        if ticket.status not in MOVED_ON and ticket.status not in (Status.AWAITING_RETURN, Status.APPROVED,
                                                                   Status.SUBMITTED, Status.PENDING_APPROVAL):
            raise Conflict("refunds.return_shipping_too_late", status=ticket.status.value)
        # checked before any write, so a refused number leaves the ticket untouched
        registered = _registered_for(parcels, tenant_id, tracking_number, ticket)
        data: dict[str, Any] = {"carrier": carrier, "tracking_number": tracking_number,
                                "return_shipping_paid": return_shipping_paid.model_dump() if return_shipping_paid
                                else None}
        if ticket.status in MOVED_ON:
            if not self._already_recorded(tenant_id, ticket_id, data):
                ticket = self._tickets.note(tenant_id, ticket_id, RECORDED_EVENT, SYSTEM, reason="return_shipment",
                                            data={**data, "recorded_by": actor.id,
                                                  "recorded_by_role": actor.primary_role.value})
        else:
            refusal = self._customs.shipment_refusal(tenant_id, ticket) if self._customs else None
            if refusal is not None:
                raise refusal
            ticket = self._tickets.transition(tenant_id, ticket_id, Status.RETURN_IN_TRANSIT, actor,
                                              reason="return_shipment", data=data,
                                              line_reception=Reception.IN_TRANSIT)
        if registered:
            return ticket
        _parcel, actions = parcels.register(tenant_id, tracking_number, Registration(
            direction="return", order_id=ticket.order_id, ticket_id=ticket.id, carrier=carrier,
            registered_at=now))
        # parked carrier events may just have moved the ticket: answer with where it is now
        return self._tickets.get(tenant_id, ticket_id, actor) if actions else ticket

    def _already_recorded(self, tenant_id: str, ticket_id: str, data: dict[str, Any]) -> bool:
        """The caller's latest recorded shipment is this one: a repeated post writes nothing."""
        for entry in reversed(self._tickets.audit(tenant_id, ticket_id, SYSTEM)):
            if entry.reason == "return_shipment":
                return all((entry.data or {}).get(k) == data[k] for k in SHIPMENT_FIELDS)
        return False

    def inspect(self, tenant_id: str, ticket_id: str, actor: Actor, results: list[InspectedLine],
                reason: str | None = None, *, media_ids: list[str] | None = None,
                media: InspectionMedia | None = None) -> Ticket:
        """`media_ids`: the warehouse's photos (ready inspection media, vouched for by `media`),
        kept on the inspection's audit entry."""
        ticket = self._tickets.get(tenant_id, ticket_id, actor)
        target = target_status(ticket.type, results)
        data: dict[str, Any] = {"inspection": [r.model_dump() for r in results]}
        if media_ids:
            if media is None:
                raise InvalidRequest("media.not_available", field="media_ids")
            media.check_inspection(tenant_id, media_ids)
            data["media_ids"] = list(media_ids)
        return self._tickets.transition(
            tenant_id, ticket_id, target, actor, reason=reason or "inspection", data=data,
            lines=lambda current: apply_inspection(current.lines, results), warrant=InspectionRecord())


class InspectionMedia(Protocol):
    """The media context, as an inspection asks it about the warehouse's photos."""

    def check_inspection(self, tenant_id: str, media_ids: list[str]) -> None:
        """InvalidRequest at `media_ids[i]` unless each id is ready inspection media of the tenant."""


def _registered_for(parcels: ReturnParcels, tenant_id: str, tracking_number: str, ticket: Ticket) -> bool:
    """True when the number is already this ticket's return parcel; Conflict when it belongs to
    another ticket or is an outbound parcel (a customer must not re-point it)."""
    try:
        registration = parcels.parcel(tenant_id, tracking_number).registration
    except NotFound:
        return False
    if registration is None:  # only parked carrier events so far
        return False
    if registration.direction == "return" and registration.ticket_id == ticket.id:
        return True
    raise Conflict("refunds.return_parcel_registered_elsewhere", field="tracking_number",
                   tracking_number=tracking_number)
