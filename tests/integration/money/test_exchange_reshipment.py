"""Exchange reshipment through the API and the event pipeline under moto: the reshipment order
carries the quantities inspection accepted, and a reshipment with nothing accepted is refused on
the ticket instead of shipping the requested quantities."""

from __future__ import annotations

import pytest

from aftersales.core.errors import Forbidden, IllegalTransition
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Role, Status
from aftersales.tickets.warrants import InspectionRecord
from tests.support.money import move, open_ticket
from tests.support.pipeline import Pipeline
from tests.support.tickets import approve_as_reviewer

SUPERVISOR = Actor(id="supervisor-1", roles=frozenset({Role.SUPERVISOR, Role.SYSTEM}))


@pytest.fixture
def pipeline(aws, money):
    return Pipeline(aws)


def _reshipments(pipeline, ticket_id: str) -> list[dict]:
    return [e["detail"] for e in pipeline.outbound_events() if e["source"] == "aftersales.fulfilment"
            and e["detail-type"] == "reshipment.requested" and e["detail"]["ticket_id"] == ticket_id]


def _returned_for_inspection(svc, pipeline, api, demo, quantity: int):
    """An approved exchange of `quantity` mugs the customer shipped back, received and in inspection."""
    ticket = open_ticket(svc, ticket_type="exchange", quantity=quantity, order_quantity=quantity)
    move(svc, "acme", ticket.id, "pending_approval", "approved")
    pipeline.pump()  # approved -> awaiting_return by the money-path consumer
    shipped = api.request("POST", f"/tickets/{ticket.id}/return-shipment",
                          {"carrier": "sf-express", "tracking_number": f"SFX{quantity}"}, demo["acme"]["cust-1"])
    assert shipped.status == 200 and shipped.body["status"] == "return_in_transit", shipped
    return move(svc, "acme", ticket.id, "return_received", "inspecting")


def test_an_exchange_reships_the_quantity_inspection_accepted(money, pipeline, api, demo):
    """GIVEN an exchange of 2 mugs shipped back and in inspection
    WHEN the agent records 1 accepted, 1 written off (POST /tickets/{id}/inspection)
    THEN the ticket is reshipping and ONE `reshipment.requested` asks for 1 mug, not the 2 requested."""
    svc = money
    ticket = _returned_for_inspection(svc, pipeline, api, demo, quantity=2)
    reply = api.request("POST", f"/tickets/{ticket.id}/inspection",
                        {"lines": [{"line_id": "L1", "accepted": 1, "written_off": 1}]}, demo["acme"]["agent"])
    assert reply.status == 200 and reply.body["status"] == "reshipping", reply
    assert (reply.body["lines"][0]["quantity_requested"], reply.body["lines"][0]["quantity_accepted"]) == (2, 1)
    pipeline.pump()
    pipeline.pump()  # nothing new: the order is not emitted twice

    (order,) = _reshipments(pipeline, ticket.id)
    assert order["lines"] == [{"line_id": "L1", "sku": "MUG", "quantity": 1}]
    assert order["not_reshipped"] == [] and order["order_id"] == "O-1"
    assert svc.tickets.get("acme", ticket.id, SUPERVISOR).status == Status.RESHIPPING


def test_a_reshipment_with_nothing_accepted_cannot_be_forced(money, pipeline, api, demo):
    """GIVEN an exchange whose only line inspection rejected (accepted 0), reopened on appeal,
    approved again and back in inspection
    WHEN staff push inspecting -> reshipping by a bare transition, or with an inspection warrant
    while the lines still say nothing was accepted
    THEN the first is 409 naming /inspection, the second is refused by the domain, the ticket stays
    in inspection and no reshipment order leaves."""
    svc = money
    ticket = _returned_for_inspection(svc, pipeline, api, demo, quantity=1)
    reply = api.request("POST", f"/tickets/{ticket.id}/inspection",
                        {"lines": [{"line_id": "L1", "accepted": 0, "written_off": 1}]}, demo["acme"]["agent"])
    assert reply.status == 200 and reply.body["status"] == "rejected", reply

    svc.tickets.transition("acme", ticket.id, Status.PENDING_APPROVAL, SUPERVISOR)
    approve_as_reviewer(svc.tickets, "acme", ticket.id, reviewer_id="supervisor-2")
    pipeline.pump()
    for target in ("return_in_transit", "return_received", "inspecting"):
        svc.tickets.transition("acme", ticket.id, Status(target), SUPERVISOR)
    with pytest.raises(IllegalTransition) as bare:
        svc.tickets.transition("acme", ticket.id, Status.RESHIPPING, SUPERVISOR)
    assert bare.value.details["use"] == f"POST /tickets/{ticket.id}/inspection"
    with pytest.raises(Forbidden) as forged:
        svc.tickets.transition("acme", ticket.id, Status.RESHIPPING, SUPERVISOR, warrant=InspectionRecord())
    assert forged.value.details["reason"] == "inspection_result_mismatch"
    pipeline.pump()
    assert _reshipments(pipeline, ticket.id) == []
    current = svc.tickets.get("acme", ticket.id, SUPERVISOR)
    assert current.status == Status.INSPECTING and current.lines[0].acceptance.value == "rejected"
