"""HTTP against the local stack: a signed carrier webhook moves a return ticket."""

from __future__ import annotations

import json
import time

import pytest
import requests

from aftersales.logistics.verification import aftership_signature
from tests.support.fixture_files import load
from tests.support.tickets import order_payload

pytestmark = pytest.mark.e2e
SECRET = "e2e-aftership-secret"


def _key(stack) -> dict[str, str]:
    return {"X-Api-Key": next(v for k, v in stack.demo.items() if "API key" in k)}


def _staff(stack) -> dict[str, str]:
    return {"Authorization": "Bearer " + next(v for k, v in stack.demo.items() if k.startswith("supervisor token"))}


def test_signed_aftership_delivery_moves_the_return_ticket(local_stack):
    """GIVEN the demo order, a return ticket awaiting its parcel, the tenant's AfterShip secret and the
    registered return parcel WHEN AfterShip posts a signed "Delivered" update to the public webhook URL
    THEN the ticket is return_received with its lines received; an unsigned copy is 401."""
    api, key = local_stack.api_url, _key(local_stack)
    assert requests.put(f"{api}/integrations/carriers/aftership", json={"secret": SECRET}, headers=key,
                        timeout=10).status_code == 200
    order = order_payload("E2E-RET-1", "cust-e2e")
    assert requests.put(f"{api}/orders/E2E-RET-1", json=order, headers=key, timeout=10).status_code in (200, 201)
    created = requests.post(f"{api}/tickets", headers=key, timeout=10, json={
        "type": "return_refund", "order_id": "E2E-RET-1", "channel": "web", "reason_code": "damaged",
        "lines": [{"line_id": "L1", "quantity": 1}]})
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]
    moved = requests.post(f"{api}/tickets/{ticket_id}/transitions", json={"to": "pending_approval"}, timeout=10,
                          headers=_staff(local_stack))
    assert moved.status_code == 200, moved.text
    # the approval workflow auto-approves this small return and authorises it (approval is owned by it)
    deadline = time.monotonic() + 45
    while requests.get(f"{api}/tickets/{ticket_id}", headers=key, timeout=10).json()["status"] != "awaiting_return" \
            and time.monotonic() < deadline:
        time.sleep(0.3)
    current = requests.get(f"{api}/tickets/{ticket_id}", headers=key, timeout=10).json()
    assert current["status"] == "awaiting_return", current["status"]
    registered = requests.put(f"{api}/parcels/RET-E2E-1", headers=key, timeout=10, json={
        "direction": "return", "order_id": "E2E-RET-1", "ticket_id": ticket_id})
    assert registered.status_code == 200, registered.text

    body = load("aftership/aftership_tracking_webhook_sample.json")
    body["event_id"] = "e2e-delivered-1"
    body["msg"].update(tracking_number="RET-E2E-1", tag="Delivered", subtag="Delivered_001")
    raw = json.dumps(body).encode()
    url = f"{api}/webhooks/carriers/aftership/demo"
    unsigned = requests.post(url, data=raw, headers={"Content-Type": "application/json"}, timeout=10)
    assert unsigned.status_code == 401
    reply = requests.post(url, data=raw, timeout=10, headers={
        "Content-Type": "application/json", "aftership-hmac-sha256": aftership_signature(SECRET, raw)})
    assert reply.status_code == 200 and reply.json()["result"] == "accepted", reply.text

    ticket = requests.get(f"{api}/tickets/{ticket_id}", headers=key, timeout=10).json()
    assert ticket["status"] == "return_received"
    assert ticket["lines"][0]["reception"] == "received"
