"""Carrier webhooks end to end in-process: handler + stores under moto."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from aftersales.logistics.verification import aftership_signature
from tests.support.channels import SECRET, Webhooks, configure, extra_resources, seed_order, table_items
from tests.support.fixture_files import load
from tests.support.tickets import approve_as_reviewer


@pytest.fixture
def env(aws):
    extra_resources(aws)
    configure("acme")
    seed_order("acme", "O-1")
    return {"hooks": Webhooks(), "model": aws}


def aftership(event_id: str, number: str, tag: str, subtag: str, at: str = "2026-11-20T10:00:00+08:00") -> bytes:
    body = load("aftership/aftership_tracking_webhook_sample.json")
    body["event_id"] = event_id
    body["msg"].update(tracking_number=number, tag=tag, subtag=subtag)
    body["msg"]["checkpoints"][0].update(checkpoint_time=at, tag=tag, subtag=subtag)
    return json.dumps(body).encode()


def signed(body: bytes) -> dict:
    return {"aftership-hmac-sha256": aftership_signature(SECRET, body), "Content-Type": "application/json"}


def services_():
    from aftersales.wiring import services

    return services()


def return_ticket(tracking: str) -> str:
    from aftersales.logistics.ports import Registration
    from aftersales.tickets.domain import Actor, LineRequest, OpenTicket
    from aftersales.tickets.model import Channel, Role, Status, TicketType

    svc = services_()
    agent = Actor(id="agent-1", roles=frozenset({Role.AGENT}))
    ticket = svc.tickets.open("acme", OpenTicket(type=TicketType.RETURN_REFUND, order_id="O-1", channel=Channel.APP,
                                                 reason_code="damaged", lines=[LineRequest(line_id="L1", quantity=1)]),
                              agent)
    svc.tickets.transition("acme", ticket.id, Status.PENDING_APPROVAL, agent)
    approve_as_reviewer(svc.tickets, "acme", ticket.id)
    svc.tickets.transition("acme", ticket.id, Status.AWAITING_RETURN, agent)
    svc.logistics.register("acme", tracking, Registration(
        direction="return", order_id="O-1", ticket_id=ticket.id, registered_at=svc.clock.now()))
    return ticket.id


def outbound(tracking: str, declaration: dict | None = None) -> None:
    from aftersales.logistics.ports import Registration

    svc = services_()
    svc.logistics.register("acme", tracking, Registration.model_validate(
        {"direction": "outbound", "order_id": "O-1", "registered_at": svc.clock.now(), "declaration": declaration}))


def test_bad_signature_is_401_and_nothing_is_stored(env):
    """GIVEN a real AfterShip body WHEN its signature is wrong THEN 401 and the logistics table stays empty."""
    body = aftership("evt-1", "RET-1", "InTransit", "InTransit_001")
    before = table_items(env["model"].tables["LogisticsTable"].name)
    reply = env["hooks"].post_carrier("aftership", "acme", body, {"aftership-hmac-sha256": "bm9wZQ=="})
    assert reply.status == 401 and reply.body["error"]["code"] == "signature_invalid"
    assert table_items(env["model"].tables["LogisticsTable"].name) == before


def test_malformed_body_is_400_with_the_reason(env):
    """GIVEN a correctly signed body that is not JSON / has no tracking number THEN 400 naming the reason."""
    for body, reason in ((b"{not json", "tracking.body_not_json"),
                         (b'{"msg": {}}', "tracking.payload_without_tracking_number")):
        reply = env["hooks"].post_carrier("aftership", "acme", body, signed(body))
        assert reply.status == 400, reply
        assert reply.body["error"]["reason_id"] == reason


def test_unknown_provider_is_404(env):
    reply = env["hooks"].post_carrier("dhl-made-up", "acme", b"{}", {})
    assert reply.status == 404


def test_return_parcel_moves_ticket_lines_and_status_and_duplicates_are_ignored(env):
    """GIVEN a return ticket awaiting its parcel WHEN the carrier reports in transit, then delivered
    (the delivery twice) THEN return_in_transit -> return_received, lines received, duplicate ignored."""
    ticket_id = return_ticket("RET-1")
    hooks = env["hooks"]
    body = aftership("evt-1", "RET-1", "InTransit", "InTransit_001", "2026-11-20T10:00:00+08:00")
    assert hooks.post_carrier("aftership", "acme", body, signed(body)).body["result"] == "accepted"
    ticket = services_().tickets.get("acme", ticket_id, _system())
    assert ticket.status.value == "return_in_transit" and ticket.lines[0].reception.value == "in_transit"

    delivered = aftership("evt-2", "RET-1", "Delivered", "Delivered_001", "2026-11-21T10:00:00+08:00")
    first = hooks.post_carrier("aftership", "acme", delivered, signed(delivered))
    again = hooks.post_carrier("aftership", "acme", delivered, signed(delivered))
    assert first.body["result"] == "accepted" and again.body["result"] == "duplicate"
    ticket = services_().tickets.get("acme", ticket_id, _system())
    assert ticket.status.value == "return_received"
    assert ticket.lines[0].reception.value == "received" and ticket.lines[0].quantity_received == 1
    audit = services_().tickets.audit("acme", ticket_id, _system())
    assert [e.to_status for e in audit].count("return_received") == 1  # acted once


def test_out_of_order_event_never_moves_the_parcel_backwards(env):
    """GIVEN a delivered parcel WHEN an older in-transit event arrives late THEN the status stays delivered."""
    hooks = env["hooks"]
    delivered = aftership("evt-d", "OUT-1", "Delivered", "Delivered_001", "2026-11-21T10:00:00+08:00")
    late = aftership("evt-t", "OUT-1", "InTransit", "InTransit_001", "2026-11-19T10:00:00+08:00")
    hooks.post_carrier("aftership", "acme", delivered, signed(delivered))
    reply = hooks.post_carrier("aftership", "acme", late, signed(late))
    assert reply.body["parcel_status"] == "delivered"
    assert services_().logistics.parcel("acme", "OUT-1").state.progress.value == "delivered"


def test_unknown_status_is_stored_and_surfaced(env):
    """GIVEN an AfterShip tag we do not know WHEN posted THEN 200, the raw value is kept, status unknown."""
    body = aftership("evt-u", "OUT-U", "Teleported", "Teleported_001")
    reply = env["hooks"].post_carrier("aftership", "acme", body, signed(body))
    assert reply.status == 200
    parcel = services_().logistics.parcel("acme", "OUT-U")
    assert parcel.state.status.value == "unknown"
    assert parcel.unknown_status["raw_status"] == "Teleported"


def test_refused_parcel_for_unknown_parcel_is_parked_then_opens_a_return_ticket_when_registered(env):
    """GIVEN a refusal (Exception_003) for a parcel nobody registered THEN it is parked (not lost);
    WHEN the storefront registers the outbound parcel THEN a return ticket opens by itself, with the
    outbound shipping deduction, and a second refusal event joins the same ticket."""
    hooks = env["hooks"]
    refused = aftership("evt-r", "OUT-2", "Exception", "Exception_003")
    assert hooks.post_carrier("aftership", "acme", refused, signed(refused)).body["result"] == "parked"

    outbound("OUT-2")
    tickets = services_().tickets.list("acme", _system(), customer_id="cust-1").items
    [ticket] = [t for t in tickets if t.reason_code == "parcel_refused"]
    ticket = services_().tickets.get("acme", ticket.id, _system())
    assert ticket.type.value == "return_refund" and ticket.lines[0].quantity_requested == 2
    conversation = services_().channels.conversations.of_ticket("acme", ticket.id, _system())
    assert conversation[0].data["shipping_deduction"] == {"amount": 1000, "currency": "CNY"}


def test_lost_and_customs_exceptions_open_claim_and_proactive_tickets(env):
    """GIVEN registered outbound parcels WHEN the carrier reports lost (Exception_013) and customs hold
    (Exception_004) THEN a claim ticket and a proactive ticket carrying the declaration open."""
    hooks = env["hooks"]
    outbound("OUT-L")
    outbound("OUT-C", {"hs_code": "691200", "origin_country": "CN",
                       "declared_value": {"amount": 1900, "currency": "USD"}})
    seed_order("acme", "O-1")
    lost = aftership("evt-l", "OUT-L", "Exception", "Exception_013")
    reply = hooks.post_carrier("aftership", "acme", lost, signed(lost))
    assert any("ticket" in a for a in reply.body["actions"]), reply
    customs = aftership("evt-c", "OUT-C", "Exception", "Exception_004")
    reply = hooks.post_carrier("aftership", "acme", customs, signed(customs))
    assert any("customs_hold" in a for a in reply.body["actions"]), reply
    tickets = services_().tickets.list("acme", _system(), customer_id="cust-1").items
    customs_ticket = next(t for t in tickets if t.reason_code == "customs_hold")
    assert "HS 691200" in customs_ticket.description and "origin CN" in customs_ticket.description
    assert any(t.reason_code == "parcel_lost" for t in tickets)


def test_sweep_expires_unscanned_return_labels_and_flags_stalled_parcels(env):
    """GIVEN a return label never scanned and an outbound parcel silent for a week WHEN the timer runs
    15 days later THEN the return is cancelled with its lines expired and a delay alert goes out."""
    from aftersales.core.clock import FixedClock

    ticket_id = return_ticket("RET-X")
    outbound("OUT-S")
    from aftersales import wiring

    clock = FixedClock(datetime.now(UTC) + timedelta(days=15))
    wiring.override(wiring.Container(clock=clock))  # the timer's container, 15 days on
    svc = services_()
    counts = env["hooks"].sweep.lambda_handler({}, None.__class__ and _ctx())
    assert counts["expired"] == 1 and counts["delayed"] == 1
    ticket = svc.tickets.get("acme", ticket_id, _system())
    assert ticket.status.value == "cancelled" and ticket.lines[0].reception.value == "expired"
    assert svc.logistics.sweep()["due"] == 0  # re-watched in the future: no repeat work


def _ctx():
    from tests.support.lambdas import FakeContext

    return FakeContext("sweep")


def _system():
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role

    return Actor(id="test", roles=frozenset({Role.SYSTEM}))
