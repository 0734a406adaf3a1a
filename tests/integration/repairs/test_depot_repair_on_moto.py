"""A depot repair through the API function, the carrier webhook function and the stores under moto:
the customer records the ship-in parcel of their kettle (registered on the logistics context as
`repair_in`, linked to the job and the ticket), AfterShip's real webhook (re-pointed at the number)
reports it delivered and the job is at the depot with the ticket in repair; the provider repairs,
sends a removed control board back to the merchant (`part_return`) and ships the kettle back
(`repair_out`); the delivered scan lets the customer confirm with the code and the ticket closes."""

from __future__ import annotations

import json

import pytest

from aftersales import wiring
from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.core.errors import NotFound
from aftersales.logistics.verification import aftership_signature
from aftersales.tickets.domain import OpenTicket
from aftersales.tickets.model import Channel, TicketType
from tests.support.channels import SECRET, Webhooks, configure, extra_resources
from tests.support.fixture_files import load
from tests.support.repairs import KETTLE_LINES
from tests.support.ticket_factories import CUSTOMER, SYSTEM, order
from tests.support.tickets import walk

CNY = "CNY"


@pytest.fixture
def rig(aws, request):
    extra_resources(aws)
    published = RecordingPublisher()
    wiring.override(wiring.Container(events=published))
    configure("acme")
    creds, api = request.getfixturevalue("demo"), request.getfixturevalue("api")
    svc = wiring.services()
    svc.tickets.upsert_order("acme", order(lines=KETTLE_LINES, payment={
        "provider": "sandbox", "reference": "ch_1", "captured": {"amount": 29000, "currency": CNY}}))
    admin = creds["acme"]["admin"]

    def call(method, path, body=None, who=admin, **kw):
        return api.request(method, path, body, headers=who, **kw)

    made = call("POST", "/repairs/providers", {"name": "Depot CN", "regions": ["CN"]})
    key = call("POST", f"/repairs/providers/{made.body['provider_id']}/api-keys", {"name": "depot app"})
    for number, name, back in (("HE-220", "Heating element", False), ("PCB-1", "Control board", True)):
        part = call("PUT", f"/repairs/parts/{number}", {"name": name, "compatible_skus": ["KETTLE-1"],
                                                         "unit_cost": {"amount": 4500, "currency": CNY},
                                                         "return_removed": back})
        assert part.status == 200 and part.body["return_removed"] is back, part.body
    opened = svc.tickets.open("acme", OpenTicket(type=TicketType.REPAIR, order_id="O-1", channel=Channel.APP,
                                                 reason_code="defective", lines=[{"line_id": "L1", "quantity": 1}]),
                              CUSTOMER)
    walk(svc.tickets, "acme", opened.id, "pending_approval", "approved", "repair_dispatched")
    job = call("POST", "/repairs/dispatches", {"ticket_id": opened.id}).body["job"]
    provider = {"X-Api-Key": key.body["api_key"]}
    assert call("POST", f"/repairs/jobs/{job['job_id']}/accept", who=provider).status == 200
    return {"call": call, "creds": creds["acme"], "provider": provider, "ticket_id": opened.id,
            "job_id": job["job_id"], "events": published, "svc": svc, "hooks": Webhooks()}


def carrier(rig, event_id: str, number: str, tag: str, subtag: str):
    """AfterShip's recorded tracking webhook, re-pointed at `number`, signed and posted to the function."""
    body = load("aftership/aftership_tracking_webhook_sample.json")
    body["event_id"] = event_id
    body["msg"].update(tracking_number=number, tag=tag, subtag=subtag)
    body["msg"]["checkpoints"][0].update(checkpoint_time="2026-12-02T10:00:00+08:00", tag=tag, subtag=subtag)
    raw = json.dumps(body).encode()
    headers = {"aftership-hmac-sha256": aftership_signature(SECRET, raw), "Content-Type": "application/json"}
    return rig["hooks"].post_carrier("aftership", "acme", raw, headers)


def job(rig) -> dict:
    return rig["call"]("GET", f"/repairs/jobs/{rig['job_id']}").body


