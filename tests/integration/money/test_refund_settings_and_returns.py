"""Refund settings per tenant, the refund destination, customer-paid return shipping and the
inspection of returned goods, through the API under moto; the refund saga's steps are called as
the state machine calls them (grant -> attempt -> complete)."""

from __future__ import annotations

import pytest

from aftersales.adapters.sandbox_payments import SandboxBehaviour, SandboxPaymentProvider
from aftersales.core.errors import IllegalTransition
from aftersales.refunds.service import grant_id_for
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Role, Status
from tests.support.money import move, open_ticket
from tests.support.pipeline import Pipeline

OPS = Actor(id="agent-1", roles=frozenset({Role.AGENT, Role.SYSTEM}))


def _cny(amount: int) -> dict:
    return {"amount": amount, "currency": "CNY"}


def _sandbox(svc) -> SandboxPaymentProvider:
    provider = SandboxPaymentProvider("acme", svc.clock, SandboxBehaviour(settle_seconds=0))
    svc.payments.use("acme", provider)
    return provider


def _settings(api, demo, **doc) -> None:
    reply = api.request("PUT", "/refund-settings", doc, demo["acme"]["admin"])
    assert reply.status == 200, reply


def _saga(svc, ticket):
    """The refund state machine's steps for the grant of this entry into refund_pending."""
    grant_id = grant_id_for(ticket.id, ticket.version)
    refunds = svc.refunds
    grant = refunds.grant("acme", ticket.id, grant_id)
    attempt = refunds.attempt("acme", ticket.id, grant_id)
    assert attempt.status.value == "succeeded", attempt
    assert refunds.complete("acme", ticket.id, grant_id).status.value == "refunded"
    return grant


def _in_inspection(svc, api, demo, reason: str, quantity: int = 3, shipping: int | None = 1200):
    """A return_refund ticket the customer shipped back (paying `shipping`), received, in inspection."""
    ticket = open_ticket(svc, ticket_type="return_refund", quantity=quantity, order_quantity=quantity,
                         reason=reason)
    move(svc, "acme", ticket.id, "pending_approval", "approved", "awaiting_return")
    body: dict = {"carrier": "sf-express", "tracking_number": "SF1234567890"}
    if shipping is not None:
        body["return_shipping_paid"] = _cny(shipping)
    shipped = api.request("POST", f"/tickets/{ticket.id}/return-shipment", body, demo["acme"]["cust-1"])
    assert shipped.status == 200 and shipped.body["status"] == "return_in_transit", shipped
    return move(svc, "acme", ticket.id, "return_received", "inspecting")


def _inspect(api, demo, ticket_id: str, lines: list[dict], who: str = "agent"):
    return api.request("POST", f"/tickets/{ticket_id}/inspection", {"lines": lines}, demo["acme"][who])


# ---------------------------------------------------------------------------- settings
def test_refund_settings_default_then_edited_by_admin_or_storefront_with_422_paths(money, api, demo):
    """GIVEN a tenant without settings WHEN staff read them THEN the defaults (no fee, original payment
    only, no campaign); an admin / the storefront replace them; an agent may not (403); bad input is
    422 with the field's path and nothing is stored."""
    default = api.request("GET", "/refund-settings", headers=demo["acme"]["agent"])
    assert default.status == 200 and default.body == {
        "restocking_fee_bp": 0, "alternative_destinations": [], "merchant_paid_return_shipping_campaign": False,
        "refund_duties_and_taxes": "always", "repair_diagnosis_fee": False,
        "accept_returns_on_arrival": False}
    doc = {"restocking_fee_bp": 1500, "alternative_destinations": ["store_credit"],
           "merchant_paid_return_shipping_campaign": True}
    assert api.request("PUT", "/refund-settings", doc, demo["acme"]["agent"]).status == 403
    assert api.request("PUT", "/refund-settings", doc, demo["acme"]["key"]).status == 200
    for bad, path in (({"restocking_fee_bp": 10_001}, "restocking_fee_bp"),
                      ({"restocking_fee_bp": -1}, "restocking_fee_bp"),
                      ({"alternative_destinations": ["original_payment"]}, "alternative_destinations"),
                      ({"alternative_destinations": ["cash"]}, "alternative_destinations[0]"),
                      ({"merchant_paid_return_shipping_campaign": "sometimes"},
                       "merchant_paid_return_shipping_campaign"),
                      ({"restocking_fee": 5}, "restocking_fee")):
        reply = api.request("PUT", "/refund-settings", bad, demo["acme"]["admin"])
        assert reply.status == 422, (bad, reply)
        assert path in [f["path"] for f in reply.body["error"]["fields"]], (bad, reply.body)
    stored = api.request("GET", "/refund-settings", headers=demo["acme"]["key"]).body
    assert stored["restocking_fee_bp"] == 1500 and stored["alternative_destinations"] == ["store_credit"]
    assert api.request("GET", "/refund-settings", headers=demo["other"]["admin"]).body["restocking_fee_bp"] == 0
    assert api.request("GET", "/refund-settings", headers=demo["acme"]["cust-1"]).status == 403


