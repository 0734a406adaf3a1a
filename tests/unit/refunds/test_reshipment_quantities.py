"""What an exchange reships: the quantities inspection accepted, the requested ones without an
inspection, never a line inspection accepted nothing of."""

from __future__ import annotations

import pytest

from aftersales.core.errors import Conflict
from aftersales.core.money import Money
from aftersales.refunds.inspection import InspectedLine, apply_inspection
from aftersales.refunds.reshipment import ReshipmentLine, plan_reshipment, reship_quantity
from aftersales.tickets.domain import TicketLine
from aftersales.tickets.model import Acceptance


def _line(line_id: str = "L1", requested: int = 2, sku: str = "MUG") -> TicketLine:
    return TicketLine(line_id=line_id, sku=sku, quantity_requested=requested,
                      unit_price=Money(amount=9500, currency="CNY"))


def test_an_inspected_line_reships_its_accepted_quantity_not_the_requested_one():
    """GIVEN 2 requested WHEN inspection accepts 1 (1 written off) THEN 1 is reshipped."""
    (line,) = apply_inspection([_line(requested=2)], [InspectedLine(line_id="L1", accepted=1, written_off=1)])
    assert reship_quantity(line) == 1
    assert plan_reshipment([line]).lines == (ReshipmentLine(line_id="L1", sku="MUG", quantity=1),)


def test_without_an_inspection_the_requested_quantity_is_reshipped():
    """GIVEN a line nobody inspected (exchange without return, or a bare transition) THEN requested."""
    line = _line(requested=3)
    assert line.acceptance is Acceptance.PENDING
    assert reship_quantity(line) == 3
    plan = plan_reshipment([line])
    assert [ln.quantity for ln in plan.lines] == [3] and plan.not_reshipped == ()


@pytest.mark.parametrize("acceptance", [Acceptance.REJECTED, Acceptance.ACCEPTED, Acceptance.MANUAL_INTERVENTION])
def test_a_line_with_nothing_accepted_is_refused_with_a_catalogued_message(acceptance):
    """GIVEN an inspected line with 0 accepted (whatever its acceptance axis says) WHEN asked for its
    reship quantity THEN Conflict `reshipment.line_not_accepted` naming the line."""
    line = _line().model_copy(update={"acceptance": acceptance, "quantity_accepted": 0})
    with pytest.raises(Conflict) as refused:
        reship_quantity(line)
    assert refused.value.message_id == "reshipment.line_not_accepted"
    assert refused.value.details == {"line_id": "L1"}


def test_a_partial_acceptance_reships_the_accepted_lines_and_names_the_refused_ones():
    """GIVEN L1 (2 requested, 2 accepted) and L2 (1 requested, 0 accepted) WHEN planned THEN only L1
    ships, with its accepted quantity, and L2 is listed as not reshipped."""
    lines = apply_inspection([_line("L1", 2), _line("L2", 1, sku="LID")],
                             [InspectedLine(line_id="L1", accepted=2),
                              InspectedLine(line_id="L2", accepted=0, written_off=1)])
    plan = plan_reshipment(lines)
    assert plan.lines == (ReshipmentLine(line_id="L1", sku="MUG", quantity=2),)
    assert plan.not_reshipped == ("L2",)


def test_nothing_accepted_on_any_line_refuses_the_whole_reshipment():
    """GIVEN every line inspected with 0 accepted THEN Conflict `reshipment.nothing_accepted` listing them."""
    lines = apply_inspection([_line("L1", 1), _line("L2", 1)],
                             [InspectedLine(line_id="L1", accepted=0), InspectedLine(line_id="L2", accepted=0)])
    with pytest.raises(Conflict) as refused:
        plan_reshipment(lines)
    assert refused.value.message_id == "reshipment.nothing_accepted"
    assert refused.value.details == {"line_ids": "L1, L2"}