def test_a_depot_repair_travels_in_and_back_on_carrier_scans_and_closes(rig):
    call, job_id, provider, customer = rig["call"], rig["job_id"], rig["provider"], rig["creds"]["cust-1"]
    ticket_status = lambda: rig["svc"].tickets.get("acme", rig["ticket_id"], SYSTEM).status.value  # noqa: E731

    shipped = call("POST", f"/repairs/jobs/{job_id}/ship-in", {"carrier": "sf-express", "tracking_number": "SFIN1"},
                   who=customer)
    assert shipped.status == 200 and (shipped.body["status"], shipped.body["mode"]) == \
        ("in_transit_to_depot", "depot"), shipped.body
    registration = rig["svc"].logistics.parcel("acme", "SFIN1").registration
    assert (registration.direction, registration.repair_job_id, registration.ticket_id) == \
        ("repair_in", job_id, rig["ticket_id"])

    assert carrier(rig, "evt-in-1", "SFIN1", "InTransit", "InTransit_001").body["actions"] == []
    delivered = carrier(rig, "evt-in-2", "SFIN1", "Delivered", "Delivered_001")
    assert delivered.body["actions"] == [f"repair job {job_id} -> repair.received_at_depot"], delivered.body
    assert job(rig)["status"] == "at_depot" and ticket_status() == "repair_in_progress"

    for step, body in (("diagnosis", {"fault_code": "E-PCB", "coverage": "warranty",
                                      "labour": {"amount": 8000, "currency": CNY},
                                      "parts_estimate": {"amount": 4500, "currency": CNY}}),
                       ("parts", {"part_number": "PCB-1", "serial": "PCB-NEW-1", "removed_serial": "PCB-BAD-1"}),
                       ("repaired", {})):
        moved = call("POST", f"/repairs/jobs/{job_id}/{step}", body, who=provider)
        assert moved.status == 200, (step, moved.body)
    code = next(d["code"] for name, d in rig["events"].events if name == "repair.confirmation_code_issued")
    early = call("POST", f"/repairs/jobs/{job_id}/confirmation", {"code": code}, who=customer)
    assert early.status == 409, early.body  # the kettle is still at the depot

    part_return = call("POST", f"/repairs/jobs/{job_id}/part-returns",
                       {"carrier": "sf-express", "tracking_number": "SFPART1", "removed_serial": "PCB-BAD-1"},
                       who=provider)
    assert part_return.status == 200, part_return.body
    assert rig["svc"].logistics.parcel("acme", "SFPART1").registration.direction == "part_return"
    back = call("POST", f"/repairs/jobs/{job_id}/ship-back", {"carrier": "sf-express", "tracking_number": "SFOUT1"},
                who=provider)
    assert back.status == 200 and back.body["status"] == "shipped_back", back.body

    carrier(rig, "evt-part-1", "SFPART1", "Delivered", "Delivered_001")
    carrier(rig, "evt-out-1", "SFOUT1", "Delivered", "Delivered_001")
    seen = job(rig)
    assert seen["status"] == "delivered_back"
    assert {p["tracking_number"]: (p["direction"], p["delivered_at"] is not None) for p in seen["parcels"]} == {
        "SFIN1": ("repair_in", True), "SFPART1": ("part_return", True), "SFOUT1": ("repair_out", True)}

    confirmed = call("POST", f"/repairs/jobs/{job_id}/confirmation", {"code": code}, who=customer)
    assert confirmed.status == 200 and ticket_status() == "returned_to_customer", confirmed.body
    assert call("POST", f"/repairs/jobs/{job_id}/close", who=provider).status == 200
    assert ticket_status() == "closed"


def test_the_wrong_party_and_bad_input_are_4xx_and_store_nothing(rig):
    call, job_id, provider, customer = rig["call"], rig["job_id"], rig["provider"], rig["creds"]["cust-1"]
    parcel = {"carrier": "sf-express", "tracking_number": "SFIN9"}

    assert call("POST", f"/repairs/jobs/{job_id}/ship-in", parcel, who=provider).status == 403
    assert call("POST", f"/repairs/jobs/{job_id}/ship-back", parcel, who=provider).status == 409  # on-site so far
    bad = call("POST", f"/repairs/jobs/{job_id}/ship-in", {"carrier": "sf", "tracking_number": "no spaces"},
               who=customer)
    assert bad.status == 422 and "tracking_number" in json.dumps(bad.body), bad.body
    other = call("POST", f"/repairs/jobs/{job_id}/ship-in", parcel, who=rig["creds"]["cust-2"])
    assert other.status == 404, other.body
    assert job(rig)["status"] == "accepted" and job(rig)["parcels"] == []
    with pytest.raises(NotFound):
        rig["svc"].logistics.parcel("acme", "SFIN9")