# ---------------------------------------------------------------------------- inspection and shipping
def test_customer_bears_return_shipping_accepted_quantities_minus_restocking_fee(money, api, demo):
    """GIVEN a 10 % restocking fee and a "dislike" return of 3 mugs (95.00 each) the customer shipped
    back paying 12.00 WHEN inspection accepts 2 (1 damaged and written off) THEN the ticket is
    refund_pending in the same write as the lines' counters, and the grant refunds 2 x 95.00 minus
    19.00 fee, no shipping: 171.00, paid once at the provider."""
    svc = money
    provider = _sandbox(svc)
    _settings(api, demo, restocking_fee_bp=1000)
    ticket = _in_inspection(svc, api, demo, "dislike")
    shipped = next(e for e in svc.tickets.audit("acme", ticket.id, OPS) if e.event == "ticket.return_shipped")
    assert shipped.actor_id == "cust-1" and shipped.data["return_shipping_paid"] == _cny(1200)
    assert shipped.data["carrier"] == "sf-express" and shipped.data["tracking_number"] == "SF1234567890"

    reply = _inspect(api, demo, ticket.id, [{"line_id": "L1", "accepted": 2, "damaged": 1, "written_off": 1}])
    assert reply.status == 200 and reply.body["status"] == "refund_pending", reply
    (line,) = reply.body["lines"]
    assert (line["quantity_received"], line["quantity_accepted"], line["quantity_damaged"],
            line["quantity_written_off"], line["acceptance"]) == (3, 2, 1, 1, "accepted")
    entry = svc.tickets.audit("acme", ticket.id, OPS)[-1]
    assert entry.event == "ticket.inspection_passed" and entry.actor_id == "agent-1"
    assert entry.data["inspection"][0]["accepted"] == 2
    assert svc.tickets.verify("acme", ticket.id, OPS).valid

    grant = _saga(svc, svc.tickets.get("acme", ticket.id, OPS))
    assert grant.destination.value == "original_payment"
    assert [(ln.line_id, ln.quantity, ln.amount.amount) for ln in grant.lines] == [("L1", 2, 19_000)]
    assert (grant.return_shipping.amount, grant.restocking_fee.amount, grant.amount.amount) == (0, 1_900, 17_100)
    assert [r["amount"] for r in provider.refunds(grant.payment_ref)] == [17_100]


@pytest.mark.parametrize("reason, campaign", [("quality", False), ("wrong_item", False), ("damaged", False),
                                              ("dislike", True)])
def test_merchant_bears_return_shipping_refunds_it_without_a_fee(money, api, demo, reason, campaign):
    """GIVEN a 10 % restocking fee WHEN the reason is the merchant's fault, or a merchant-paid
    return-shipping campaign is active THEN the customer's 12.00 return shipping is refunded on top of
    the accepted lines and no restocking fee is charged."""
    svc = money
    provider = _sandbox(svc)
    _settings(api, demo, restocking_fee_bp=1000, merchant_paid_return_shipping_campaign=campaign)
    ticket = _in_inspection(svc, api, demo, reason)
    reply = _inspect(api, demo, ticket.id, [{"line_id": "L1", "received": 3, "accepted": 2, "written_off": 1}])
    assert reply.status == 200, reply
    grant = _saga(svc, svc.tickets.get("acme", ticket.id, OPS))
    assert (grant.return_shipping.amount, grant.restocking_fee.amount, grant.amount.amount) == (1_200, 0, 20_200)
    assert [r["amount"] for r in provider.refunds(grant.payment_ref)] == [20_200]


