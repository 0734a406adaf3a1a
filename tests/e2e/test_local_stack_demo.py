"""The demo tenant `make run` seeds is a working shop (infra/local/demo.py): new tickets get an agent
who is on shift, notifications reach the customer, and the README's walk-through goes from request
to refund with the credentials `make run` prints."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests

from infra.local.demo import SHELL_VARIABLES, shell_variables
from tests.support.local_stack import eventually

pytestmark = pytest.mark.e2e
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _on_shift(at: str) -> set[str]:
    """Who may take a ticket at `at`: the agent whose demo shift covers that Shanghai hour, and the
    on-call supervisor (no shift)."""
    hour = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(SHANGHAI).hour
    return {"agent-li" if 8 <= hour < 20 else "agent-zhou", "sup-wang"}


def _assignment(api: str, ticket_id: str, supervisor: dict[str, str]) -> dict | None:
    entries = requests.get(f"{api}/tickets/{ticket_id}/audit", headers=supervisor, timeout=10).json()["entries"]
    return next((e for e in entries if e["event"] == "ticket.assigned"), None)


def test_make_run_prints_every_variable_the_walk_through_uses(local_stack):
    """GIVEN the seeded demo WHEN its output is turned into shell variables THEN each one the README
    uses is there, and the staff tokens are the right people's."""
    variables = shell_variables(local_stack.demo)
    assert set(variables) == set(SHELL_VARIABLES)
    api = local_stack.api_url
    for name, user, role in (("AGENT_TOKEN", "agent-li", "agent"), ("NIGHT_AGENT_TOKEN", "agent-zhou", "agent"),
                             ("SUPERVISOR_TOKEN", "sup-wang", "supervisor"), ("FINANCE_TOKEN", "fin-zhao", "finance"),
                             ("CUSTOMER_TOKEN", "cust-1001", None)):
        claims = _claims(variables[name])
        assert claims["sub"] == user and claims.get("roles", [None]) == [role], name
        reply = requests.get(f"{api}/tickets", headers=_bearer(variables[name]), timeout=10)
        assert reply.status_code == 200, (name, reply.text)
    assert requests.get(f"{api}/tickets", headers={"X-Api-Key": variables["STOREFRONT_KEY"]},
                        timeout=10).status_code == 200


def test_the_demo_tickets_have_an_agent_on_shift(local_stack):
    """GIVEN the demo's three seeded tickets THEN the dispatcher assigned each to an agent on shift
    when it opened (never `no_skilled_agent`), with the rule's reason kept in the audit."""
    api = local_stack.api_url
    supervisor = _bearer(shell_variables(local_stack.demo)["SUPERVISOR_TOKEN"])
    seeded = local_stack.demo["demo tickets (return, exchange, complaint)"].split()
    types = [requests.get(f"{api}/tickets/{t}", headers=supervisor, timeout=10).json()["type"] for t in seeded]
    assert types == ["return_refund", "exchange", "complaint"]
    for ticket_id in seeded:
        assigned = eventually(lambda t=ticket_id: _assignment(api, t, supervisor), timeout=30)
        assert assigned["reason"].startswith("auto:"), assigned
        assert assigned["data"]["to_assignee"] in _on_shift(assigned["at"])


