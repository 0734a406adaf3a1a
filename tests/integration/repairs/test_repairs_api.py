"""Repairs through the authorizer and the API function under moto: staff register two providers and
issue each its key; a repair ticket of the demo kettle is offered to the first, declined, offered to
the second, accepted, booked, checked in with a photo, diagnosed, a heating element recorded with
its serial, repaired, confirmed with the customer's code and closed; the serial lookup finds the
customer. A provider's key reads and moves only the jobs offered to its provider: another
provider's job is 404, and tickets, orders and merchant routes are 403."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from aftersales import wiring
from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.tickets.domain import OpenTicket
from aftersales.tickets.model import Channel, TicketType
from tests.support.repairs import KETTLE_LINES
from tests.support.ticket_factories import CUSTOMER, SYSTEM, order
from tests.support.tickets import walk


@pytest.fixture
def rig(aws, request):
    published = RecordingPublisher()
    wiring.override(wiring.Container(events=published))
    creds = request.getfixturevalue("demo")
    api = request.getfixturevalue("api")
    svc = wiring.services()
    svc.tickets.upsert_order("acme", order(lines=KETTLE_LINES, payment={
        "provider": "sandbox", "reference": "ch_1", "captured": {"amount": 29000, "currency": "CNY"}}))
    admin = creds["acme"]["admin"]

    def call(method, path, body=None, who=admin, **kw):
        return api.request(method, path, body, headers=who, **kw)

    providers = {}
    for name, rules in (("first", {"regions": ["CN"]}), ("second", {"brands": ["brewco"]}),
                        ("bystander", {"regions": ["JP"]})):
        made = call("POST", "/repairs/providers", {"name": name.title(), **rules})
        assert made.status == 201, made.body
        key = call("POST", f"/repairs/providers/{made.body['provider_id']}/api-keys", {"name": f"{name} app"})
        assert key.status == 201, key.body
        providers[name] = {"id": made.body["provider_id"], "key": {"X-Api-Key": key.body["api_key"]}}
    part = call("PUT", "/repairs/parts/HE-220", {"name": "Heating element", "compatible_skus": ["KETTLE-1"],
                                                   "unit_cost": {"amount": 4500, "currency": "CNY"}})
    assert part.status == 200, part.body
    opened = svc.tickets.open("acme", OpenTicket(type=TicketType.REPAIR, order_id="O-1", channel=Channel.APP,
                                                 reason_code="defective", lines=[{"line_id": "L1", "quantity": 1}]),
                              CUSTOMER)
    walk(svc.tickets, "acme", opened.id, "pending_approval", "approved", "repair_dispatched")
    return {"call": call, "creds": creds["acme"], "other": creds["other"], "providers": providers,
            "ticket_id": opened.id, "events": published, "svc": svc}


def window(rig, hours: int) -> dict:
    now = rig["svc"].clock.now()
    return {"start": (now + timedelta(hours=hours)).isoformat(), "end": (now + timedelta(hours=hours + 2)).isoformat()}


def offered_to_second(rig) -> tuple[str, str]:
    call, first, second = rig["call"], rig["providers"]["first"], rig["providers"]["second"]
    dispatched = call("POST", "/repairs/dispatches", {"ticket_id": rig["ticket_id"]})
    assert dispatched.status == 200, dispatched.body
    first_job = dispatched.body["job"]["job_id"]
    assert dispatched.body["job"]["provider_id"] == first["id"]
    mine = call("GET", "/repairs/jobs", who=first["key"])
    assert [j["job_id"] for j in mine.body["items"]] == [first_job] and "customer_id" not in mine.body["items"][0]
    declined = call("POST", f"/repairs/jobs/{first_job}/decline", {"reason": "no technician free"}, who=first["key"])
    assert declined.status == 200 and declined.body["offered_to_next"] is True, declined.body
    [second_job] = [j["job_id"] for j in call("GET", "/repairs/jobs", who=second["key"]).body["items"]]
    return first_job, second_job


def test_the_kettle_is_repaired_by_the_second_provider_and_the_serial_finds_the_customer(rig, visit_photos):
    call, second = rig["call"], rig["providers"]["second"]
    _, job_id = offered_to_second(rig)
    key = second["key"]
    steps = [("accept", None), ("appointment", {"window": window(rig, 24)}),
             ("on-the-way", {"eta": window(rig, 24)["start"]}),
             ("check-in", lambda: {"media_ids": [visit_photos.api(call, job_id, key)],
                                   "location": {"latitude": 31.23, "longitude": 121.47}}),
             ("diagnosis", {"fault_code": "E-HEAT", "coverage": "warranty",
                            "labour": {"amount": 8000, "currency": "CNY"},
                            "parts_estimate": {"amount": 4500, "currency": "CNY"}}),
             ("parts", {"part_number": "HE-220", "serial": "HE-2026-000123", "batch": "B-17",
                        "removed_serial": "HE-2024-777"}),
             ("repaired", {})]
    for step, body in steps:
        moved = call("POST", f"/repairs/jobs/{job_id}/{step}", body() if callable(body) else body, who=key)
        assert moved.status == 200, (step, moved.body)
    code = next(d["code"] for name, d in rig["events"].events if name == "repair.confirmation_code_issued")
    assert call("POST", f"/repairs/jobs/{job_id}/confirmation", {"code": "000000" if code != "000000" else "111111"},
                who=rig["creds"]["cust-1"]).status == 403
    confirmed = call("POST", f"/repairs/jobs/{job_id}/confirmation", {"code": code}, who=rig["creds"]["cust-1"])
    assert confirmed.status == 200 and confirmed.body["status"] == "confirmed", confirmed.body
    closed = call("POST", f"/repairs/jobs/{job_id}/close", who=key)
    assert closed.status == 200 and closed.body["costs"]["total"] == {"amount": 12500, "currency": "CNY"}

    ticket = call("GET", f"/tickets/{rig['ticket_id']}", who=rig["creds"]["agent"])
    assert ticket.body["status"] == "closed"
    found = call("GET", "/repairs/serials/HE-2026-000123", who=rig["creds"]["agent"])
    assert [(t["customer_id"], t["ticket_id"]) for t in found.body["items"]] == [("cust-1", rig["ticket_id"])]
    batch = call("GET", "/repairs/batches/B-17", who=rig["creds"]["agent"])
    assert [t["customer_id"] for t in batch.body["items"]] == ["cust-1"]
    view = call("GET", f"/repairs/jobs/{job_id}", who=rig["creds"]["supervisor"])
    assert [e["event"] for e in view.body["entries"]][-1] == "repair.closed"


def test_a_providers_key_reads_and_moves_only_its_own_jobs(rig):
    call, providers = rig["call"], rig["providers"]
    first_job, second_job = offered_to_second(rig)
    first, bystander = providers["first"]["key"], providers["bystander"]["key"]

    assert call("GET", f"/repairs/jobs/{first_job}", who=first).status == 200  # its own declined job
    for who in (first, bystander):
        assert call("GET", f"/repairs/jobs/{second_job}", who=who).status == 404
        assert call("POST", f"/repairs/jobs/{second_job}/accept", who=who).status == 404
        assert call("POST", f"/repairs/jobs/{second_job}/on-the-way", {}, who=who).status == 404
    listed = {name: [j["job_id"] for j in call("GET", "/repairs/jobs", who=who, query={"state": "all"}).body["items"]]
              for name, who in (("first", first), ("bystander", bystander))}
    assert listed == {"first": [first_job], "bystander": []}
    assert call("GET", "/repairs/jobs", who=first, query={"provider_id": providers["second"]["id"],
                                                         "state": "all"}).body["items"] == [
        call("GET", "/repairs/jobs", who=first, query={"state": "all"}).body["items"][0]]  # its own, whatever it names
    # never a ticket, an order or the merchant's other data
    for method, path in (("GET", f"/tickets/{rig['ticket_id']}"), ("GET", "/tickets"), ("GET", "/orders/O-1"),
                         ("GET", f"/tickets/{rig['ticket_id']}/repair-jobs"),
                         ("GET", "/repairs/serials/HE-2026-000123"), ("GET", "/repairs/providers"),
                         ("GET", f"/tickets/{rig['ticket_id']}/audit"), ("GET", "/reviews")):
        answer = call(method, path, who=first, query={"status": "published"} if path == "/reviews" else None)
        assert answer.status == 403, (path, answer.status, answer.body)
    assert call("POST", "/repairs/dispatches", {"ticket_id": rig["ticket_id"]}, who=first).status == 403
    assert call("POST", f"/tickets/{rig['ticket_id']}/transitions", {"to": "repaired"}, who=first).status in (403, 422)


def test_other_customers_tenants_and_the_generic_key_endpoint_see_nothing(rig):
    call = rig["call"]
    _, job_id = offered_to_second(rig)
    assert call("GET", f"/repairs/jobs/{job_id}", who=rig["creds"]["cust-2"]).status == 404
    assert call("GET", f"/repairs/jobs/{job_id}", who=rig["creds"]["cust-1"]).status == 200
    assert call("GET", f"/repairs/jobs/{job_id}", who=rig["other"]["admin"]).status == 404
    refused = call("POST", "/api-keys", {"name": "sneaky", "scopes": ["repair_provider"]})
    assert refused.status == 422 and refused.body["error"]["fields"][0]["path"] == "scopes", refused.body
    assert call("POST", f"/repairs/jobs/{job_id}/accept", who=rig["creds"]["cust-1"]).status == 403


def test_bad_input_is_a_422_with_the_field(rig):
    call, second = rig["call"], rig["providers"]["second"]
    _, job_id = offered_to_second(rig)
    call("POST", f"/repairs/jobs/{job_id}/accept", who=second["key"])
    backwards = {"window": {"start": window(rig, 24)["end"], "end": window(rig, 24)["start"]}}
    answer = call("POST", f"/repairs/jobs/{job_id}/appointment", backwards, who=second["key"])
    assert answer.status == 422 and answer.body["error"]["fields"][0]["path"] == "window.end", answer.body
    call("POST", f"/repairs/jobs/{job_id}/appointment", {"window": window(rig, 24)}, who=second["key"])
    past = call("POST", f"/repairs/jobs/{job_id}/on-the-way", {"eta": window(rig, -3)["start"]}, who=second["key"])
    assert past.status == 422 and past.body["error"]["fields"][0]["path"] == "eta", past.body
    naive = call("POST", f"/repairs/jobs/{job_id}/on-the-way", {"eta": "2026-12-03T10:00:00"}, who=second["key"])
    assert naive.status == 422, naive.body
    skipped = call("POST", f"/repairs/jobs/{job_id}/repaired", {}, who=second["key"])
    assert skipped.status == 409, skipped.body
    bad = call("POST", "/repairs/providers", {"name": "X", "regions": ["china"]})
    assert bad.status == 422, bad.body
    assert rig["svc"].tickets.get("acme", rig["ticket_id"], SYSTEM).status.value == "repair_dispatched"


def test_visiting_hours_hold_the_booking_and_bad_hours_are_422(rig):
    call, second = rig["call"], rig["providers"]["second"]
    _, job_id = offered_to_second(rig)
    bad = call("PATCH", f"/repairs/providers/{second['id']}", {"availability": {
        "timezone": "Asia/Shanghai", "weekly_hours": {"mon": [{"start": "18:00", "end": "09:00"}]}}})
    assert bad.status == 422 and bad.body["error"]["fields"][0]["path"].startswith("availability"), bad.body
    unknown = call("PATCH", f"/repairs/providers/{second['id']}", {"availability": {
        "timezone": "Mars/Olympus", "weekly_hours": {"mon": [{"start": "09:00", "end": "18:00"}]}}})
    assert unknown.status == 422 and unknown.body["error"]["fields"][0]["path"].startswith("availability"), unknown.body
    every_day = {d: [{"start": "09:00", "end": "10:00"}] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    hours = call("PATCH", f"/repairs/providers/{second['id']}", {"availability": {
        "timezone": "UTC", "weekly_hours": every_day}})
    assert hours.status == 200 and hours.body["availability"]["timezone"] == "UTC", hours.body
    call("POST", f"/repairs/jobs/{job_id}/accept", who=second["key"])
    start = (rig["svc"].clock.now() + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    late = {"window": {"start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()}}
    refused = call("POST", f"/repairs/jobs/{job_id}/appointment", late, who=second["key"])
    assert refused.status == 422 and refused.body["error"]["fields"][0]["path"] == "window.start", refused.body
    nine = start.replace(hour=9)
    fits = {"window": {"start": nine.isoformat(), "end": (nine + timedelta(minutes=45)).isoformat()}}
    assert call("POST", f"/repairs/jobs/{job_id}/appointment", fits, who=second["key"]).status == 200


def _due(rig) -> dict:
    """The ticket's clocks as staff read them: (metric, cycle) -> due time."""
    body = rig["call"]("GET", f"/tickets/{rig['ticket_id']}/deadlines", who=rig["creds"]["agent"]).body
    return {(d["metric"], d["cycle"]): _times({"due": d["due_at"]})["due"] for d in body["deadlines"]}