def test_nothing_accepted_rejects_the_ticket_and_bad_counters_are_422_with_paths(money, api, demo):
    """GIVEN a ticket in inspection WHEN the counters do not add up THEN 422 with the line's field path
    and the ticket unchanged; a customer may not inspect (403); nothing accepted -> rejected with
    every line rejected; a second inspection is 409 (the ticket is no longer inspecting)."""
    svc = money
    ticket = _in_inspection(svc, api, demo, "dislike", quantity=2)
    for lines, path in (([{"line_id": "L1", "accepted": 2, "written_off": 1}], "lines[0].accepted"),
                        ([{"line_id": "L1", "received": 3, "accepted": 1}], "lines[0].received"),
                        ([{"line_id": "L1", "received": 1, "accepted": 1, "damaged": 2}], "lines[0].damaged"),
                        ([{"line_id": "L9", "accepted": 1}], "lines[0].line_id"),
                        ([{"line_id": "L1", "accepted": 1}, {"line_id": "L1", "accepted": 1}], "lines[1].line_id"),
                        ([{"line_id": "L1", "accepted": -1}], "lines[0].accepted"),
                        ([], "lines")):
        reply = _inspect(api, demo, ticket.id, lines)
        assert reply.status == 422, (lines, reply)
        assert [f["path"] for f in reply.body["error"]["fields"]] == [path], (lines, reply.body)
    assert svc.tickets.get("acme", ticket.id, OPS).version == ticket.version
    assert _inspect(api, demo, ticket.id, [{"line_id": "L1", "accepted": 1}], who="cust-1").status == 403

    reply = _inspect(api, demo, ticket.id, [{"line_id": "L1", "accepted": 0, "written_off": 2, "damaged": 2}])
    assert reply.status == 200 and reply.body["status"] == "rejected", reply
    assert reply.body["lines"][0]["acceptance"] == "rejected"
    assert svc.tickets.audit("acme", ticket.id, OPS)[-1].event == "ticket.inspection_failed"
    assert _inspect(api, demo, ticket.id, [{"line_id": "L1", "accepted": 1}]).status == 409


def test_a_return_cannot_enter_refund_without_its_inspection(money, api, demo):
    """GIVEN a return in inspection WHEN staff try the bare transition to refund_pending (through the
    service, as the generic endpoint does) THEN 409 transition_owned names /inspection, the ticket
    stays in inspection and no grant exists."""
    svc = money
    ticket = _in_inspection(svc, api, demo, "quality")
    with pytest.raises(IllegalTransition) as refused:
        svc.tickets.transition("acme", ticket.id, Status.REFUND_PENDING, OPS)
    assert refused.value.message_id == "error.transition_owned"
    assert refused.value.details["use"] == f"POST /tickets/{ticket.id}/inspection"
    after = svc.tickets.get("acme", ticket.id, OPS)
    assert after.status == Status.INSPECTING and after.version == ticket.version
    assert svc.refunds.status("acme", ticket.id, OPS)["grants"] == []


