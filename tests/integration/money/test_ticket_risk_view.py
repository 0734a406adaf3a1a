"""The risk a ticket was routed on, in the ticket views under moto: staff read its summary (score,
band, flags) on GET /tickets and GET /tickets/{id}; customers and storefronts never get the field;
a ticket not yet routed has none."""

from __future__ import annotations

from datetime import timedelta

from aftersales.core.clock import iso
from tests.support.lambdas import FakeContext, load_handler
from tests.support.tickets import order_payload

DEVICE = "fp_2c9e41b8d06c7f3a"
CHECKOUT_IP = "198.51.100.23"


def _route(ticket_id: str) -> dict:
    """The approval state machine's Route step, as it runs once a ticket is pending approval."""
    return load_handler("approval_task").lambda_handler(
        {"action": "route", "tenant_id": "acme", "ticket_id": ticket_id}, FakeContext("approval"))


def _refund(api, headers: dict, order_id: str) -> str:
    reply = api.request("POST", "/tickets", {"type": "refund_only", "order_id": order_id, "channel": "app",
                                             "reason_code": "quality", "lines": [{"line_id": "L1", "quantity": 1}]},
                        headers=headers)
    assert reply.status == 201, reply
    return reply.body["id"]


def _customer(svc, customer: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {svc.tenants.mint_customer_token('acme', customer, timedelta(minutes=30))}"}


def test_staff_see_the_routed_risk_on_the_list_and_the_ticket_customers_never_do(money, api, demo):
    """GIVEN four accounts whose orders were placed from one device and IP, the first of them two
    days old, and a quiet customer WHEN each asks for a refund and the two tickets are routed, and a
    third is opened but not routed THEN staff read the first as high (device 40 + IP 20 + new account
    15) with its flags and the quiet one as low, on the list and on the ticket; the unrouted ticket
    has no risk; the scalper's own customer token and the storefront key get no risk field at all."""
    svc, key, agent = money, demo["acme"]["key"], demo["acme"]["agent"]
    checkout = {**key, "X-Device-Fingerprint": DEVICE, "X-Customer-IP": CHECKOUT_IP}
    for n in (1, 2, 3, 4):
        payload = order_payload(f"S-{n}", customer=f"scalper-{n}")
        if n == 1:
            payload["customer"]["account_created_at"] = iso(svc.clock.now() - timedelta(days=2))
        assert api.request("PUT", f"/orders/S-{n}", payload, headers=checkout).status == 201
    assert api.request("PUT", "/orders/Q-1", order_payload("Q-1", customer="quiet-1"), headers=key).status == 201
    assert api.request("PUT", "/orders/Q-2", order_payload("Q-2", customer="quiet-2"), headers=key).status == 201

    risky = _refund(api, checkout, "S-1")
    quiet = _refund(api, key, "Q-1")
    unrouted = _refund(api, key, "Q-2")
    assert _route(risky)["route"] != "auto_approve"
    assert _route(quiet)["route"] == "auto_approve"

    listed = api.request("GET", "/tickets", headers=agent)
    assert listed.status == 200, listed
    by_id = {t["id"]: t for t in listed.body["items"]}
    high = by_id[risky]["risk"]
    assert (high["score"], high["band"]) == (75, "high")
    assert high["flags"] == ["device_distinct_accounts", "ip_distinct_accounts", "new_account"]
    assert (by_id[quiet]["risk"]["band"], by_id[quiet]["risk"]["flags"]) == ("low", [])
    assert "risk" not in by_id[unrouted]
    detail = api.request("GET", f"/tickets/{risky}", headers=agent)
    assert detail.body["risk"] == high

    for caller in (_customer(svc, "scalper-1"), key):
        mine = api.request("GET", "/tickets", headers=caller)
        assert mine.status == 200 and risky in {t["id"] for t in mine.body["items"]}, mine
        assert all("risk" not in t for t in mine.body["items"])
        one = api.request("GET", f"/tickets/{risky}", headers=caller)
        assert one.status == 200 and "risk" not in one.body, one
    timeline = api.request("GET", f"/tickets/{risky}/timeline", headers=_customer(svc, "scalper-1"))
    assert timeline.status == 200 and "ticket.risk_assessed" not in str(timeline.body), timeline
