"""Authentication, roles and tenant isolation through the real authorizer."""

from __future__ import annotations

from datetime import timedelta

from aftersales.tickets.model import Role
from aftersales.wiring import services
from tests.support.lambdas import FakeContext
from tests.support.tickets import order_payload


def _ticket(api, creds, order_id="O-1"):
    body = {"type": "refund_only", "order_id": order_id, "channel": "app", "reason_code": "not_received",
            "lines": [{"line_id": "L1", "quantity": 1}]}
    return api.request("POST", "/tickets", body, creds)


def test_missing_garbage_and_forged_credentials_are_401(api, demo):
    assert api.request("GET", "/tickets").status == 401
    assert api.request("GET", "/tickets", headers={"X-Api-Key": "ak_nope_nope"}).status == 401
    assert api.request("GET", "/tickets", headers={"Authorization": "Bearer not.a.jwt"}).status == 401
    key = demo["acme"]["key"]["X-Api-Key"]
    assert api.request("GET", "/tickets", headers={"X-Api-Key": key[:-2] + "xx"}).status == 401
    forged = services().tenants  # a token signed with another tenant's key but claiming acme
    other_token = forged.mint_customer_token("other", "cust-1", timedelta(minutes=5))
    header, payload, sig = other_token.split(".")
    import base64
    import json
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["tid"] = "acme"
    tampered = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert api.request("GET", "/tickets", headers={"Authorization": f"Bearer {header}.{tampered}.{sig}"}).status == 401


def test_disabled_staff_are_denied_at_once(api, demo):
    assert api.request("GET", "/tickets", headers=demo["acme"]["agent"]).status == 200
    services().tenants.put_staff("acme", "agent-1", "Agent", frozenset({Role.AGENT}), status="disabled")
    assert api.request("GET", "/tickets", headers=demo["acme"]["agent"]).status == 403


def test_tenants_cannot_see_or_touch_each_others_tickets(api, demo):
    """GIVEN the same order id in two tenants WHEN each acts THEN neither reaches the other's data."""
    acme, other = demo["acme"], demo["other"]
    api.request("PUT", "/orders/O-1", order_payload(), acme["key"])
    ticket = _ticket(api, acme["cust-1"]).body
    # Same ids in the other tenant: not found, not forbidden, so existence does not leak.
    assert api.request("GET", f"/tickets/{ticket['id']}", headers=other["supervisor"]).status == 404
    assert api.request("GET", f"/tickets/{ticket['id']}", headers=other["key"]).status == 404
    moved = api.request("POST", f"/tickets/{ticket['id']}/transitions", {"to": "cancelled"}, other["admin"])
    assert moved.status == 404
    assert api.request("GET", "/orders/O-1", headers=other["key"]).status == 404
    assert _ticket(api, other["cust-1"]).status == 422  # their O-1 does not exist
    assert api.request("GET", "/tickets", headers=other["supervisor"]).body["items"] == []
    assert api.request("GET", f"/tickets/{ticket['id']}", headers=acme["supervisor"]).body["status"] == "submitted"


def test_customers_see_only_their_own_tickets(api, demo):
    acme = demo["acme"]
    api.request("PUT", "/orders/O-1", order_payload(), acme["key"])
    api.request("PUT", "/orders/O-2", order_payload("O-2", customer="cust-2"), acme["key"])
    mine = _ticket(api, acme["cust-1"]).body
    theirs = _ticket(api, acme["cust-2"], "O-2").body
    assert _ticket(api, acme["cust-1"], "O-2").status == 403  # not their order
    assert api.request("GET", f"/tickets/{theirs['id']}", headers=acme["cust-1"]).status == 404
    listed = api.request("GET", "/tickets", headers=acme["cust-1"], query={"customer_id": "cust-2"}).body
    assert [t["id"] for t in listed["items"]] == [mine["id"]]
    assert api.request("GET", "/orders/O-2", headers=acme["cust-1"]).status == 404
    everyone = api.request("GET", "/tickets", headers=acme["agent"]).body["items"]
    assert {t["id"] for t in everyone} == {mine["id"], theirs["id"]}


