"""Zero-touch intake on the local stack (the real template: stream -> bus -> the eligibility queue
-> eligibility_triage -> approval flow -> refund saga -> sandbox provider).

GIVEN the demo tenant with no intake rules of its own (the defaults) WHEN the storefront opens a
refund-only request for a new customer and makes no further call THEN it is paid, its audit chain
verifying; an out-of-window return is refused with the reason in the customer's language."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.support.local_stack import demo_auth, eventually

pytestmark = pytest.mark.e2e




def _delivered_order(stack, delivered_days_ago: int, unit_price: int = 3900) -> dict:
    suffix = uuid.uuid4().hex[:8]
    delivered = datetime.now(UTC) - timedelta(days=delivered_days_ago)
    order = {"order_id": f"E2E-ELIG-{suffix}", "version": 1, "channel": "app", "currency": "CNY",
             "customer": {"id": f"cust-new-{suffix}", "tier": "standard"},
             "payment": {"provider": "sandbox", "reference": f"ch_elig_{suffix}",
                         "captured": {"amount": unit_price + 1000, "currency": "CNY"}},
             "shipping": {"country": "CN", "fee": {"amount": 1000, "currency": "CNY"}},
             "lines": [{"line_id": "1", "sku": "CUP", "name": "Cup", "quantity": 1,
                        "unit_price_paid": {"amount": unit_price, "currency": "CNY"}}],
             "placed_at": (delivered - timedelta(days=4)).isoformat(),
             "fulfilment": {"status": "delivered", "shipped_at": (delivered - timedelta(days=2)).isoformat(),
                            "delivered_at": delivered.isoformat()}}
    reply = requests.put(f"{stack.api_url}/orders/{order['order_id']}", json=order,
                         headers=demo_auth(stack, "storefront API key"), timeout=10)
    assert reply.status_code == 201, reply.text
    return order


def _open(stack, order: dict, ticket_type: str) -> str:
    created = requests.post(f"{stack.api_url}/tickets", json={
        "type": ticket_type, "order_id": order["order_id"], "channel": "app", "reason_code": "not_as_described",
        "lines": [{"line_id": "1", "quantity": 1}]},
        headers={**demo_auth(stack, "storefront API key"), "Accept-Language": "zh-CN"}, timeout=10)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def _ticket(stack, ticket_id: str) -> dict:
    return requests.get(f"{stack.api_url}/tickets/{ticket_id}", headers=demo_auth(stack, "agent token"),
                        timeout=10).json()


def test_a_storefront_refund_only_request_is_paid_with_no_further_call(local_stack):
    order = _delivered_order(local_stack, delivered_days_ago=2)
    ticket_id = _open(local_stack, order, "refund_only")
    eventually(lambda: _ticket(local_stack, ticket_id)["status"] == "refunded", timeout=60)

    agent = demo_auth(local_stack, "agent token")
    audit = requests.get(f"{local_stack.api_url}/tickets/{ticket_id}/audit", headers=agent, timeout=10).json()
    entries = [e for e in audit["entries"] if e["event"] != "ticket.assigned"]  # the demo's dispatcher
    assert [e["event"] for e in entries] == ["ticket.created", "ticket.submitted_for_approval", "ticket.risk_assessed",
                                             "ticket.approved", "ticket.refund_requested", "ticket.refunded"]
    routed = entries[1]
    assert routed["actor_id"] == "eligibility-triage" and routed["actor_role"] == "system"
    assert routed["data"]["eligibility"]["outcome"] == "eligible"
    assert entries[2]["data"]["risk"]["band"] == "low"  # what routing saw, kept before it approved
    assert entries[3]["data"]["rule_id"] == "auto-small-cny"
    assert {e["actor_role"] for e in entries[1:]} == {"system"}  # nobody on the staff touched it
    verified = requests.get(f"{local_stack.api_url}/tickets/{ticket_id}/audit/verify", headers=agent, timeout=10)
    assert verified.status_code == 200 and verified.json()["valid"] is True


def test_an_out_of_window_return_is_refused_in_the_customers_language(local_stack):
    order = _delivered_order(local_stack, delivered_days_ago=45)
    ticket_id = _open(local_stack, order, "return_refund")
    eventually(lambda: _ticket(local_stack, ticket_id)["status"] == "rejected", timeout=60)

    reply = requests.get(f"{local_stack.api_url}/tickets/{ticket_id}/eligibility",
                         headers=demo_auth(local_stack, "storefront API key"), timeout=10)
    assert reply.status_code == 200, reply.text
    evaluation = reply.json()["evaluation"]
    assert evaluation["outcome"] == "ineligible" and evaluation["reason"] == "eligibility.outside_return_window"
    assert evaluation["customer_message"] == {"locale": "zh-Hans",
                                              "text": "已超过签收后 30 天的售后期限（已签收 45 天）。"}
    assert not any(c["verdict"] == "fail" for c in evaluation["checks"] if c["check"] != "return_window")