def test_return_shipment_after_a_carrier_scan_is_still_recorded_and_bad_input_is_refused(money, api, demo):
    """GIVEN a return a carrier scan already moved to return_in_transit WHEN the customer posts the
    shipment THEN the shipping paid is recorded as `ticket.return_shipping_recorded` (SYSTEM on the
    customer's behalf) and counts in the refund; another currency is 422 with its path; another
    customer's ticket is 404; a refund-only ticket has no return shipment (422)."""
    svc = money
    ticket = open_ticket(svc, ticket_type="return_refund", quantity=1)
    move(svc, "acme", ticket.id, "pending_approval", "approved", "awaiting_return", "return_in_transit")
    url = f"/tickets/{ticket.id}/return-shipment"
    body = {"carrier": "sf", "tracking_number": "SF1", "return_shipping_paid": _cny(800)}
    usd = {**body, "return_shipping_paid": {"amount": 800, "currency": "USD"}}
    reply = api.request("POST", url, usd, demo["acme"]["cust-1"])
    assert reply.status == 422 and reply.body["error"]["fields"][0]["path"] == "return_shipping_paid.currency"
    neg = {**body, "return_shipping_paid": {"amount": -5, "currency": "CNY"}}
    assert api.request("POST", url, neg, demo["acme"]["cust-1"]).status == 422
    assert api.request("POST", url, body, demo["acme"]["cust-2"]).status == 404
    reply = api.request("POST", url, body, demo["acme"]["cust-1"])
    assert reply.status == 200 and reply.body["status"] == "return_in_transit", reply
    entry = svc.tickets.audit("acme", ticket.id, OPS)[-1]
    assert entry.event == "ticket.return_shipping_recorded" and entry.actor_role == "system"
    assert entry.data["recorded_by"] == "cust-1" and entry.data["return_shipping_paid"] == _cny(800)
    assert svc.refunds.return_shipping_paid("acme", ticket.id).amount == 800

    refund_only = open_ticket(svc, order_id="O-2")
    reply = api.request("POST", f"/tickets/{refund_only.id}/return-shipment", body, demo["acme"]["key"])
    assert reply.status == 422 and reply.body["error"]["code"] == "invalid_request", reply


# ---------------------------------------------------------------------------- destinations
@pytest.fixture
def pipeline(aws, money):
    return Pipeline(aws)


@pytest.mark.parametrize("destination, event", [("store_credit", "refund.store_credit_issued"),
                                                ("coupon", "refund.coupon_issued")])
def test_store_credit_or_coupon_where_offered_skips_the_provider_and_tells_the_storefront(
        money, pipeline, api, demo, destination, event):
    """GIVEN a tenant offering store credit and coupons and a customer who asks for `destination`
    WHEN the refund-only ticket is approved and the money path runs THEN the grant goes to that
    destination, the payment provider is never called, the ticket is refunded, and the storefront
    gets ONE `refund.<kind>_issued` event (source aftersales.refunds) with the amount."""
    svc = money
    provider = _sandbox(svc)
    _settings(api, demo, alternative_destinations=["store_credit", "coupon"])
    ticket = open_ticket(svc)
    reply = api.request("PUT", f"/tickets/{ticket.id}/refund-destination", {"destination": destination},
                        demo["acme"]["cust-1"])
    assert reply.status == 200 and reply.body["requested_destination"] == destination, reply
    ticket = move(svc, "acme", ticket.id, "pending_approval", "approved", "refund_pending")
    grant = _saga(svc, ticket)
    assert grant.destination.value == destination and grant.amount.amount == 9_500
    assert provider.refunds(grant.payment_ref) == []
    pipeline.pump()
    pipeline.pump()
    issued = [e for e in pipeline.outbound_events() if e["detail-type"] == event
              and e["detail"]["ticket_id"] == ticket.id]
    assert len(issued) == 1 and issued[0]["source"] == "aftersales.refunds"
    assert issued[0]["detail"]["amount"] == _cny(9_500) and issued[0]["detail"]["customer_id"] == "cust-1"
    status = api.request("GET", f"/tickets/{ticket.id}/refund", headers=demo["acme"]["cust-1"]).body
    assert status["grants"][0]["destination"] == destination and status["grants"][0]["status"] == "succeeded"
    again = api.request("PUT", f"/tickets/{ticket.id}/refund-destination", {"destination": "original_payment"},
                        demo["acme"]["cust-1"])
    assert again.status == 409