def test_status_queue_and_pagination(api, demo):
    acme = demo["acme"]
    api.request("PUT", "/orders/O-1", order_payload(quantity=5), acme["key"])
    ids = [_ticket(api, acme["cust-1"]).body["id"] for _ in range(5)]
    api.request("POST", f"/tickets/{ids[0]}/transitions", {"to": "pending_approval"}, acme["agent"])
    queue = api.request("GET", "/tickets", headers=acme["agent"], query={"status": "pending_approval"}).body
    assert [t["id"] for t in queue["items"]] == [ids[0]]
    seen, cursor = [], None
    while True:
        page = api.request("GET", "/tickets", headers=acme["agent"],
                           query={"limit": "2", **({"cursor": cursor} if cursor else {})}).body
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(ids, reverse=True)
    assert api.request("GET", "/tickets", headers=acme["agent"], query={"cursor": "%%%"}).status == 422


def test_customer_tokens_come_from_the_storefront_and_staff_from_an_admin(api, demo):
    """GIVEN the storefront key, a customer and an admin WHEN each mints or registers THEN customer
    tokens only for the storefront, staff registration and staff tokens only for the admin (the
    storefront key's scopes: docs/decisions.md, 2026-12-01)."""
    acme = demo["acme"]
    minted = api.request("POST", "/auth/customer-tokens", {"customer_id": "cust-9"}, acme["key"])
    assert minted.status == 201
    assert api.request("GET", "/tickets", headers={"Authorization": f"Bearer {minted.body['token']}"}).status == 200
    assert api.request("POST", "/auth/customer-tokens", {"customer_id": "cust-9"}, acme["cust-1"]).status == 403
    staff = api.request("PUT", "/staff/new-agent", {"display_name": "New", "roles": ["agent"]}, acme["admin"])
    assert staff.status == 200
    token = api.request("POST", "/auth/staff-tokens", {"user_id": "new-agent"}, acme["admin"]).body["token"]
    assert api.request("GET", "/tickets", headers={"Authorization": f"Bearer {token}"}).status == 200
    assert api.request("PUT", "/staff/x", {"display_name": "X", "roles": ["god"]}, acme["admin"]).status == 422


def test_type_catalogue_tables_and_diagrams(api, demo):
    creds = {**demo["acme"]["agent"], "Accept-Language": "zh-CN"}
    types = api.request("GET", "/ticket-types", headers=creds).body["items"]
    assert {t["type"] for t in types} == {"return_refund", "exchange", "repair", "refund_only",
                                          "shipping_fee_refund", "complaint"}
    assert next(t for t in types if t["type"] == "repair")["label"] == "维修"
    table = api.request("GET", "/ticket-types/exchange/transitions", headers=creds).body
    assert {"from": "reshipping", "to": "reshipped"}.items() <= next(
        t for t in table["transitions"] if t["to"] == "reshipped").items()
    diagram = api.request("GET", "/ticket-types/complaint/diagram", headers=creds).body["diagram"]
    assert "investigating --> resolved" in diagram and "处理中" in diagram
    assert api.request("GET", "/ticket-types/teleport/diagram", headers=creds).status == 422


def test_openapi_is_generated_from_the_code(api):
    doc = api.api.lambda_handler({"resource": "/openapi.json", "path": "/openapi.json", "httpMethod": "GET",
                                  "headers": {}, "multiValueHeaders": {}, "queryStringParameters": None,
                                  "multiValueQueryStringParameters": None, "pathParameters": None,
                                  "stageVariables": None, "requestContext": {"requestId": "r", "stage": "v1"},
                                  "body": None, "isBase64Encoded": False}, FakeContext("api"))
    import json
    spec = json.loads(doc["body"])
    assert spec["openapi"].startswith("3.")
    assert {"/tickets", "/tickets/{ticket_id}/transitions", "/orders/{order_id}", "/tickets/{ticket_id}/replies",
            "/inbox/unmatched", "/inbox/unmatched/{item_id}/resolve"} <= set(spec["paths"])
    assert "ReplyRequest" in spec["components"]["schemas"]
    assert "CreateTicketRequest" in spec["components"]["schemas"]
