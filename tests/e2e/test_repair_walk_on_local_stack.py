"""The repair walk on the local stack (the real template: ticket stream -> bus -> SQS -> the money
path dispatches the approved repair -> bus -> SQS -> the repair dispatch function offers the job).

GIVEN two providers staff registered for the demo tenant (each with its own key) WHEN a customer's
kettle repair is approved THEN the first provider is offered the job and declines, the second
accepts (its key then sees the job's fix-by from the SLA engine's clocks), books the visit for its
technician Li, sets off, Li checks in with a photo on Li's own key (the key of Wu, another
technician of the provider, finds the job 404), the provider diagnoses a paid fault and the customer
approves the quote, the provider records the heating element it fitted with its serial, the
customer confirms with their code, the ticket closes, finance records the payment of the repair
charge once (an agent may not) and the serial lookup finds the customer; the first provider's key
reads neither the second's job nor the ticket; the SLA tracker kept the job's clocks on the ticket
(two offers answered, the first visit made)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.local_stack import demo_auth, eventually
from tests.support.media_files import image_bytes
from tests.support.stack_media import visit_photo
from tests.support.stack_repairs import call as _call
from tests.support.stack_repairs import code_listener, dispatched_repair, offered_job, providers

pytestmark = pytest.mark.e2e


def _technician_keys(stack, suffix: str, job_id: str, provider_key: dict) -> tuple[dict, dict]:
    """Two technicians of the job's provider with keys of their own: Li's issued by the merchant's
    admin, Wu's by the provider's own key."""
    admin = demo_auth(stack, "admin token")
    provider_id = _call(stack, "GET", f"/repairs/jobs/{job_id}", provider_key).json()["provider_id"]
    keys = []
    for technician_id, issuer in ((f"tech-li-{suffix}", admin), (f"tech-wu-{suffix}", provider_key)):
        path = f"/repairs/providers/{provider_id}/technicians/{technician_id}"
        _call(stack, "PUT", path, admin, {"name": technician_id})
        issued = _call(stack, "POST", f"{path}/api-keys", issuer, {"name": "phone"}, 201).json()
        keys.append({"X-Api-Key": issued["api_key"]})
    return keys[0], keys[1]


def test_a_kettle_repair_declined_accepted_repaired_confirmed_and_traced(local_stack):
    stack, suffix = local_stack, uuid.uuid4().hex[:8]
    code_for = code_listener(stack, suffix)
    agent, storefront = demo_auth(stack, "agent token"), demo_auth(stack, "storefront API key")
    keys = providers(stack, suffix, "first", "second")
    ticket_id, customer_id = dispatched_repair(stack, suffix)
    first_job = offered_job(stack, keys["first"])
    _call(stack, "POST", f"/repairs/jobs/{first_job}/decline", keys["first"], {"reason": "no technician free"})
    job_id = _call(stack, "GET", "/repairs/jobs", keys["second"]).json()["items"][0]["job_id"]

    second = keys["second"]
    li, wu = _technician_keys(stack, suffix, job_id, second)
    start = datetime.now(UTC) + timedelta(days=1)
    _call(stack, "POST", f"/repairs/jobs/{job_id}/accept", second)
    # the provider sees its own deadlines from the SLA engine's clocks (kept by the tracker off the ticket's stream)
    deadlines = eventually(lambda: _call(stack, "GET", f"/repairs/jobs/{job_id}", second).json()["deadlines"],
                           timeout=30, interval=0.5)
    assert set(deadlines) == {"accept_by", "first_visit_by", "fix_by"}
    eventually(lambda: _call(stack, "GET", f"/repairs/jobs/{job_id}", second).json()["deadlines"]["fix_by"],
               timeout=30, interval=0.5)
    _call(stack, "POST", f"/repairs/jobs/{job_id}/appointment", second,
          {"window": {"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()},
           "technician_id": f"tech-li-{suffix}"})
    _call(stack, "POST", f"/repairs/jobs/{job_id}/on-the-way", second, {"eta": start.isoformat()})
    # the booked technician checks in with their own key; the other technician's key finds no such job
    _call(stack, "GET", f"/repairs/jobs/{job_id}", wu, expect=404)
    photo = visit_photo(stack, job_id, li, agent, image_bytes("JPEG", (640, 480)))  # granted through the job
    _call(stack, "POST", f"/repairs/jobs/{job_id}/check-in", wu, {"media_ids": [photo]}, expect=404)
    assert [j["job_id"] for j in _call(stack, "GET", "/repairs/jobs", li).json()["items"]] == [job_id]
    checked_in = _call(stack, "POST", f"/repairs/jobs/{job_id}/check-in", li, {"media_ids": [photo]}).json()
    assert (checked_in["status"], checked_in["check_in"]["technician_id"]) == ("checked_in", f"tech-li-{suffix}")
    assert checked_in["check_in"]["media_ids"] == [photo]
    _call(stack, "POST", f"/repairs/jobs/{job_id}/diagnosis", second,
          {"fault_code": "E-HEAT", "coverage": "paid", "labour": {"amount": 8000, "currency": "CNY"},
           "parts_estimate": {"amount": 4500, "currency": "CNY"}})
    issued = _call(stack, "POST", "/auth/customer-tokens", storefront, {"customer_id": customer_id}, 201).json()
    customer = {"Authorization": f"Bearer {issued['token']}"}
    _call(stack, "POST", f"/repairs/jobs/{job_id}/quote", customer, {"decision": "approve"})
    _call(stack, "POST", f"/repairs/jobs/{job_id}/parts", second,
          {"part_number": f"HE-{suffix}", "serial": f"SN-{suffix}", "batch": f"B-17-{suffix}",
           "removed_serial": f"OLD-{suffix}"})
    _call(stack, "POST", f"/repairs/jobs/{job_id}/repaired", second, {})

    code = eventually(lambda: code_for(job_id), timeout=15, interval=0.3)
    _call(stack, "POST", f"/repairs/jobs/{job_id}/confirmation", customer, {"code": code})
    _call(stack, "POST", f"/repairs/jobs/{job_id}/close", second)

    assert _call(stack, "GET", f"/tickets/{ticket_id}", agent).json()["status"] == "closed"
    # the paid repair's charge (labour + the part) is paid after the ticket closed: finance records it, once
    finance = demo_auth(stack, "finance token")
    payment = {"reference": f"pos-{suffix}", "amount": {"amount": 12500, "currency": "CNY"}}
    _call(stack, "POST", f"/repairs/jobs/{job_id}/charge/payment", agent, payment, expect=403)
    paid = _call(stack, "POST", f"/repairs/jobs/{job_id}/charge/payment", finance, payment).json()
    assert (paid["settlement"]["charge"], paid["settlement"]["charge_state"]) == (payment["amount"], "paid")
    _call(stack, "POST", f"/repairs/jobs/{job_id}/charge/waiver", finance, {"reason": "after all"}, expect=409)
    audit = _call(stack, "GET", f"/tickets/{ticket_id}/audit", finance).json()["entries"]
    assert [e["data"]["reference"] for e in audit if e["event"] == "ticket.repair_charge_paid"] == [f"pos-{suffix}"]
    traced = _call(stack, "GET", f"/repairs/serials/SN-{suffix}", agent).json()["items"]
    assert [(t["customer_id"], t["ticket_id"]) for t in traced] == [(customer_id, ticket_id)]
    _call(stack, "GET", f"/repairs/jobs/{job_id}", keys["first"], expect=404)
    _call(stack, "GET", f"/tickets/{ticket_id}", keys["first"], expect=403)

    def repair_clocks():
        clocks = _call(stack, "GET", f"/tickets/{ticket_id}/deadlines", agent).json()["deadlines"]
        done = {(d["metric"], d["cycle"]) for d in clocks if d["completed_at"]}
        wanted = {("repair_accept", 0), ("repair_accept", 1), ("repair_first_visit", 0)}
        return wanted <= done and clocks

    clocks = eventually(repair_clocks, timeout=30, interval=0.5)
    assert not any(d["breached"] for d in clocks if d["metric"].startswith("repair_"))


def test_the_demo_seeds_two_repair_providers_with_keys_that_see_only_their_jobs(local_stack):
    keys = [{"X-Api-Key": v} for k, v in local_stack.demo.items() if k.startswith("repair provider key")]
    assert len(keys) == 2
    for key in keys:
        assert _call(local_stack, "GET", "/repairs/jobs", key).json()["items"] == []
        _call(local_stack, "GET", "/tickets", key, expect=403)
    parts = _call(local_stack, "GET", "/repairs/parts", keys[0]).json()["items"]
    assert [p["part_number"] for p in parts if p["compatible_skus"] == ["KETTLE-01"]] == ["HE-KETTLE-01"]