def test_a_destination_the_tenant_does_not_offer_is_422_and_the_default_is_the_original_payment(
        money, api, demo):
    """GIVEN a tenant offering only store credit WHEN a customer asks for a coupon THEN 422; when
    the tenant withdraws store credit after the customer asked for it, the grant falls back to the
    original payment and records what was asked."""
    svc = money
    provider = _sandbox(svc)
    _settings(api, demo, alternative_destinations=["store_credit"])
    ticket = open_ticket(svc)
    url = f"/tickets/{ticket.id}/refund-destination"
    reply = api.request("PUT", url, {"destination": "coupon"}, demo["acme"]["cust-1"])
    assert reply.status == 422 and reply.body["error"]["fields"][0]["path"] == "destination", reply
    assert api.request("PUT", url, {"destination": "bitcoin"}, demo["acme"]["cust-1"]).status == 422
    assert api.request("PUT", url, {"destination": "store_credit"}, demo["acme"]["cust-1"]).status == 200
    _settings(api, demo)  # withdrawn
    grant = _saga(svc, move(svc, "acme", ticket.id, "pending_approval", "approved", "refund_pending"))
    assert grant.destination.value == "original_payment" and grant.requested_destination.value == "store_credit"
    assert [r["amount"] for r in provider.refunds(grant.payment_ref)] == [9_500]


# ---------------------------------------------------------------------------- refund on arrival
def _received(svc, api, demo, *, automatic: bool, order_id: str = "O-1"):
    """A return approved automatically (the policy's auto_approve route, no reviewer) or by a
    reviewer, shipped back and received."""
    from aftersales.tickets import warrants

    ticket = open_ticket(svc, ticket_type="return_refund", quantity=2, order_quantity=2, order_id=order_id)
    if automatic:
        move(svc, "acme", ticket.id, "pending_approval")
        svc.tickets.transition("acme", ticket.id, Status.APPROVED, Actor(id="approval-flow", roles=frozenset(
            {Role.SYSTEM})), warrant=warrants.ApprovalRecord(outcome="approved", route="auto_approve",
                                                             requester_id=ticket.requested_by or "", decisions=()))
        move(svc, "acme", ticket.id, "awaiting_return")
    else:
        move(svc, "acme", ticket.id, "pending_approval", "approved", "awaiting_return")
    shipped = api.request("POST", f"/tickets/{ticket.id}/return-shipment",
                          {"carrier": "sf-express", "tracking_number": f"SF-ARR-{ticket.id[-6:]}"},
                          demo["acme"]["cust-1"])
    assert shipped.status == 200, shipped
    return move(svc, "acme", ticket.id, "return_received")


def test_refund_on_arrival_accepts_an_auto_approved_return_when_the_carrier_delivers_it(money, pipeline, api, demo):
    """GIVEN a tenant that accepts auto-approved returns on arrival WHEN such a return reaches
    return_received THEN the money-path consumer inspects it as the platform, every unit accepted,
    and the refund starts; a return a person approved waits for its inspection, and so does every
    return of a tenant that did not opt in."""
    svc = money
    ticket = _received(svc, api, demo, automatic=True)
    assert svc.returns.accept_on_arrival("acme", ticket.id) == "inspection_required"  # not opted in yet
    _settings(api, demo, accept_returns_on_arrival=True)
    got = api.request("GET", "/refund-settings", headers=demo["acme"]["admin"])
    assert got.status == 200 and got.body["accept_returns_on_arrival"] is True, got

    pipeline.pump()  # the return_received entry reaches the money-path consumer
    after = svc.tickets.get("acme", ticket.id, OPS)
    assert after.status is Status.REFUND_PENDING, after.status
    assert [(ln.quantity_received, ln.quantity_accepted) for ln in after.lines] == [(2, 2)]
    inspected = [e for e in svc.ticket_store.audit_entries("acme", ticket.id) if e.event == "ticket.inspection_passed"]
    assert len(inspected) == 1 and inspected[0].reason == "accepted_on_arrival"
    assert inspected[0].actor_role == "system"
    assert svc.returns.accept_on_arrival("acme", ticket.id) == "not_received"  # redelivery moves nothing

    reviewed = _received(svc, api, demo, automatic=False, order_id="O-2")
    pipeline.pump()
    assert svc.tickets.get("acme", reviewed.id, OPS).status is Status.RETURN_RECEIVED
    assert svc.returns.accept_on_arrival("acme", reviewed.id) == "reviewed_return"
