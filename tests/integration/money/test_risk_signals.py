"""Refund-abuse signals per IP, device and shipping address: captured at ticket creation (hashed)
into the `ticket.created` audit entry, counted by the risk-counters consumer from the domain events,
and read back when the ticket is scored and routed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.orders.domain import Order
from tests.support.lambdas import FakeContext, load_handler
from tests.support.pipeline import Pipeline
from tests.support.tickets import order_payload

DEVICE = "fp_7f3c2a9e41b8d06c"
ADDRESS = "addr_sha256_0b7a1c3d5e7f9a1b3c5d"


@pytest.fixture
def pipeline(aws, money):
    return Pipeline(aws)


def _order(svc, order_id: str, customer: str, address: str | None = None) -> None:
    payload = order_payload(order_id, customer=customer)
    if address:
        payload["shipping"]["address_fingerprint"] = address
    svc.tickets.upsert_order("acme", Order.model_validate(payload))


def _customer(svc, customer: str) -> dict[str, str]:
    token = svc.tenants.mint_customer_token("acme", customer, timedelta(minutes=30))
    return {"Authorization": f"Bearer {token}"}


def _create(api, headers: dict, order_id: str) -> str:
    reply = api.request("POST", "/tickets", {"type": "refund_only", "order_id": order_id, "channel": "app",
                                             "reason_code": "quality", "lines": [{"line_id": "L1", "quantity": 1}]},
                        headers=headers)
    assert reply.status == 201, reply
    return reply.body["id"]


def _created_entry(svc, ticket_id: str):
    return svc.ticket_store.audit_entries("acme", ticket_id)[0]


def test_a_second_account_on_one_device_sends_its_ticket_to_a_human(money, pipeline, api, demo):
    """GIVEN three customer accounts opening refund-only tickets (95.00 CNY, auto-approvable by the
    default policy) from one device (X-Device-Fingerprint) and one IP
    WHEN the risk-counters consumer has counted the `ticket.created` events
    THEN the first ticket is auto-approved; from the second account on, the device is shared and the
    approval route is a human review, the third one's reasons naming the cluster
    (`device_distinct_accounts`, 3 accounts)."""
    svc = money
    task = load_handler("approval_task")

    def route(ticket_id):  # the state machine's Route step, when the ticket enters pending_approval
        return task.lambda_handler({"action": "route", "tenant_id": "acme", "ticket_id": ticket_id},
                                   FakeContext("approval"))

    tickets, routes = [], []
    for n in (1, 2, 3):
        _order(svc, f"O-{n}", f"cust-{n}")
        tickets.append(_create(api, {**_customer(svc, f"cust-{n}"), "X-Device-Fingerprint": DEVICE}, f"O-{n}"))
        pipeline.pump()
        routes.append(route(tickets[-1]))

    keys = _created_entry(svc, tickets[2]).data["risk_keys"]
    assert set(keys) == {"ip", "device"}
    assert DEVICE not in keys.values() and "203.0.113.7" not in keys.values()  # hashes only
    assert _created_entry(svc, tickets[0]).data["risk_keys"] == keys  # same device, same IP, same hashes

    reply = api.request("GET", f"/tickets/{tickets[2]}/risk", headers=demo["acme"]["agent"])
    assert reply.status == 200, reply
    reasons = {r["code"]: r for r in reply.body["reasons"]}
    assert reasons["device_distinct_accounts"]["weight"] > 0
    assert "ip_distinct_accounts" in reasons
    assert reasons["device_distinct_accounts"]["detail"]["observed"] == 3

    assert routes[0]["route"] == "auto_approve"
    assert all(r["route"] in ("single_review", "dual_review", "supervisor") for r in routes[1:]), routes
    assert routes[2]["rule_id"] != "auto-small-cny"


def test_accounts_that_bought_from_one_device_send_even_the_first_refund_to_a_human(money, pipeline, api, demo):
    """GIVEN a storefront that pushed three accounts' orders placed from one device, one IP and one
    address (X-Device-Fingerprint / X-Customer-IP of the checkout, hashed), none of them with a ticket
    yet WHEN the first account asks for a small refund (auto-approvable on its own)
    THEN the counters already hold the three accounts and the approval route is a human review;
    a re-pushed order version counts nothing twice, and a bad checkout header is 422."""
    from aftersales.risk.counters import window_total
    from aftersales.risk.signals import Dimension

    svc, key = money, demo["acme"]["key"]
    checkout = {**key, "X-Device-Fingerprint": DEVICE, "X-Customer-IP": "198.51.100.77"}
    for n in (1, 2, 3):
        payload = order_payload(f"C-{n}", customer=f"scalper-{n}")
        payload["shipping"]["address_fingerprint"] = ADDRESS
        assert api.request("PUT", f"/orders/C-{n}", payload, headers=checkout).status == 201
    again = order_payload("C-1", customer="scalper-1")
    again["shipping"]["address_fingerprint"] = ADDRESS
    again["version"] = 2
    assert api.request("PUT", "/orders/C-1", again, headers=checkout).status == 200
    bad = api.request("PUT", "/orders/C-9", order_payload("C-9", customer="x"),
                      headers={**key, "X-Customer-IP": "not-an-ip"})
    assert bad.status == 422 and bad.body["error"]["fields"][0]["path"] == "header.X-Customer-IP"
    assert svc.ticket_store.get_order("acme", "C-9") is None  # refused before anything was stored

    now = svc.clock.now()
    address = window_total(svc.risk.counters("acme", Dimension.ADDRESS, ADDRESS), now, 90)
    assert address.distinct_accounts == 3 and address.tickets == 0

    ticket = _create(api, {**key, "X-Device-Fingerprint": DEVICE, "X-Customer-IP": "198.51.100.77"}, "C-1")
    routed = load_handler("approval_task").lambda_handler(
        {"action": "route", "tenant_id": "acme", "ticket_id": ticket}, FakeContext("approval"))
    assert routed["route"] in ("single_review", "dual_review", "supervisor"), routed
    reasons = {r["code"]: r for r in api.request("GET", f"/tickets/{ticket}/risk",
                                                 headers=demo["acme"]["agent"]).body["reasons"]}
    assert reasons["device_distinct_accounts"]["detail"]["observed"] == 3
    assert "address_distinct_accounts" in reasons


def test_counters_per_device_and_address_come_from_the_events_and_redelivery_counts_once(money, pipeline):
    """GIVEN tickets opened by a storefront for two customers whose orders share an address hash
    WHEN the consumer sees the events (twice: redelivery) THEN the address and device counters hold
    two distinct accounts, the account counters one each."""
    from aftersales.risk.signals import Dimension
    from aftersales.tickets.domain import Actor, LineRequest, OpenTicket
    from aftersales.tickets.model import Role

    svc = money
    storefront = Actor(id="sf", roles=frozenset({Role.STOREFRONT}))
    for n in (1, 2):
        _order(svc, f"O-{n}", f"cust-{n}", address=ADDRESS)
        svc.tickets.open("acme", OpenTicket(type="refund_only", order_id=f"O-{n}", channel="app",
                                            reason_code="quality", lines=[LineRequest(line_id="L1", quantity=1)],
                                            risk_keys={"device": "dev-hash-1"}), storefront)
    pipeline.pump()
    risk = svc.risk
    now = svc.clock.now()
    from aftersales.risk.counters import window_total

    assert window_total(risk.counters("acme", Dimension.ADDRESS, ADDRESS), now, 90).distinct_accounts == 2
    assert window_total(risk.counters("acme", Dimension.DEVICE, "dev-hash-1"), now, 30).distinct_accounts == 2
    assert window_total(risk.counters("acme", Dimension.ACCOUNT, "cust-1"), now, 30).tickets == 1
    pipeline.forget_published()  # the stream redelivers every record
    pipeline.pump()
    assert window_total(risk.counters("acme", Dimension.ADDRESS, ADDRESS), now, 90).tickets == 2


def test_storefront_forwards_the_customer_ip_staff_calls_carry_none_and_bad_headers_are_422(
        money, pipeline, api, demo):
    """GIVEN the storefront forwarding X-Customer-IP and an order with an address hash
    THEN ip, device and address keys are captured; a staff call records no IP (it is not the
    customer's); a malformed fingerprint or IP is 422 with the header as the field."""
    svc = money
    _order(svc, "O-1", "cust-1", address=ADDRESS)
    _order(svc, "O-2", "cust-2")
    key = demo["acme"]["key"]
    ticket = _create(api, {**key, "X-Customer-IP": "198.51.100.23", "X-Device-Fingerprint": DEVICE}, "O-1")
    keys = _created_entry(svc, ticket).data["risk_keys"]
    assert set(keys) == {"ip", "device", "address"} and keys["address"] == ADDRESS

    staff = _create(api, demo["acme"]["agent"], "O-2")
    assert "risk_keys" not in _created_entry(svc, staff).data

    for header, value in (("X-Device-Fingerprint", "bad fingerprint!"), ("X-Customer-IP", "999.1.1.1")):
        reply = api.request("POST", "/tickets", {"type": "refund_only", "order_id": "O-2", "channel": "app",
                                                 "reason_code": "quality",
                                                 "lines": [{"line_id": "L1", "quantity": 1}]},
                            headers={**key, header: value})
        assert reply.status == 422, reply
        assert reply.body["error"]["fields"][0]["path"] == f"header.{header}"


def test_an_address_fingerprint_that_looks_like_an_address_is_refused(aws):
    """The storefront sends a hash, never the address: free text is a 422 at order intake."""
    from pydantic import ValidationError

    payload = order_payload()
    payload["shipping"]["address_fingerprint"] = "12 Main St, Springfield"
    with pytest.raises(ValidationError):
        Order.model_validate(payload)
