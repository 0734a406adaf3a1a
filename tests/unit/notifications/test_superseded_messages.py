"""A status message the ticket has outgrown is not sent: the later status's own message says it."""

from __future__ import annotations

import pytest

from aftersales.notifications.service import ANNOUNCED, superseded
from aftersales.orders.domain import Order
from aftersales.tickets import domain
from aftersales.tickets.model import Role, Status
from tests.support.tickets import order_payload


def _ticket(status: Status, version: int):
    order = Order.model_validate(order_payload("O-1", customer="cust-1"))
    change = domain.open_ticket(ticket_id="tkt_1", tenant_id="acme", request=domain.OpenTicket(
        type="refund_only", order_id="O-1", channel="app", reason_code="quality",
        lines=[domain.LineRequest(line_id="L1", quantity=1)]), order=order, reserved={},
        actor=domain.Actor(id="sf", roles=frozenset({Role.STOREFRONT})), at=order.placed_at)
    return change.ticket.model_copy(update={"status": status, "version": version})


@pytest.mark.parametrize("now_at", sorted(ANNOUNCED))
def test_an_earlier_message_is_superseded_by_any_announced_status(now_at):
    """GIVEN a ticket.created event (seq 1) WHEN the ticket is now in an announced status THEN skip it."""
    assert superseded({"seq": 1, "to_status": "submitted"}, _ticket(now_at, 4))


@pytest.mark.parametrize("now_at", [Status.SUBMITTED, Status.PENDING_APPROVAL, Status.REFUND_PENDING,
                                    Status.INSPECTING, Status.RESHIPPING])
def test_a_ticket_still_on_its_way_gets_the_earlier_message(now_at):
    """GIVEN the ticket moved on only to a status nobody is told about THEN the earlier message goes."""
    assert not superseded({"seq": 1, "to_status": "submitted"}, _ticket(now_at, 3))


def test_the_latest_message_and_events_without_a_sequence_are_always_sent():
    refunded = _ticket(Status.REFUNDED, 6)
    assert not superseded({"seq": 6, "to_status": "refunded"}, refunded)  # its own event
    assert not superseded({"to_status": "approved"}, refunded)  # a parcel update has no ticket seq
