"""A repair job's costs settled into the ticket's money, through the API on moto: a paid repair is
a charge due on the ticket, a not-repairable warranty job refunds in full, a diagnosis fee the
tenant allows comes off the refund; the settlement is on the job, in the ticket's audit once, and
on the ticket's refund."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales import wiring
from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.refunds.service import grant_id_for
from aftersales.tickets.domain import OpenTicket
from aftersales.tickets.model import Channel, TicketType
from tests.support.repairs import KETTLE_LINES
from tests.support.ticket_factories import CUSTOMER, SYSTEM, order
from tests.support.tickets import walk

CNY = "CNY"


@pytest.fixture
def rig(aws, request):
    published = RecordingPublisher()
    wiring.override(wiring.Container(events=published))
    creds = request.getfixturevalue("demo")["acme"]
    api = request.getfixturevalue("api")
    svc = wiring.services()
    svc.tickets.upsert_order("acme", order(lines=KETTLE_LINES, payment={
        "provider": "sandbox", "reference": "ch_1", "captured": {"amount": 58000, "currency": CNY}}))

    def call(method, path, body=None, who=creds["admin"], **kw):
        return api.request(method, path, body, headers=who, **kw)

    made = call("POST", "/repairs/providers", {"name": "Fixers", "regions": ["CN"]})
    key = call("POST", f"/repairs/providers/{made.body['provider_id']}/api-keys", {"name": "app"})
    assert key.status == 201, key.body
    assert call("PUT", "/repairs/parts/HE-220", {"name": "Heating element", "compatible_skus": ["KETTLE-1"],
                                                  "unit_cost": {"amount": 4500, "currency": CNY}}).status == 200
    opened = svc.tickets.open("acme", OpenTicket(type=TicketType.REPAIR, order_id="O-1", channel=Channel.APP,
                                                 reason_code="defective", lines=[{"line_id": "L1", "quantity": 1}]),
                              CUSTOMER)
    walk(svc.tickets, "acme", opened.id, "pending_approval", "approved", "repair_dispatched")
    return {"call": call, "creds": creds, "key": {"X-Api-Key": key.body["api_key"]}, "ticket_id": opened.id,
            "events": published, "svc": svc, "photos": request.getfixturevalue("visit_photos")}


def _decided(rig, coverage: str, outcome: str) -> str:
    call, key = rig["call"], rig["key"]
    job_id = call("POST", "/repairs/dispatches", {"ticket_id": rig["ticket_id"]}).body["job"]["job_id"]
    now = rig["svc"].clock.now()
    visit = {"start": (now + timedelta(hours=24)).isoformat(), "end": (now + timedelta(hours=26)).isoformat()}
    steps = [("accept", None), ("appointment", {"window": visit}),
             ("check-in", lambda: {"media_ids": [rig["photos"].api(call, job_id, key)]}),
             ("diagnosis", {"fault_code": "E-HEAT", "coverage": coverage, "labour": {"amount": 8000, "currency": CNY},
                            "parts_estimate": {"amount": 4500, "currency": CNY}})]
    for step, body in steps:
        assert call("POST", f"/repairs/jobs/{job_id}/{step}", body() if callable(body) else body,
                    who=key).status == 200, step
    if coverage == "paid" and outcome == "repaired":
        answered = call("POST", f"/repairs/jobs/{job_id}/quote", {"decision": "approve"}, who=rig["creds"]["cust-1"])
        assert answered.status == 200, answered.body
    assert call("POST", f"/repairs/jobs/{job_id}/parts", {"part_number": "HE-220", "serial": "SN-1"},
                who=key).status == 200
    body = {} if outcome == "repaired" else {"reason": "the board is burnt"}
    assert call("POST", f"/repairs/jobs/{job_id}/{outcome}", body, who=key).status == 200
    code = next(d["code"] for name, d in rig["events"].events if name == "repair.confirmation_code_issued")
    confirmed = call("POST", f"/repairs/jobs/{job_id}/confirmation", {"code": code}, who=rig["creds"]["cust-1"])
    assert confirmed.status == 200, confirmed.body
    again = call("POST", f"/repairs/jobs/{job_id}/confirmation", {"code": code}, who=rig["creds"]["cust-1"])
    assert again.status in (403, 409)  # confirmed once (no such move now); the settlement is recorded once
    return job_id


def _settled_entries(rig) -> list[dict]:
    audit = rig["call"]("GET", f"/tickets/{rig['ticket_id']}/audit", who=rig["creds"]["finance"])
    return [e for e in audit.body["entries"] if e["event"] == "ticket.repair_settled"]


def _refunded(rig) -> dict:
    call, ticket_id = rig["call"], rig["ticket_id"]
    moved = call("POST", f"/tickets/{ticket_id}/unrepairable-refund", {"reason": "cannot be fixed"},
                 who={**rig["creds"]["finance"], "Idempotency-Key": "unrep-1"})
    assert moved.status == 200 and moved.body["status"] == "refund_pending", moved.body
    seq = rig["svc"].tickets.audit("acme", ticket_id, SYSTEM)[-1].seq
    rig["svc"].refunds.grant("acme", ticket_id, grant_id_for(ticket_id, seq))  # the saga's first step
    [grant] = call("GET", f"/tickets/{ticket_id}/refund", who=rig["creds"]["finance"]).body["grants"]
    return grant


def test_a_paid_repair_is_a_charge_due_on_the_ticket(rig):
    job_id = _decided(rig, "paid", "repaired")
    job = rig["call"]("GET", f"/repairs/jobs/{job_id}", who=rig["creds"]["cust-1"])
    settlement = job.body["settlement"]
    assert settlement["charge"] == {"amount": 12500, "currency": CNY} and settlement["charge_state"] == "due"
    assert settlement["merchant_cost"]["amount"] == 0 and settlement["deduction"]["amount"] == 0
    [entry] = _settled_entries(rig)
    assert entry["data"]["job_id"] == job_id and entry["data"]["settlement"] == settlement


def test_a_not_repairable_warranty_job_refunds_in_full_and_is_the_merchants_cost(rig):
    job_id = _decided(rig, "warranty", "not-repairable")
    [entry] = _settled_entries(rig)
    assert entry["data"]["settlement"]["merchant_cost"] == {"amount": 12500, "currency": CNY}
    assert entry["data"]["settlement"]["customer_owes"]["amount"] == 0
    grant = _refunded(rig)
    assert grant["amount"] == {"amount": 29000, "currency": CNY} and grant["repair_deduction"] is None
    assert rig["call"]("GET", f"/repairs/jobs/{job_id}", who=rig["creds"]["agent"]).body["settlement"][
        "charge_state"] is None


def test_a_diagnosis_fee_the_tenant_allows_comes_off_the_refund(rig):
    settings = rig["call"]("GET", "/refund-settings").body
    put = rig["call"]("PUT", "/refund-settings", {**settings, "repair_diagnosis_fee": True})
    assert put.status == 200, put.body
    _decided(rig, "paid", "not-repairable")
    assert _settled_entries(rig)[0]["data"]["settlement"]["charge"] == {"amount": 8000, "currency": CNY}
    grant = _refunded(rig)
    assert grant["amount"] == {"amount": 29000 - 8000, "currency": CNY}
    assert grant["repair_deduction"] == {"amount": 8000, "currency": CNY}


def test_finance_records_the_payment_of_the_charge_once_and_nobody_else_moves_it(rig):
    """GIVEN a paid repair confirmed, 125.00 CNY due WHEN agents, the storefront, the customer and the
    provider's key try THEN 403; finance reads the charge due on the ticket's jobs; a payment of another
    amount or currency is 422 at its field; finance's payment of exactly the charge is 200 (paid on the
    job, once on the ticket's chain); a later waiver or payment is 409."""
    call, creds = rig["call"], rig["creds"]
    job_id = _decided(rig, "paid", "repaired")
    pay = f"/repairs/jobs/{job_id}/charge/payment"
    payment = {"reference": "pos-7781", "amount": {"amount": 12500, "currency": CNY}}
    for who in (creds["agent"], creds["key"], creds["cust-1"], rig["key"]):
        assert call("POST", pay, payment, who=who).status == 403
    short = call("POST", pay, {**payment, "amount": {"amount": 12499, "currency": CNY}}, who=creds["finance"])
    assert short.status == 422 and short.body["error"]["fields"][0]["path"] == "amount.amount", short.body
    euros = call("POST", pay, {**payment, "amount": {"amount": 12500, "currency": "EUR"}}, who=creds["finance"])
    assert euros.status == 422 and euros.body["error"]["fields"][0]["path"] == "amount.currency", euros.body
    [due] = call("GET", f"/tickets/{rig['ticket_id']}/repair-jobs", who=creds["finance"]).body["items"]
    assert (due["settlement"]["charge"], due["settlement"]["charge_state"]) == (payment["amount"], "due"), due
    paid = call("POST", pay, payment, who=creds["finance"])
    assert paid.status == 200 and paid.body["settlement"]["charge_state"] == "paid", paid.body
    assert call("GET", f"/repairs/jobs/{job_id}", who=creds["cust-1"]).body["settlement"]["charge_state"] == "paid"
    again = call("POST", f"/repairs/jobs/{job_id}/charge/waiver", {"reason": "goodwill"}, who=creds["admin"])
    assert again.status == 409 and again.body["error"]["code"] == "conflict", again.body
    assert call("POST", pay, payment, who=creds["supervisor"]).status == 409
    audit = call("GET", f"/tickets/{rig['ticket_id']}/audit", who=creds["finance"]).body["entries"]
    [entry] = [e for e in audit if e["event"].startswith("ticket.repair_charge_")]
    assert entry["event"] == "ticket.repair_charge_paid" and entry["data"]["decided_by"] == paid.body[
        "entries"][-1]["actor_id"] and entry["data"]["reference"] == "pos-7781"


