"""Pure decisions: what a delivery exception, a silent parcel or a return-parcel scan should cause.

The caller (a tracking-event consumer or a daily timer) executes the returned decision: create a
ticket, raise an alert, update a ticket line's reception axis. Nothing here does I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from aftersales.core.model import DomainModel
from aftersales.core.money import Money
from aftersales.core.text import free_text
from aftersales.logistics.events import SubStatus, TrackingEvent, TrackingStatus
from aftersales.logistics.progression import SETTLED, ParcelState


class RefundRoute(StrEnum):
    ORIGINAL_PAYMENT = "original_payment"
    STORE_CREDIT = "store_credit"
    MANUAL_REVIEW = "manual_review"


class ClaimResolution(StrEnum):
    RESHIP = "reship"
    REFUND = "refund"


class ShippingDeduction(StrEnum):
    NONE = "none"
    OUTBOUND_FEE = "outbound_fee"  # the buyer refused: the shipping we paid is not refunded
    FIXED = "fixed"


class ExceptionRules(DomainModel):
    """Per-tenant policy. Defaults are the conservative choice for a domestic merchant."""

    model_config = ConfigDict(frozen=True)

    refusal_deduction: ShippingDeduction = ShippingDeduction.OUTBOUND_FEE
    refusal_fixed_deduction: Money | None = None
    refusal_refund_route: RefundRoute = RefundRoute.ORIGINAL_PAYMENT
    prefer_reship: bool = True
    reship_max_order_value: Money | None = None  # above it a lost/damaged parcel is refunded
    delay_alert_after: timedelta = Field(timedelta(days=5), gt=timedelta(0), le=timedelta(days=365))
    return_label_expires_after: timedelta = Field(timedelta(days=14), gt=timedelta(0), le=timedelta(days=365))


class CustomsDeclaration(DomainModel):
    model_config = ConfigDict(frozen=True)

    hs_code: str = Field(pattern=r"^\d{6,10}$")
    origin_country: str = Field(pattern=r"^[A-Z]{2}$")
    declared_value: Money
    description: free_text(500) | None = None


class OutboundShipment(DomainModel):
    """What we know about the order's parcel when its carrier reports trouble."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    order_id: str
    tracking_number: str
    shipping_fee: Money
    order_value: Money
    items_in_stock: bool = True
    declaration: CustomsDeclaration | None = None


# --- decisions -----------------------------------------------------------------------------------

class NoAction(DomainModel):
    kind: Literal["no_action"] = "no_action"
    reason: str


class CreateReturnTicket(DomainModel):
    kind: Literal["create_return_ticket"] = "create_return_ticket"
    reason: Literal["refused"] = "refused"
    tenant_id: str
    order_id: str
    tracking_number: str
    shipping_deduction: Money
    refund_route: RefundRoute


class CreateClaimTicket(DomainModel):
    kind: Literal["create_claim_ticket"] = "create_claim_ticket"
    reason: Literal["lost", "damaged"]
    tenant_id: str
    order_id: str
    tracking_number: str
    resolution: ClaimResolution


class CreateProactiveTicket(DomainModel):
    kind: Literal["create_proactive_ticket"] = "create_proactive_ticket"
    reason: Literal["customs_hold"] = "customs_hold"
    tenant_id: str
    order_id: str
    tracking_number: str
    declaration: CustomsDeclaration | None
    needs_declaration_data: bool


class RaiseDelayAlert(DomainModel):
    kind: Literal["raise_delay_alert"] = "raise_delay_alert"
    tracking_number: str
    silent_for: timedelta
    notify_customer: bool = True


class UpdateLineReception(DomainModel):
    kind: Literal["update_line_reception"] = "update_line_reception"
    tracking_number: str
    reception: Literal["in_transit", "received", "expired"]


OutboundDecision = Annotated[
    NoAction | CreateReturnTicket | CreateClaimTicket | CreateProactiveTicket,
    Field(discriminator="kind")]