def _times(deadlines: dict) -> dict:
    return {name: datetime.fromisoformat(at) if at else None for name, at in deadlines.items()}


def test_a_provider_sees_its_own_accept_first_visit_and_fix_by_times_and_no_other_clock(rig):
    """GIVEN the ticket offered to the first provider, declined, offered to the second, and the SLA
    engine's clocks recomputed WHEN each provider reads its job THEN the second sees the second offer's
    accept-by and the ticket's fix-by, then its first-visit-by once it accepts; the first (declined)
    sees none of them; staff and the customer get no such field; only the three due times."""
    call, svc, ticket_id = rig["call"], rig["svc"], rig["ticket_id"]
    first, second = rig["providers"]["first"], rig["providers"]["second"]
    first_job, job_id = offered_to_second(rig)
    svc.sla.track("acme", ticket_id)
    due = _due(rig)
    seen = _times(call("GET", f"/repairs/jobs/{job_id}", who=second["key"]).body["deadlines"])
    assert seen == {"accept_by": due[("repair_accept", 1)], "first_visit_by": None,
                    "fix_by": due[("repair_returned_by_provider", 0)]}
    assert seen["accept_by"] and seen["fix_by"]
    assert due[("repair_accept", 0)] is None  # answered: a met clock has no due time left
    assert call("GET", f"/repairs/jobs/{first_job}", who=first["key"]).body["deadlines"] == {
        "accept_by": None, "first_visit_by": None, "fix_by": None}  # never the second offer's, nor the fix-by
    assert call("POST", f"/repairs/jobs/{job_id}/accept", who=second["key"]).status == 200
    svc.sla.track("acme", ticket_id)
    due = _due(rig)
    [listed] = call("GET", "/repairs/jobs", who=second["key"]).body["items"]
    assert _times(listed["deadlines"])["first_visit_by"] == due[("repair_first_visit", 0)] is not None
    assert set(listed["deadlines"]) == {"accept_by", "first_visit_by", "fix_by"}
    assert "deadlines" not in call("GET", f"/repairs/jobs/{job_id}", who=rig["creds"]["agent"]).body
    assert "deadlines" not in call("GET", f"/repairs/jobs/{job_id}", who=rig["creds"]["cust-1"]).body