def test_a_diagnosis_fee_waived_before_the_refund_is_not_taken_off_it(rig):
    settings = rig["call"]("GET", "/refund-settings").body
    assert rig["call"]("PUT", "/refund-settings", {**settings, "repair_diagnosis_fee": True}).status == 200
    job_id = _decided(rig, "paid", "not-repairable")
    waived = rig["call"]("POST", f"/repairs/jobs/{job_id}/charge/waiver", {"reason": "goodwill"},
                         who=rig["creds"]["supervisor"])
    assert waived.status == 200 and waived.body["settlement"]["charge_state"] == "waived", waived.body
    grant = _refunded(rig)
    assert grant["amount"] == {"amount": 29000, "currency": CNY} and grant["repair_deduction"] is None


def test_a_job_without_a_charge_has_nothing_to_waive(rig):
    job_id = _decided(rig, "warranty", "repaired")
    none = rig["call"]("POST", f"/repairs/jobs/{job_id}/charge/waiver", {"reason": "x"}, who=rig["creds"]["finance"])
    assert none.status == 409, none.body
    blank = rig["call"]("POST", f"/repairs/jobs/{job_id}/charge/waiver", {"reason": ""}, who=rig["creds"]["finance"])
    assert blank.status == 422 and blank.body["error"]["fields"][0]["path"] == "reason", blank.body