def test_the_walk_through_from_request_to_refund(local_stack):
    """GIVEN the demo and the variables `make run` prints WHEN the customer asks for a refund-only on
    SO-1002 (the README's walk-through) THEN it is assigned to an agent on shift, the customer is
    e-mailed, the agent submits it, the policy opens a single review, the requester-independent
    supervisor approves it, the sandbox pays 399.00 CNY once, and the customer's timeline reads each
    step in Chinese."""
    from tests.support.sent_mail import sent_mails

    api, v = local_stack.api_url, shell_variables(local_stack.demo)
    customer = {**_bearer(v["CUSTOMER_TOKEN"]), "Accept-Language": "zh-CN"}
    mails_before = len([m for m in sent_mails() if "cust-1001@example.com" in m.destinations])
    created = requests.post(f"{api}/tickets", headers={**customer, "Idempotency-Key": "walk-through-1"}, timeout=10,
                            json={"type": "refund_only", "order_id": "SO-1002", "channel": "mini_program",
                                  "reason_code": "quality", "lines": [{"line_id": "1", "quantity": 1}]})
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]
    assert created.json()["requested_amount"] == {"amount": 39900, "currency": "CNY"}

    supervisor = _bearer(v["SUPERVISOR_TOKEN"])
    assigned = eventually(lambda: _assignment(api, ticket_id, supervisor), timeout=30)
    assert assigned["data"]["to_assignee"] in _on_shift(assigned["at"])
    ticket = requests.get(f"{api}/tickets/{ticket_id}", headers=_bearer(v["AGENT_TOKEN"]), timeout=10).json()
    assert ticket["assignee_id"] == assigned["data"]["to_assignee"] and ticket["status"] == "submitted"
    eventually(lambda: len([m for m in sent_mails() if "cust-1001@example.com" in m.destinations]) > mails_before,
               timeout=30)

    moved = requests.post(f"{api}/tickets/{ticket_id}/transitions", headers=_bearer(v["AGENT_TOKEN"]), timeout=10,
                          json={"to": "pending_approval", "reason": "photos show the coating peeling"})
    assert moved.status_code == 200, moved.text
    review = eventually(lambda: (r := requests.get(f"{api}/tickets/{ticket_id}/approval", headers=supervisor,
                                                   timeout=10)).status_code == 200 and r.json(), timeout=45)
    assert review["route"] == "single_review" and review["status"] == "pending"
    assert "supervisor" in review["eligible_roles"]["approve"]
    decided = requests.post(f"{api}/tickets/{ticket_id}/approval/decisions", timeout=10,
                            headers={**supervisor, "Idempotency-Key": "walk-through-approve-1"},
                            json={"verdict": "approve", "comment": "coating defect confirmed from the photos"})
    assert decided.status_code == 200 and decided.json()["status"] == "approved", decided.text

    eventually(lambda: requests.get(f"{api}/tickets/{ticket_id}", headers=supervisor, timeout=10).json()["status"]
               == "refunded", timeout=45)
    refund = requests.get(f"{api}/tickets/{ticket_id}/refund", headers=_bearer(v["FINANCE_TOKEN"]), timeout=10).json()
    (grant,) = refund["grants"]
    assert grant["status"] == "succeeded" and grant["amount"] == {"amount": 39900, "currency": "CNY"}
    assert grant["payment_ref"] == "ch_demo_1002" and len(grant["attempts"]) == 1
    local_stack.drain(timeout=30)
    timeline = requests.get(f"{api}/tickets/{ticket_id}/timeline", headers=customer, timeout=10).json()
    # the walk-through order carries no delivery date: the intake checks leave the ticket for the agent,
    # a working note the customer's timeline leaves out
    assert [e["event"] for e in timeline["entries"]] == [
        "ticket.created", "ticket.submitted_for_approval", "ticket.approved", "ticket.refund_requested",
        "ticket.refunded"]
    assert timeline["entries"][-1]["title"] == "退款已完成"


def test_the_demo_shop_sends_returns_to_its_warehouse_by_delivery_country(local_stack):
    """GIVEN the demo's return warehouses (Shanghai by default, an EU hub for DE/FR/AT) THEN the
    seeded Chinese return goes to Shanghai with no customs, under a return authorisation number."""
    api = local_stack.api_url
    supervisor = _bearer(shell_variables(local_stack.demo)["SUPERVISOR_TOKEN"])
    ret = local_stack.demo["demo tickets (return, exchange, complaint)"].split()[0]
    told = requests.get(f"{api}/tickets/{ret}/return-instructions", headers=supervisor, timeout=10)
    assert told.status_code == 200, told.text
    body = told.json()
    assert body["destination"]["id"] == "shanghai" and body["delivered_to"] == "CN"
    assert body["cross_border"] is False and body["authorisation_number"].startswith("RA-")
    hubs = requests.get(f"{api}/return-destinations", headers=supervisor, timeout=10).json()
    assert {w["id"] for w in hubs["warehouses"]} == {"shanghai", "frankfurt"}


def test_the_printed_technician_key_is_the_demo_technicians_own(local_stack):
    """GIVEN the technician key `make run` prints for Shanghai Home Fix's technician WHEN the mobile page
    uses it THEN it lists the jobs booked for that technician (none yet) and reads the parts catalogue,
    and it reads no ticket, no provider and no other provider's jobs."""
    api = local_stack.api_url
    [(label, key)] = [(k, v) for k, v in local_stack.demo.items() if k.startswith("repair technician key")]
    assert "tech-wang" in label and "Shanghai Home Fix" in label
    technician = {"X-Api-Key": key}
    jobs = requests.get(f"{api}/repairs/jobs", headers=technician, timeout=10)
    assert jobs.status_code == 200 and jobs.json()["items"] == [], jobs.text
    parts = requests.get(f"{api}/repairs/parts", headers=technician, timeout=10).json()["items"]
    assert "HE-KETTLE-01" in {p["part_number"] for p in parts}
    for path in ("/tickets", "/repairs/providers", "/api-keys"):
        assert requests.get(f"{api}{path}", headers=technician, timeout=10).status_code == 403, path
