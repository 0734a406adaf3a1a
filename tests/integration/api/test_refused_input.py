"""Input the API refuses, through the real authorizer and handler on DynamoDB under moto: each case
answers one 4xx with its error code (and the field path where there is one) and writes nothing.

The rules themselves are unit-tested (tests/unit/http, tests/unit/core); these tests prove that the
API function applies them. Contacts that cannot be addresses are covered at this level by
tests/integration/channels/test_undeliverable_contacts.py.
"""

from __future__ import annotations

import pytest

from tests.support.channels import extra_resources
from tests.support.tickets import order_payload

TICKET = {"type": "return_refund", "order_id": "O-1", "channel": "app", "reason_code": "damaged",
          "lines": [{"line_id": "L1", "quantity": 1}]}


@pytest.fixture
def acme(api, demo):
    """Tenant acme with order O-1 (2 mugs) for cust-1, and no ticket yet."""
    assert api.request("PUT", "/orders/O-1", order_payload(), demo["acme"]["key"]).status == 201
    return demo["acme"]


def tickets(api, creds) -> list[dict]:
    return api.request("GET", "/tickets", headers=creds).body["items"]


def refused(reply, status: int, code: str, path: str | None = None) -> None:
    assert reply.status == status, reply
    assert reply.body["error"]["code"] == code, reply
    if path is not None:
        assert path in [f["path"] for f in reply.body["error"]["fields"]], reply


class TestBodies:
    def test_a_body_that_is_not_utf8_is_refused(self, api, acme):
        """GIVEN a ticket body in GBK bytes WHEN posted as JSON THEN 400 body_not_utf8 at body, no ticket."""
        raw = '{"type": "return_refund", "description": "壶底漏水"}'.encode("gbk")
        refused(api.request("POST", "/tickets", headers=acme["agent"], raw_body=raw), 400, "body_not_utf8", "body")
        assert tickets(api, acme["agent"]) == []

    def test_multipart_without_a_boundary_is_refused_as_another_media_type(self, api, acme):
        """GIVEN Content-Type multipart/form-data with no boundary WHEN posting a ticket
        THEN 415 unsupported_media_type, no ticket."""
        headers = {**acme["agent"], "Content-Type": "multipart/form-data"}
        refused(api.request("POST", "/tickets", headers=headers, raw_body="--x\r\n\r\n{}\r\n--x--"),
                415, "unsupported_media_type")
        assert tickets(api, acme["agent"]) == []

    def test_json_nested_100000_deep_is_one_400(self, api, acme):
        """GIVEN a description nested 100,000 arrays deep WHEN posted THEN 400 json_too_deep, no ticket."""
        raw = '{"type": "return_refund", "description": ' + "[" * 100_000 + "]" * 100_000 + "}"
        refused(api.request("POST", "/tickets", headers=acme["agent"], raw_body=raw), 400, "json_too_deep", "body")
        assert tickets(api, acme["agent"]) == []


class TestCursors:
    @pytest.fixture
    def two_tickets(self, api, acme):
        for line in ("L1", "L1"):
            body = {**TICKET, "lines": [{"line_id": line, "quantity": 1}]}
            assert api.request("POST", "/tickets", body, acme["agent"]).status == 201
        page = api.request("GET", "/tickets", headers=acme["agent"], query={"limit": "1"})
        assert page.status == 200 and page.body["next_cursor"]
        return page.body["next_cursor"]

    @pytest.mark.parametrize("cursor", ['[1, 2]', "a plain string", '{"junk": true}',
                                        "eyJqdW5rIjogdHJ1ZX0.AAAAAAAAAAAAAAAAAAAAAA"])
    def test_a_cursor_the_api_did_not_issue_is_refused(self, api, acme, two_tickets, cursor):
        """GIVEN a JSON list, a plain string, a junk object, a junk object with a made-up MAC
        WHEN sent as ?cursor THEN 422 invalid_request at query.cursor."""
        reply = api.request("GET", "/tickets", headers=acme["agent"], query={"limit": "1", "cursor": cursor})
        refused(reply, 422, "invalid_request", "query.cursor")

    def test_a_cursor_from_another_query_is_refused(self, api, acme, two_tickets):
        """GIVEN a cursor issued for the unfiltered listing WHEN used with ?status=submitted THEN 422."""
        reply = api.request("GET", "/tickets", headers=acme["agent"],
                            query={"limit": "1", "status": "submitted", "cursor": two_tickets})
        refused(reply, 422, "invalid_request", "query.cursor")

    def test_a_cursor_from_another_tenant_is_refused(self, api, demo, acme, two_tickets):
        """GIVEN a cursor acme's agent was given WHEN tenant other's agent sends it THEN 422."""
        reply = api.request("GET", "/tickets", headers=demo["other"]["agent"],
                            query={"limit": "1", "cursor": two_tickets})
        refused(reply, 422, "invalid_request", "query.cursor")

    def test_the_cursor_still_pages_for_the_listing_that_issued_it(self, api, acme, two_tickets):
        reply = api.request("GET", "/tickets", headers=acme["agent"], query={"limit": "1", "cursor": two_tickets})
        assert reply.status == 200 and len(reply.body["items"]) == 1