# --- outbound parcel -----------------------------------------------------------------------------

_CLAIM_REASONS = {SubStatus.LOST: "lost", SubStatus.DAMAGED: "damaged", SubStatus.DESTROYED: "lost"}


def _refusal_deduction(shipment: OutboundShipment, rules: ExceptionRules) -> Money:
    if rules.refusal_deduction is ShippingDeduction.OUTBOUND_FEE:
        return shipment.shipping_fee
    if rules.refusal_deduction is ShippingDeduction.FIXED and rules.refusal_fixed_deduction:
        return rules.refusal_fixed_deduction
    return Money.zero(shipment.shipping_fee.currency)


def _claim_resolution(shipment: OutboundShipment, rules: ExceptionRules) -> ClaimResolution:
    if not (rules.prefer_reship and shipment.items_in_stock):
        return ClaimResolution.REFUND
    cap = rules.reship_max_order_value
    if cap is not None and cap.currency == shipment.order_value.currency \
            and shipment.order_value.amount > cap.amount:
        return ClaimResolution.REFUND
    return ClaimResolution.RESHIP


def decide_outbound_exception(event: TrackingEvent, shipment: OutboundShipment,
                              rules: ExceptionRules) -> NoAction | CreateReturnTicket | \
        CreateClaimTicket | CreateProactiveTicket:
    """Refused -> return ticket; lost/damaged -> claim; customs hold -> proactive ticket."""
    ids = {"tenant_id": shipment.tenant_id, "order_id": shipment.order_id,
           "tracking_number": shipment.tracking_number}
    if event.sub_status is SubStatus.REFUSED:
        return CreateReturnTicket(**ids, shipping_deduction=_refusal_deduction(shipment, rules),
                                  refund_route=rules.refusal_refund_route)
    if event.sub_status in _CLAIM_REASONS:
        return CreateClaimTicket(**ids, reason=_CLAIM_REASONS[event.sub_status],
                                 resolution=_claim_resolution(shipment, rules))
    if event.sub_status is SubStatus.CUSTOMS_HOLD:
        return CreateProactiveTicket(**ids, declaration=shipment.declaration,
                                     needs_declaration_data=shipment.declaration is None)
    return NoAction(reason=f"no rule for {event.status.value}/{event.sub_status.value}")


def decide_delay(state: ParcelState, now: datetime, rules: ExceptionRules) -> NoAction | RaiseDelayAlert:
    """Abnormal delay: an unsettled parcel without a checkpoint for `delay_alert_after`."""
    if state.progress in SETTLED or state.last_checkpoint_at is None:
        return NoAction(reason="settled or never scanned")
    silent_for = now - state.last_checkpoint_at
    if silent_for < rules.delay_alert_after:
        return NoAction(reason="within expected silence")
    return RaiseDelayAlert(tracking_number=state.tracking_number, silent_for=silent_for)


# --- return parcel (customer -> warehouse) -------------------------------------------------------

_IN_TRANSIT = {TrackingStatus.IN_TRANSIT, TrackingStatus.OUT_FOR_DELIVERY,
               TrackingStatus.AVAILABLE_FOR_PICKUP}


def decide_return_reception(state: ParcelState, label_issued_at: datetime, now: datetime,
                            rules: ExceptionRules) -> NoAction | UpdateLineReception:
    """Maps the return parcel's merged state onto the ticket line's reception axis."""
    if state.progress is TrackingStatus.DELIVERED:
        return UpdateLineReception(tracking_number=state.tracking_number, reception="received")
    if state.progress in _IN_TRANSIT:
        return UpdateLineReception(tracking_number=state.tracking_number, reception="in_transit")
    if state.progress in (TrackingStatus.UNKNOWN, TrackingStatus.INFO_RECEIVED) \
            and now - label_issued_at >= rules.return_label_expires_after:
        return UpdateLineReception(tracking_number=state.tracking_number, reception="expired")
    return NoAction(reason="awaiting first carrier scan")
