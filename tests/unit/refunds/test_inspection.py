"""Inspection results -> the lines' counters and acceptance axis, and the ticket's next status."""

from __future__ import annotations

import pytest

from aftersales.core.errors import InvalidRequest
from aftersales.core.money import Money
from aftersales.refunds.inspection import InspectedLine, apply_inspection, target_status
from aftersales.refunds.refundable import RefundLine, ReturnReason, TenantRefundSettings, quote_refund
from aftersales.tickets.domain import TicketLine
from aftersales.tickets.model import Acceptance, Reception, Status, TicketType


def _line(line_id: str = "L1", requested: int = 3, received: int = 0) -> TicketLine:
    return TicketLine(line_id=line_id, sku="MUG", quantity_requested=requested, quantity_received=received,
                      unit_price=Money(amount=9500, currency="CNY"),
                      reception=Reception.RECEIVED if received else Reception.IN_TRANSIT)


def test_partial_acceptance_sets_counters_and_the_axis():
    """GIVEN 3 requested, 3 received by scan WHEN 2 accepted, 1 written off (damaged) THEN ACCEPTED with 2."""
    (line,) = apply_inspection([_line(received=3)], [InspectedLine(line_id="L1", accepted=2, damaged=1,
                                                                   written_off=1)])
    assert (line.quantity_received, line.quantity_accepted, line.quantity_damaged, line.quantity_written_off,
            line.acceptance, line.reception) == (3, 2, 1, 1, Acceptance.ACCEPTED, Reception.RECEIVED)


def test_received_defaults_to_requested_and_a_short_receipt_is_short_shipped():
    """GIVEN no scan recorded WHEN received is omitted THEN it is the requested quantity; a smaller
    received quantity marks the line short-shipped; zero accepted rejects the line."""
    (full,) = apply_inspection([_line()], [InspectedLine(line_id="L1", accepted=3)])
    assert full.quantity_received == 3 and full.reception is Reception.RECEIVED
    (short,) = apply_inspection([_line()], [InspectedLine(line_id="L1", received=1, accepted=0, written_off=1)])
    assert short.reception is Reception.SHORT_SHIPPED and short.acceptance is Acceptance.REJECTED


@pytest.mark.parametrize("result, message_id, field", [
    ({"line_id": "L1", "accepted": 3, "written_off": 1}, "refunds.inspection_exceeds_received", "lines[0].accepted"),
    ({"line_id": "L1", "received": 4, "accepted": 1}, "refunds.inspection_received_exceeds_requested",
     "lines[0].received"),
    ({"line_id": "L1", "received": 1, "accepted": 0, "damaged": 2}, "refunds.inspection_damaged_exceeds_received",
     "lines[0].damaged"),
    ({"line_id": "X", "accepted": 1}, "refunds.inspection_unknown_line", "lines[0].line_id"),
])
def test_counters_that_do_not_add_up_are_refused_with_a_path(result, message_id, field):
    with pytest.raises(InvalidRequest) as refused:
        apply_inspection([_line()], [InspectedLine(**result)])
    assert refused.value.message_id == message_id and refused.value.details["field"] == field


def test_every_line_is_reported_once():
    lines = [_line("L1"), _line("L2")]
    with pytest.raises(InvalidRequest) as missing:
        apply_inspection(lines, [InspectedLine(line_id="L1", accepted=1)])
    assert missing.value.message_id == "refunds.inspection_lines_missing"
    with pytest.raises(InvalidRequest) as twice:
        apply_inspection(lines, [InspectedLine(line_id="L1", accepted=1)] * 2)
    assert twice.value.details["field"] == "lines[1].line_id"


def test_next_status_by_type_and_outcome():
    accepted, none = [InspectedLine(line_id="L1", accepted=1)], [InspectedLine(line_id="L1", accepted=0)]
    assert target_status(TicketType.RETURN_REFUND, accepted) is Status.REFUND_PENDING
    assert target_status(TicketType.EXCHANGE, accepted) is Status.RESHIPPING
    assert target_status(TicketType.RETURN_REFUND, none) is Status.REJECTED
    with pytest.raises(InvalidRequest):
        target_status(TicketType.REFUND_ONLY, accepted)


def test_the_tenant_campaign_makes_the_merchant_bear_return_shipping():
    """GIVEN a 10 % fee and an active merchant-paid return-shipping campaign WHEN the reason is dislike
    THEN shipping is refunded and no fee is charged; settings refuse original_payment as an alternative."""
    line = RefundLine(line_id="L1", unit_price_paid=Money(amount=10_000, currency="CNY"), accepted_quantity=1)
    settings = TenantRefundSettings(restocking_fee_bp=1000, merchant_paid_return_shipping_campaign=True)
    quote = quote_refund([line], ReturnReason.DISLIKE, settings, Money(amount=800, currency="CNY"))
    assert (quote.restocking_fee.amount, quote.return_shipping.amount, quote.total.amount) == (0, 800, 10_800)
    with pytest.raises(ValueError):
        TenantRefundSettings(alternative_destinations=frozenset({"original_payment"}))