class TestText:
    @pytest.mark.parametrize("description", ["leaks\x00here", "bell\x07and\x1bescape"])
    def test_control_characters_in_a_ticket_description_are_refused(self, api, acme, description):
        """GIVEN a description with NUL or other control characters WHEN opening a ticket
        THEN 422 validation_error at description, no ticket."""
        reply = api.request("POST", "/tickets", {**TICKET, "description": description}, acme["agent"])
        refused(reply, 422, "validation_error", "description")
        assert tickets(api, acme["agent"]) == []

    @pytest.mark.parametrize("text", ["hello\x00", "line\x0bfeed\x7f"])
    def test_control_characters_in_a_reply_are_refused(self, api, acme, aws, text):
        """GIVEN an open ticket WHEN an agent replies with NUL/control characters
        THEN 422 validation_error at body, and the conversation holds no new message."""
        extra_resources(aws)
        ticket = api.request("POST", "/tickets", TICKET, acme["agent"]).body["id"]
        before = api.request("GET", f"/tickets/{ticket}/conversation", headers=acme["agent"])
        assert before.status == 200, before
        reply = api.request("POST", f"/tickets/{ticket}/replies", {"body": text}, acme["agent"])
        refused(reply, 422, "validation_error", "body")
        after = api.request("GET", f"/tickets/{ticket}/conversation", headers=acme["agent"])
        assert after.body == before.body


class TestOrders:
    def push(self, api, acme, order: dict):
        reply = api.request("PUT", "/orders/O-9", order, acme["key"])
        assert api.request("GET", "/orders/O-9", headers=acme["key"]).status == 404
        return reply

    def test_currency_xxx_is_refused(self, api, acme):
        """GIVEN an order in XXX ("no currency") WHEN pushed THEN 422 at currency, nothing stored."""
        refused(self.push(api, acme, order_payload("O-9", currency="XXX")), 422, "validation_error", "currency")

    def test_a_unit_price_of_10_to_the_30_is_refused(self, api, acme):
        """GIVEN a unit price of 10^30 minor units (outside int64) WHEN pushed THEN 400 malformed_json at
        body, before any route runs; nothing stored."""
        order = order_payload("O-9")
        order["lines"][0]["unit_price_paid"]["amount"] = 10**30
        refused(self.push(api, acme, order), 400, "malformed_json", "body")

    def test_a_unit_price_above_the_money_bound_is_refused_at_its_field(self, api, acme):
        """GIVEN a unit price inside int64 but above MAX_AMOUNT WHEN pushed THEN 422 at its amount."""
        order = order_payload("O-9")
        order["lines"][0]["unit_price_paid"]["amount"] = 10**15
        refused(self.push(api, acme, order), 422, "validation_error", "lines[0].unit_price_paid.amount")

    def test_an_order_version_of_2_to_the_63_is_refused(self, api, acme):
        """GIVEN version 2^63 (one past int64) WHEN pushed THEN 400 malformed_json at body, nothing stored."""
        refused(self.push(api, acme, order_payload("O-9", version=2**63)), 400, "malformed_json", "body")

    def test_placed_at_in_year_9999_is_refused(self, api, acme):
        """GIVEN placed_at 9999-12-31 WHEN pushed THEN 422 at placed_at, nothing stored."""
        order = order_payload("O-9") | {"placed_at": "9999-12-31T23:59:59+00:00"}
        refused(self.push(api, acme, order), 422, "validation_error", "placed_at")


def test_a_quantity_sent_as_a_string_is_refused(api, acme):
    """GIVEN a ticket line with quantity "1" (a string) WHEN opening THEN 422 at lines[0].quantity, no ticket."""
    body = {**TICKET, "lines": [{"line_id": "L1", "quantity": "1"}]}
    refused(api.request("POST", "/tickets", body, acme["agent"]), 422, "validation_error", "lines[0].quantity")
    assert tickets(api, acme["agent"]) == []
