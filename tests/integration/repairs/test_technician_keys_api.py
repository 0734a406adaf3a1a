"""Technicians' own keys through the authorizer and the API function under moto.

GIVEN a provider with two technicians (Li, Wu) and a bystander provider with a technician of the
same id as Li, WHEN the merchant's admin issues Li's key and the provider's own key issues Wu's
THEN Li's key reads and moves (check-in, diagnosis, parts, repaired) only the job booked for Li,
Wu's key finds it 404 like the bystander's keys, neither names another technician nor takes the
provider's decisions (403), tickets and merchant routes are 403, and a revoked key is 401 at once.
Nobody else issues or revokes a technician's key."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales import wiring
from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.tickets.domain import OpenTicket
from aftersales.tickets.model import Channel, TicketType
from tests.support.repairs import KETTLE_LINES
from tests.support.ticket_factories import CUSTOMER, order
from tests.support.tickets import walk


@pytest.fixture
def rig(aws, request):
    wiring.override(wiring.Container(events=RecordingPublisher()))
    creds = request.getfixturevalue("demo")["acme"]
    api = request.getfixturevalue("api")
    svc = wiring.services()
    svc.tickets.upsert_order("acme", order(lines=KETTLE_LINES, payment={
        "provider": "sandbox", "reference": "ch_1", "captured": {"amount": 29000, "currency": "CNY"}}))

    def call(method, path, body=None, who=creds["admin"], **kw):
        return api.request(method, path, body, headers=who, **kw)

    providers = {}
    for name, rules in (("fixers", {"regions": ["CN"]}), ("bystander", {"regions": ["JP"]})):
        made = call("POST", "/repairs/providers", {"name": name, **rules})
        assert made.status == 201, made.body
        key = call("POST", f"/repairs/providers/{made.body['provider_id']}/api-keys", {"name": name})
        providers[name] = {"id": made.body["provider_id"], "key": {"X-Api-Key": key.body["api_key"]}}
        for technician_id in ("tech-li", "tech-wu"):
            put = call("PUT", f"/repairs/providers/{made.body['provider_id']}/technicians/{technician_id}",
                       {"name": technician_id})
            assert put.status == 200, put.body
    assert call("PUT", "/repairs/parts/HE-220", {"name": "Heating element", "compatible_skus": ["KETTLE-1"],
                                                  "unit_cost": {"amount": 4500, "currency": "CNY"}}).status == 200
    opened = svc.tickets.open("acme", OpenTicket(type=TicketType.REPAIR, order_id="O-1", channel=Channel.APP,
                                                 reason_code="defective", lines=[{"line_id": "L1", "quantity": 1}]),
                              CUSTOMER)
    walk(svc.tickets, "acme", opened.id, "pending_approval", "approved", "repair_dispatched")
    return {"call": call, "creds": creds, "providers": providers, "ticket_id": opened.id, "svc": svc}


def technician_key(rig, provider: str, technician_id: str, who=None) -> dict:
    path = f"/repairs/providers/{rig['providers'][provider]['id']}/technicians/{technician_id}/api-keys"
    issued = rig["call"]("POST", path, {"name": f"{technician_id}'s phone"}, **({"who": who} if who else {}))
    assert issued.status == 201, issued.body
    assert issued.headers.get("cache-control") == "no-store"
    assert issued.body["technician_id"] == technician_id
    return {"X-Api-Key": issued.body["api_key"], "key_id": issued.body["key_id"]}


def header(key: dict) -> dict:
    return {"X-Api-Key": key["X-Api-Key"]}


def booked_for_li(rig) -> str:
    call, fixers = rig["call"], rig["providers"]["fixers"]
    job = call("POST", "/repairs/dispatches", {"ticket_id": rig["ticket_id"]}).body["job"]
    assert job["provider_id"] == fixers["id"] and job["technician_id"] is None
    assert call("POST", f"/repairs/jobs/{job['job_id']}/accept", who=fixers["key"]).status == 200
    now = rig["svc"].clock.now()
    booked = call("POST", f"/repairs/jobs/{job['job_id']}/appointment", {
        "window": {"start": (now + timedelta(hours=24)).isoformat(), "end": (now + timedelta(hours=26)).isoformat()},
        "technician_id": "tech-li"}, who=fixers["key"])
    assert booked.status == 200 and booked.body["technician_id"] == "tech-li", booked.body
    return job["job_id"]


def test_a_technicians_key_does_the_field_steps_of_its_own_job_only(rig, visit_photos):
    call, fixers = rig["call"], rig["providers"]["fixers"]
    li = header(technician_key(rig, "fixers", "tech-li"))
    wu = header(technician_key(rig, "fixers", "tech-wu", who=fixers["key"]))
    same_id_elsewhere = header(technician_key(rig, "bystander", "tech-li"))
    job_id = booked_for_li(rig)

    assert [j["job_id"] for j in call("GET", "/repairs/jobs", who=li).body["items"]] == [job_id]
    for stranger in (wu, same_id_elsewhere, rig["providers"]["bystander"]["key"]):
        assert call("GET", "/repairs/jobs", who=stranger).body["items"] == []
        assert call("GET", f"/repairs/jobs/{job_id}", who=stranger).status == 404
        assert call("POST", f"/repairs/jobs/{job_id}/check-in", {}, who=stranger).status == 404
    view = call("GET", f"/repairs/jobs/{job_id}", who=li)
    assert view.status == 200 and "customer_id" not in view.body and "entries" not in view.body
    assert set(view.body["deadlines"]) == {"accept_by", "first_visit_by", "fix_by"}  # its job's due times
    assert view.body["deadlines"] == call("GET", f"/repairs/jobs/{job_id}", who=fixers["key"]).body["deadlines"]

    refused = call("POST", f"/repairs/jobs/{job_id}/check-in", {"technician_id": "tech-wu"}, who=li)
    assert refused.status == 403 and refused.body["error"]["fields"][0]["path"] == "technician_id", refused.body
    assert call("POST", f"/repairs/jobs/{job_id}/appointment/reschedule", {
        "window": view.body["appointment"]["window"], "reason": "late"}, who=li).status == 403
    assert call("GET", f"/repairs/jobs/{job_id}", who=fixers["key"]).body["version"] == view.body["version"]

    steps = [("check-in", {"media_ids": [visit_photos.api(call, job_id, li)]}),  # granted to Li's key
             ("diagnosis", {"fault_code": "E-HEAT", "coverage": "warranty",
                            "labour": {"amount": 8000, "currency": "CNY"},
                            "parts_estimate": {"amount": 4500, "currency": "CNY"}}),
             ("parts", {"part_number": "HE-220", "serial": "SN-1"}), ("repaired", {})]
    for step, body in steps:
        moved = call("POST", f"/repairs/jobs/{job_id}/{step}", body, who=li)
        assert moved.status == 200, (step, moved.body)
    entries = call("GET", f"/repairs/jobs/{job_id}").body["entries"]
    assert [e["actor_role"] for e in entries[-4:]] == ["technician"] * 4

    assert call("GET", "/repairs/parts", who=li).status == 200
    for method, path in (("GET", "/tickets"), ("GET", f"/tickets/{rig['ticket_id']}"),
                         ("GET", f"/tickets/{rig['ticket_id']}/repair-jobs"), ("GET", "/repairs/providers"),
                         ("GET", "/repairs/serials/SN-1"), ("POST", "/repairs/dispatches")):
        assert call(method, path, {"ticket_id": rig["ticket_id"]} if method == "POST" else None,
                    who=li).status == 403, path
    assert call("POST", f"/repairs/providers/{fixers['id']}/api-keys", {"name": "mine"}, who=li).status == 403


def test_only_the_merchants_admins_and_the_providers_own_key_issue_and_revoke_technicians_keys(rig):
    call, fixers, bystander = rig["call"], rig["providers"]["fixers"], rig["providers"]["bystander"]
    path = f"/repairs/providers/{fixers['id']}/technicians/tech-li/api-keys"
    li = technician_key(rig, "fixers", "tech-li")
    for who, status in ((bystander["key"], 404), (header(li), 403), (rig["creds"]["agent"], 403),
                        (rig["creds"]["supervisor"], 403), (rig["creds"]["cust-1"], 403)):
        assert call("POST", path, {"name": "sneaky"}, who=who).status == status, who
    assert call("POST", f"/repairs/providers/{fixers['id']}/technicians/tech-nobody/api-keys",
                {"name": "x"}).status == 404
    assert call("POST", "/api-keys", {"name": "sneaky", "scopes": ["repair_technician"]}).status == 422

    revoke = f"{path}/{li['key_id']}/revocation"
    assert call("POST", revoke, who=bystander["key"]).status == 404
    assert call("POST", f"/repairs/providers/{fixers['id']}/technicians/tech-wu/api-keys/{li['key_id']}/revocation",
                who=fixers["key"]).status == 404
    assert call("GET", "/repairs/jobs", who=header(li)).status == 200

    revoked = call("POST", revoke, who=fixers["key"])

    assert revoked.status == 200 and revoked.body["status"] == "revoked", revoked.body
    assert call("GET", "/repairs/jobs", who=header(li)).status == 401
    wu = technician_key(rig, "fixers", "tech-wu", who=fixers["key"])
    assert call("POST", f"/api-keys/{wu['key_id']}/revocation").status == 200  # the tenant's own key admin too
    assert call("GET", "/repairs/jobs", who=header(wu)).status == 401
