"""Cross-border returns through the API under moto: the tenant's warehouses chosen by the delivery
country, the return authorisation number, the customs declaration (validated with field paths,
recorded once on the audit chain) and the return shipment refused until a border-crossing return
is declared — in ReturnService, where the shipment is written, not only in a route."""

from __future__ import annotations

import pytest

from tests.support.channels import extra_resources, seed_order
from tests.support.tickets import approve_as_reviewer

WAREHOUSES = {"warehouses": [
    {"id": "shenzhen", "name": "Shenzhen returns", "country": "CN", "address_lines": ["1 Keji Road", "Shenzhen"],
     "serves": ["CN", "HK"], "default": True},
    {"id": "frankfurt", "name": "EU returns hub", "country": "DE", "address_lines": ["Hafenstr. 5", "60327 Frankfurt"],
     "serves": ["DE", "FR", "AT"]}]}
DECLARATION = {"incoterms": "DAP", "reason": "returned_goods", "lines": [
    {"line_id": "L1", "quantity": 1, "hs_code": "6912.00", "country_of_origin": "CN",
     "declared_value": {"amount": 9500, "currency": "CNY"}, "description": "Ceramic mug"}]}


@pytest.fixture
def env(aws, api, demo):
    extra_resources(aws)
    seed_order("acme", "O-1", customer="cust-1")
    return {"api": api, "demo": demo["acme"]}


def _awaiting_return(country: str) -> str:
    from aftersales.orders.domain import Order
    from aftersales.tickets.domain import Actor, LineRequest, OpenTicket
    from aftersales.tickets.model import Channel, Role, Status, TicketType
    from aftersales.wiring import services
    from tests.support.tickets import order_payload

    svc, system = services(), Actor(id="test-system", roles=frozenset({Role.SYSTEM}))
    payload = order_payload(f"O-{country}", "cust-1")
    payload["shipping"]["country"] = country
    svc.tickets.upsert_order("acme", Order.model_validate(payload))
    ticket = svc.tickets.open("acme", OpenTicket(type=TicketType.RETURN_REFUND, order_id=f"O-{country}",
                                                 channel=Channel.APP, reason_code="quality",
                                                 lines=[LineRequest(line_id="L1", quantity=1)]), system)
    svc.tickets.transition("acme", ticket.id, Status.PENDING_APPROVAL, system)
    approve_as_reviewer(svc.tickets, "acme", ticket.id)
    svc.tickets.transition("acme", ticket.id, Status.AWAITING_RETURN, system)
    return ticket.id


def _paths(reply) -> list[str]:
    return [f["path"] for f in reply.body["error"].get("fields", [])]


def _ship(env, ticket_id: str, tracking: str):
    body = {"carrier": "dhl", "tracking_number": tracking}
    return env["api"].request("POST", f"/tickets/{ticket_id}/return-shipment", body, env["demo"]["cust-1"])


def test_a_return_from_germany_goes_to_the_eu_hub_and_needs_its_declaration_before_shipping(env):
    api, who = env["api"], env["demo"]
    assert api.request("PUT", "/return-destinations", WAREHOUSES, who["admin"]).status == 200
    ticket_id = _awaiting_return("DE")
    # the customer reads where to send it: a domestic warehouse for the delivery country, no customs
    told = api.request("GET", f"/tickets/{ticket_id}/return-instructions", None, who["cust-1"])
    assert told.status == 200, told
    body = told.body
    assert body["destination"]["id"] == "frankfurt" and body["cross_border"] is False
    assert body["declaration_required"] is False and body["authorisation_number"].startswith("RA-")

    # the EU hub closes: Germany falls to the default warehouse in China, a border is crossed
    only_cn = {"warehouses": [WAREHOUSES["warehouses"][0]]}
    assert api.request("PUT", "/return-destinations", only_cn, who["admin"]).status == 200
    body = api.request("GET", f"/tickets/{ticket_id}/return-instructions", None, who["cust-1"]).body
    assert body["destination"]["id"] == "shenzhen" and body["cross_border"] is True and body["declaration_required"]

    refused = _ship(env, ticket_id, "DHL123")
    assert refused.status == 422 and _paths(refused) == ["declaration"], refused
    status = api.request("GET", f"/tickets/{ticket_id}", None, who["agent"]).body["status"]
    assert status == "awaiting_return"  # nothing was written

    declared = api.request("PUT", f"/tickets/{ticket_id}/return-declaration", DECLARATION, who["cust-1"])
    assert declared.status == 200, declared
    declaration = declared.body["declaration"]
    assert declaration["lines"][0]["hs_code"] == "691200" and declaration["recorded_by"] == "cust-1"
    again = api.request("PUT", f"/tickets/{ticket_id}/return-declaration", DECLARATION, who["cust-1"])
    assert again.status == 200
    audit = api.request("GET", f"/tickets/{ticket_id}/audit", None, who["supervisor"]).body["entries"]
    assert [e["event"] for e in audit].count("ticket.return_declaration_recorded") == 1  # the same again: once

    shipped = _ship(env, ticket_id, "DHL123")
    assert shipped.status == 200, shipped
    assert shipped.body["status"] == "return_in_transit"
    late = api.request("PUT", f"/tickets/{ticket_id}/return-declaration", DECLARATION, who["cust-1"])
    assert late.status == 409


@pytest.mark.parametrize("change, field", [
    ({"hs_code": "69-12"}, "lines[0].hs_code"),
    ({"country_of_origin": "China"}, "lines[0].country_of_origin"),
    ({"declared_value": {"amount": -1, "currency": "CNY"}}, "lines[0].declared_value.amount"),
    ({"quantity": 5}, "lines[0].quantity"),
    ({"line_id": "L9"}, "lines[0].line_id"),
])
def test_a_malformed_declaration_is_a_422_naming_the_field(env, change, field):
    api, who = env["api"], env["demo"]
    ticket_id = _awaiting_return("FR")
    body = {**DECLARATION, "lines": [{**DECLARATION["lines"][0], **change}]}
    refused = api.request("PUT", f"/tickets/{ticket_id}/return-declaration", body, who["cust-1"])
    assert refused.status == 422, refused
    assert field in _paths(refused)


def test_incoterms_outside_incoterms_2020_are_refused(env):
    api, who = env["api"], env["demo"]
    ticket_id = _awaiting_return("FR")
    refused = api.request("PUT", f"/tickets/{ticket_id}/return-declaration", {**DECLARATION, "incoterms": "DDU"},
                          who["cust-1"])
    assert refused.status == 422 and "incoterms" in str(refused.body)


def test_warehouses_are_set_by_admins_and_a_country_is_served_once(env):
    api, who = env["api"], env["demo"]
    assert api.request("PUT", "/return-destinations", WAREHOUSES, who["agent"]).status == 403
    assert api.request("GET", "/return-destinations", None, who["supervisor"]).status == 404  # none yet
    twice = {"warehouses": [WAREHOUSES["warehouses"][0], {**WAREHOUSES["warehouses"][1], "serves": ["HK"]}]}
    refused = api.request("PUT", "/return-destinations", twice, who["admin"])
    assert refused.status == 422 and "HK" in str(refused.body)


def test_another_customer_learns_nothing_of_the_return(env):
    api, who = env["api"], env["demo"]
    ticket_id = _awaiting_return("DE")
    assert api.request("GET", f"/tickets/{ticket_id}/return-instructions", None, who["cust-2"]).status == 404
    assert api.request("PUT", f"/tickets/{ticket_id}/return-declaration", DECLARATION,
                       who["cust-2"]).status == 404
