"""POST /tickets/{id}/return-shipment registers the customer's return parcel with the logistics
context: carrier events that arrived before it (parked) move the ticket at once, later ones are
matched on arrival, a repeated post changes nothing, and a number that is already another parcel's
is refused before anything is written. Real AfterShip payloads, handlers and stores under moto."""

from __future__ import annotations

import json

import pytest

from aftersales.logistics.verification import aftership_signature
from tests.support.channels import SECRET, Webhooks, configure, extra_resources, seed_order
from tests.support.fixture_files import load
from tests.support.tickets import approve_as_reviewer


@pytest.fixture
def env(aws, api, demo):
    extra_resources(aws)
    configure("acme")
    seed_order("acme", "O-1", customer="cust-1")
    return {"hooks": Webhooks(), "api": api, "demo": demo}


def aftership(event_id: str, number: str, tag: str, subtag: str) -> bytes:
    """AfterShip's recorded tracking webhook, re-pointed at `number` with the given status."""
    body = load("aftership/aftership_tracking_webhook_sample.json")
    body["event_id"] = event_id
    body["msg"].update(tracking_number=number, tag=tag, subtag=subtag)
    body["msg"]["checkpoints"][0].update(checkpoint_time="2026-11-21T10:00:00+08:00", tag=tag, subtag=subtag)
    return json.dumps(body).encode()


def signed(body: bytes) -> dict:
    return {"aftership-hmac-sha256": aftership_signature(SECRET, body), "Content-Type": "application/json"}


def _svc():
    from aftersales.wiring import services

    return services()


def _system():
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role

    return Actor(id="test-system", roles=frozenset({Role.SYSTEM}))


def _awaiting_return() -> str:
    """A return_refund ticket of cust-1's, approved and waiting for the goods (no parcel registered)."""
    from aftersales.tickets.domain import LineRequest, OpenTicket
    from aftersales.tickets.model import Channel, Status, TicketType

    svc = _svc()
    ticket = svc.tickets.open("acme", OpenTicket(type=TicketType.RETURN_REFUND, order_id="O-1", channel=Channel.APP,
                                                 reason_code="quality", lines=[LineRequest(line_id="L1", quantity=1)]),
                              _system())
    svc.tickets.transition("acme", ticket.id, Status.PENDING_APPROVAL, _system())
    approve_as_reviewer(svc.tickets, "acme", ticket.id)
    svc.tickets.transition("acme", ticket.id, Status.AWAITING_RETURN, _system())
    return ticket.id


def _ship(env, ticket_id: str, tracking: str, who: str = "cust-1"):
    body = {"carrier": "sf-express", "tracking_number": tracking,
            "return_shipping_paid": {"amount": 1200, "currency": "CNY"}}
    return env["api"].request("POST", f"/tickets/{ticket_id}/return-shipment", body, env["demo"]["acme"][who])


def test_a_carrier_event_parked_before_the_return_shipment_moves_the_ticket_when_it_is_posted(env):
    """GIVEN a return ticket awaiting its goods and an AfterShip "delivered" event for RET-P1 that
    arrived before anyone registered the parcel (parked, the ticket unmoved)
    WHEN the customer posts the return shipment with tracking number RET-P1
    THEN the parcel is registered as the ticket's return parcel, the parked event is matched at once:
    the ticket answers return_received with its line received, after the customer's return_shipped."""
    ticket_id = _awaiting_return()
    hooks = env["hooks"]
    delivered = aftership("evt-p1", "RET-P1", "Delivered", "Delivered_001")
    assert hooks.post_carrier("aftership", "acme", delivered, signed(delivered)).body["result"] == "parked"
    assert _svc().tickets.get("acme", ticket_id, _system()).status.value == "awaiting_return"

    reply = _ship(env, ticket_id, "RET-P1")
    assert reply.status == 200 and reply.body["status"] == "return_received", reply
    assert reply.body["lines"][0]["reception"] == "received"

    parcel = _svc().logistics.parcel("acme", "RET-P1")
    assert parcel.registration is not None
    assert (parcel.registration.direction, parcel.registration.ticket_id, parcel.registration.order_id,
            parcel.registration.carrier) == ("return", ticket_id, "O-1", "sf-express")
    audit = _svc().tickets.audit("acme", ticket_id, _system())
    moves = [(e.event, e.actor_id, e.reason) for e in audit if e.from_status != e.to_status][-2:]
    assert moves == [("ticket.return_shipped", "cust-1", "return_shipment"),
                     ("ticket.return_received", "system:logistics", "carrier_scan")]


def test_posting_the_return_shipment_twice_neither_fails_nor_duplicates(env):
    """GIVEN a return shipment already posted for RET-P2
    WHEN the same shipment is posted again (no Idempotency-Key)
    THEN 200 with the same ticket version: no second audit entry, the registration is not rewritten;
    and a later carrier event for RET-P2 is matched on arrival (not parked) and moves the ticket."""
    ticket_id = _awaiting_return()
    first = _ship(env, ticket_id, "RET-P2")
    assert first.status == 200 and first.body["status"] == "return_in_transit", first
    registered_at = _svc().logistics.parcel("acme", "RET-P2").registration.registered_at

    again = _ship(env, ticket_id, "RET-P2")
    assert again.status == 200 and again.body["version"] == first.body["version"], again
    assert _svc().logistics.parcel("acme", "RET-P2").registration.registered_at == registered_at
    audit = _svc().tickets.audit("acme", ticket_id, _system())
    assert [e.reason for e in audit].count("return_shipment") == 1

    delivered = aftership("evt-p2", "RET-P2", "Delivered", "Delivered_001")
    reply = env["hooks"].post_carrier("aftership", "acme", delivered, signed(delivered))
    assert reply.body["result"] == "accepted", reply
    assert _svc().tickets.get("acme", ticket_id, _system()).status.value == "return_received"


def test_a_tracking_number_registered_for_another_parcel_is_refused_before_anything_is_written(env):
    """GIVEN OUT-9 registered as the order's outbound parcel
    WHEN the customer posts a return shipment with tracking number OUT-9
    THEN 409 `refunds.return_parcel_registered_elsewhere` on tracking_number, the ticket is unchanged
    and the parcel stays outbound."""
    from aftersales.logistics.ports import Registration

    ticket_id = _awaiting_return()
    _svc().logistics.register("acme", "OUT-9", Registration(
        direction="outbound", order_id="O-1", registered_at=_svc().clock.now()))
    before = _svc().tickets.get("acme", ticket_id, _system())

    reply = _ship(env, ticket_id, "OUT-9")
    assert reply.status == 409, reply
    assert reply.body["error"]["fields"][0]["path"] == "tracking_number"
    assert _svc().tickets.get("acme", ticket_id, _system()).version == before.version
    assert _svc().logistics.parcel("acme", "OUT-9").registration.direction == "outbound"
