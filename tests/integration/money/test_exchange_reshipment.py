"""Exchange reshipment through the API and the event pipeline under moto: the reshipment order
carries the quantities inspection accepted, and a reshipment with nothing accepted is refused on
the ticket instead of shipping the requested quantities."""

from __future__ import annotations

import pytest

from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Role, Status
from tests.integration.money.conftest import move, open_ticket
from tests.integration.money.pipeline import Pipeline

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


def test_a_reshipment_with_nothing_accepted_is_refused_on_the_ticket(money, pipeline, api, demo):
    """GIVEN an exchange whose only line inspection rejected (accepted 0), reopened on appeal and pushed
    inspecting -> reshipping by a bare transition (no new inspection)
    WHEN the money path handles the entry into reshipping
    THEN no reshipment order leaves, the ticket stays reshipping with ONE `ticket.reshipment_refused`
    entry by SYSTEM whose reason is `reshipment.nothing_accepted`, and the consumer reports no failure."""
    svc = money
    ticket = _returned_for_inspection(svc, pipeline, api, demo, quantity=1)
    reply = api.request("POST", f"/tickets/{ticket.id}/inspection",
                        {"lines": [{"line_id": "L1", "accepted": 0, "written_off": 1}]}, demo["acme"]["agent"])
    assert reply.status == 200 and reply.body["status"] == "rejected", reply

    move_as = svc.tickets.transition
    for target in ("pending_approval", "approved"):
        move_as("acme", ticket.id, Status(target), SUPERVISOR)
    pipeline.pump()
    for target in ("return_in_transit", "return_received", "inspecting", "reshipping"):
        move_as("acme", ticket.id, Status(target), SUPERVISOR)
    pipeline.pump()
    pipeline.pump()

    assert _reshipments(pipeline, ticket.id) == []
    current = svc.tickets.get("acme", ticket.id, SUPERVISOR)
    assert current.status == Status.RESHIPPING and current.lines[0].acceptance.value == "rejected"
    refused = [e for e in svc.tickets.audit("acme", ticket.id, SUPERVISOR) if e.event == "ticket.reshipment_refused"]
    assert len(refused) == 1 and refused[0].actor_role == "system"
    assert refused[0].reason == "reshipment.nothing_accepted" and refused[0].data["line_ids"] == "L1"
