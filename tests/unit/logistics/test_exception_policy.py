"""Pure decisions triggered by delivery exceptions, silence and return-parcel scans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aftersales.core.money import Money
from aftersales.logistics.events import Provider, SubStatus, TrackingEvent, TrackingStatus
from aftersales.logistics.exception_policy import (
    ClaimResolution,
    CreateClaimTicket,
    CreateProactiveTicket,
    CreateReturnTicket,
    CustomsDeclaration,
    ExceptionRules,
    NoAction,
    OutboundShipment,
    RaiseDelayAlert,
    RefundRoute,
    ShippingDeduction,
    UpdateLineReception,
    decide_delay,
    decide_outbound_exception,
    decide_return_reception,
)
from aftersales.logistics.progression import ParcelState

NOW = datetime(2025, 3, 10, tzinfo=UTC)
SHIPMENT = OutboundShipment(tenant_id="t1", order_id="o1", tracking_number="TN1",
                            shipping_fee=Money(amount=1200, currency="CNY"),
                            order_value=Money(amount=59900, currency="CNY"))


def exception(sub):
    return TrackingEvent(provider=Provider.SEVENTEEN_TRACK, provider_event_id="e", tracking_number="TN1",
                         status=TrackingStatus.EXCEPTION, sub_status=sub)


def test_refused_creates_return_ticket_deducting_outbound_shipping():
    """GIVEN default rules WHEN the buyer refuses delivery THEN a return ticket is created that
    deducts the outbound shipping fee and refunds to the original payment."""
    decision = decide_outbound_exception(exception(SubStatus.REFUSED), SHIPMENT, ExceptionRules())
    assert isinstance(decision, CreateReturnTicket)
    assert decision.shipping_deduction == Money(amount=1200, currency="CNY")
    assert decision.refund_route is RefundRoute.ORIGINAL_PAYMENT


def test_refused_with_fixed_or_no_deduction():
    fixed = ExceptionRules(refusal_deduction=ShippingDeduction.FIXED,
                           refusal_fixed_deduction=Money(amount=800, currency="CNY"),
                           refusal_refund_route=RefundRoute.STORE_CREDIT)
    decision = decide_outbound_exception(exception(SubStatus.REFUSED), SHIPMENT, fixed)
    assert decision.shipping_deduction.amount == 800 and decision.refund_route is RefundRoute.STORE_CREDIT
    none = ExceptionRules(refusal_deduction=ShippingDeduction.NONE)
    assert decide_outbound_exception(exception(SubStatus.REFUSED), SHIPMENT, none).shipping_deduction.amount == 0


@pytest.mark.parametrize("sub", [SubStatus.LOST, SubStatus.DAMAGED])
def test_lost_or_damaged_in_stock_is_reshipped(sub):
    decision = decide_outbound_exception(exception(sub), SHIPMENT, ExceptionRules())
    assert isinstance(decision, CreateClaimTicket)
    assert decision.reason == sub.value and decision.resolution is ClaimResolution.RESHIP


def test_lost_above_reship_cap_or_out_of_stock_is_refunded():
    """GIVEN a reship cap below the order value (or no stock) WHEN the parcel is lost THEN refund."""
    capped = ExceptionRules(reship_max_order_value=Money(amount=10000, currency="CNY"))
    assert decide_outbound_exception(exception(SubStatus.LOST), SHIPMENT, capped).resolution is ClaimResolution.REFUND
    no_stock = SHIPMENT.model_copy(update={"items_in_stock": False})
    decision = decide_outbound_exception(exception(SubStatus.DAMAGED), no_stock, ExceptionRules())
    assert decision.resolution is ClaimResolution.REFUND


def test_customs_hold_creates_proactive_ticket_with_declaration():
    declaration = CustomsDeclaration(hs_code="610910", origin_country="CN",
                                     declared_value=Money(amount=2500, currency="USD"))
    shipment = SHIPMENT.model_copy(update={"declaration": declaration})
    decision = decide_outbound_exception(exception(SubStatus.CUSTOMS_HOLD), shipment, ExceptionRules())
    assert isinstance(decision, CreateProactiveTicket)
    assert decision.declaration == declaration and not decision.needs_declaration_data


def test_customs_hold_without_declaration_asks_for_it():
    decision = decide_outbound_exception(exception(SubStatus.CUSTOMS_HOLD), SHIPMENT, ExceptionRules())
    assert decision.needs_declaration_data


def test_other_exceptions_cause_no_ticket():
    assert isinstance(decide_outbound_exception(exception(SubStatus.FAILED_ATTEMPT), SHIPMENT,
                                                ExceptionRules()), NoAction)


def test_silent_parcel_raises_delay_alert_with_customer_notice():
    """GIVEN an in-transit parcel last scanned 6 days ago WHEN the 5-day rule runs THEN alert."""
    state = ParcelState(tracking_number="TN1", status=TrackingStatus.IN_TRANSIT,
                        progress=TrackingStatus.IN_TRANSIT, last_checkpoint_at=NOW - timedelta(days=6))
    decision = decide_delay(state, NOW, ExceptionRules())
    assert isinstance(decision, RaiseDelayAlert) and decision.notify_customer
    assert decision.silent_for == timedelta(days=6)
    assert isinstance(decide_delay(state, NOW - timedelta(days=2), ExceptionRules()), NoAction)


def test_delivered_parcel_is_never_delayed():
    state = ParcelState(tracking_number="TN1", status=TrackingStatus.DELIVERED,
                        progress=TrackingStatus.DELIVERED, last_checkpoint_at=NOW - timedelta(days=60))
    assert isinstance(decide_delay(state, NOW, ExceptionRules()), NoAction)


@pytest.mark.parametrize(("progress", "reception"), [
    (TrackingStatus.IN_TRANSIT, "in_transit"),
    (TrackingStatus.OUT_FOR_DELIVERY, "in_transit"),
    (TrackingStatus.DELIVERED, "received"),
])
def test_return_parcel_scans_update_line_reception(progress, reception):
    state = ParcelState(tracking_number="RT1", status=progress, progress=progress)
    decision = decide_return_reception(state, NOW - timedelta(days=1), NOW, ExceptionRules())
    assert isinstance(decision, UpdateLineReception) and decision.reception == reception


def test_return_label_never_scanned_expires():
    """GIVEN a return label issued 15 days ago and never scanned WHEN checked (14-day rule)
    THEN the line's reception expires; at 3 days nothing happens."""
    state = ParcelState.new("RT1")
    rules = ExceptionRules()
    assert decide_return_reception(state, NOW - timedelta(days=15), NOW, rules).reception == "expired"
    assert isinstance(decide_return_reception(state, NOW - timedelta(days=3), NOW, rules), NoAction)
