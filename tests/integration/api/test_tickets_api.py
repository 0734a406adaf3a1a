"""The REST API through the real authorizer and handler, on DynamoDB under moto."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.support.tickets import approve_as_reviewer, order_payload


@pytest.fixture
def acme(api, demo):
    """Tenant acme with order O-1 (2 mugs) for cust-1."""
    reply = api.request("PUT", "/orders/O-1", order_payload(), demo["acme"]["key"])
    assert reply.status == 201
    return demo["acme"]


def open_return(api, creds, quantity=1, key=None, order_id="O-1", **extra):
    headers = {**creds, **({"Idempotency-Key": key} if key else {})}
    body = {"type": "return_refund", "order_id": order_id, "channel": "app", "reason_code": "damaged",
            "lines": [{"line_id": "L1", "quantity": quantity}], **extra}
    return api.request("POST", "/tickets", body, headers)


class TestOrders:
    def test_upserts_are_idempotent_by_version(self, api, acme):
        """GIVEN O-1 v1 stored WHEN pushed again, then v2, then v1 THEN unchanged, replace, 409 stale."""
        key = acme["key"]
        assert api.request("PUT", "/orders/O-1", order_payload(), key).body["outcome"] == "unchanged"
        assert api.request("PUT", "/orders/O-1", order_payload(version=2, quantity=3), key).body["outcome"] == "replace"
        stale = api.request("PUT", "/orders/O-1", order_payload(version=1), key)
        assert stale.status == 409 and stale.body["error"]["code"] == "conflict"
        changed = api.request("PUT", "/orders/O-1", order_payload(version=2, quantity=5), key)
        assert changed.status == 409

    def test_amounts_must_share_the_order_currency(self, api, acme):
        bad = order_payload(order_id="O-9")
        bad["lines"][0]["unit_price_paid"]["currency"] = "USD"
        reply = api.request("PUT", "/orders/O-9", bad, acme["key"])
        assert reply.status == 422 and "order currency" in json.dumps(reply.body)

    def test_customers_cannot_push_orders(self, api, acme):
        assert api.request("PUT", "/orders/O-2", order_payload("O-2"), acme["cust-1"]).status == 403


class TestOpeningTickets:
    def test_customer_opens_a_return_priced_from_the_order(self, api, acme):
        reply = open_return(api, acme["cust-1"], quantity=2)
        assert reply.status == 201, reply
        ticket = reply.body
        assert ticket["requested_amount"] == {"amount": 19000, "currency": "CNY"}
        assert ticket["status"] == "submitted" and ticket["version"] == 1
        assert ticket["customer_id"] == "cust-1" and ticket["lines"][0]["quantity_requested"] == 2

    def test_open_tickets_hold_their_quantity(self, api, acme):
        """GIVEN 2 mugs bought and a ticket for 1 WHEN asking for 2 more THEN 422 on lines[0].quantity."""
        assert open_return(api, acme["cust-1"], 1).status == 201
        reply = open_return(api, acme["cust-1"], 2)
        assert reply.status == 422
        assert reply.body["error"]["fields"][0]["path"] == "lines[0].quantity"
        assert reply.body["error"]["details"]["available"] == 1

    def test_cancelling_frees_the_quantity_again(self, api, acme):
        ticket = open_return(api, acme["cust-1"], 2).body
        assert api.request("POST", f"/tickets/{ticket['id']}/transitions", {"to": "cancelled"},
                           acme["cust-1"]).status == 200
        assert open_return(api, acme["cust-1"], 2).status == 201

    def test_schema_errors_name_the_field_and_leave_nothing_behind(self, api, acme):
        reply = api.request("POST", "/tickets", {"type": "return_refund", "order_id": "O-1", "channel": "fax",
                                                 "reason_code": "x", "lines": [{"line_id": "L1", "quantity": 0}]},
                            acme["agent"])
        assert reply.status == 422 and reply.body["error"]["code"] == "validation_error"
        paths = {f["path"] for f in reply.body["error"]["fields"]}
        assert {"channel", "lines[0].quantity"} <= paths
        assert api.request("GET", "/tickets", headers=acme["agent"]).body["items"] == []

    def test_unknown_order_and_line(self, api, acme):
        assert open_return(api, acme["agent"], order_id="NOPE").body["error"]["fields"][0]["path"] == "order_id"
        reply = api.request("POST", "/tickets", {"type": "exchange", "order_id": "O-1", "channel": "app",
                                                 "reason_code": "size", "lines": [{"line_id": "L9", "quantity": 1}]},
                            acme["agent"])
        assert reply.status == 422 and reply.body["error"]["fields"][0]["path"] == "lines[0].line_id"

    def test_errors_speak_the_callers_language(self, api, acme):
        reply = api.request("GET", "/tickets/tkt_missing", headers={**acme["agent"], "Accept-Language": "zh-CN"})
        assert reply.status == 404 and reply.body["error"]["message"] == "未找到服务单 tkt_missing。"
        ticket = open_return(api, {**acme["cust-1"], "Accept-Language": "zh-Hans"}).body
        assert ticket["status_label"] == "已提交" and ticket["type_label"] == "退货退款"

    def test_oversized_bodies_get_413_before_anything_is_read(self, api, acme):
        reply = api.request("POST", "/tickets", headers=acme["agent"], raw_body="x" * 300_000)
        assert reply.status == 413 and reply.body["error"]["code"] == "payload_too_large"


class TestIdempotency:
    def test_same_key_same_body_returns_the_first_response(self, api, acme):
        first = open_return(api, acme["cust-1"], key="k-1")
        again = open_return(api, acme["cust-1"], key="k-1")
        assert first.status == again.status == 201 and first.body["id"] == again.body["id"]
        assert len(api.request("GET", "/tickets", headers=acme["agent"]).body["items"]) == 1

    def test_same_key_different_body_is_rejected(self, api, acme):
        assert open_return(api, acme["cust-1"], 1, key="k-2").status == 201
        reply = open_return(api, acme["cust-1"], 2, key="k-2")
        assert reply.status == 422 and reply.body["error"]["code"] == "idempotency_key_reused"

    def test_keys_are_scoped_to_the_caller(self, api, acme):
        """Two customers who happen to pick the same key do not see each other's responses."""
        api.request("PUT", "/orders/O-2", order_payload("O-2", customer="cust-2"), acme["key"])
        mine = open_return(api, acme["cust-1"], key="same")
        theirs = open_return(api, acme["cust-2"], key="same", order_id="O-2")
        assert theirs.status == 201 and theirs.body["id"] != mine.body["id"]

    def test_failed_requests_are_not_remembered(self, api, acme):
        assert open_return(api, acme["cust-1"], 5, key="k-3").status == 422
        assert open_return(api, acme["cust-1"], 5, key="k-3").status == 422
        assert open_return(api, acme["cust-1"], 1, key="k-4").status == 201


class TestTransitions:
    def test_illegal_transition_is_409_with_allowed_moves(self, api, acme):
        ticket = open_return(api, acme["cust-1"]).body
        reply = api.request("POST", f"/tickets/{ticket['id']}/transitions", {"to": "refunded"}, acme["agent"])
        assert reply.status == 409 and reply.body["error"]["code"] == "illegal_transition"
        allowed = {a["to"]: a for a in reply.body["error"]["allowed"]}
        assert set(allowed) == {"pending_approval", "cancelled", "rejected"}
        # the intake checks' refusal is listed, but only the automatic triage takes it
        assert allowed["rejected"]["permitted"] is False and allowed["rejected"]["use"]
        assert allowed["pending_approval"]["permitted"] is True

    def test_roles_and_if_match(self, api, acme):
        ticket = open_return(api, acme["cust-1"]).body
        path = f"/tickets/{ticket['id']}/transitions"
        assert api.request("POST", path, {"to": "pending_approval"}, acme["key"]).status == 200
        assert api.request("POST", path, {"to": "waiting_customer"}, acme["cust-1"]).status == 403
        stale = api.request("POST", path, {"to": "waiting_customer"}, {**acme["supervisor"], "If-Match": '"1"'})
        assert stale.status == 412
        ok = api.request("POST", path, {"to": "waiting_customer", "reason": "photos please"},
                         {**acme["supervisor"], "If-Match": '"2"'})
        assert ok.status == 200 and ok.body["version"] == 3

    @pytest.mark.parametrize("who", ["agent", "supervisor", "admin", "finance", "key", "cust-1"])
    def test_no_role_approves_through_the_generic_endpoint(self, api, acme, who):
        """GIVEN a ticket pending approval WHEN anyone posts {"to": "approved"} or {"to": "rejected"}
        to /transitions THEN 409 transition_owned names the decisions endpoint and nothing changes."""
        ticket = open_return(api, acme["agent"]).body
        path = f"/tickets/{ticket['id']}/transitions"
        assert api.request("POST", path, {"to": "pending_approval"}, acme["agent"]).status == 200
        for target in ("approved", "rejected"):
            reply = api.request("POST", path, {"to": target}, acme[who])
            assert reply.status == 409, (who, target, reply)
            assert reply.body["error"]["code"] == "illegal_transition"
            assert reply.body["error"]["details"]["use"] == f"POST /tickets/{ticket['id']}/approval/decisions"
        after = api.request("GET", f"/tickets/{ticket['id']}", headers=acme["supervisor"]).body
        assert after["status"] == "pending_approval" and after["version"] == 2
        assert not next(m for m in after["next"] if m["to"] == "approved")["permitted"]

    def test_full_return_journey_leaves_a_verifiable_audit_chain(self, api, acme):
        """GIVEN a return WHEN it is approved by a recorded review, walked through the return leg and
        inspected through /inspection THEN the refund cannot be forced by /transitions (409) and the
        chain verifies."""
        from aftersales.wiring import services

        ticket = open_return(api, acme["cust-1"]).body
        path = f"/tickets/{ticket['id']}/transitions"
        assert api.request("POST", path, {"to": "pending_approval"}, acme["key"]).status == 200
        approve_as_reviewer(services().tickets, "acme", ticket["id"])
        for target, who in [("awaiting_return", "agent"), ("return_in_transit", "cust-1"),
                            ("return_received", "agent"), ("inspecting", "agent")]:
            reply = api.request("POST", path, {"to": target}, acme[who])
            assert reply.status == 200, (target, reply)
        forced = api.request("POST", path, {"to": "refund_pending"}, acme["supervisor"])
        assert forced.status == 409 and forced.body["error"]["details"]["use"].endswith("/inspection")
        inspected = api.request("POST", f"/tickets/{ticket['id']}/inspection",
                                {"lines": [{"line_id": "L1", "accepted": 1}]}, acme["agent"])
        assert inspected.status == 200 and inspected.body["status"] == "refund_pending"
        assert api.request("POST", path, {"to": "refunded"}, acme["finance"]).status == 409
        audit = api.request("GET", f"/tickets/{ticket['id']}/audit", headers=acme["supervisor"]).body["entries"]
        assert [e["to_status"] for e in audit][-1] == "refund_pending" and len(audit) == 8
        assert {e["actor_role"] for e in audit} >= {"customer", "storefront", "agent", "supervisor"}
        verify = api.request("GET", f"/tickets/{ticket['id']}/audit/verify", headers=acme["supervisor"]).body
        assert verify["valid"] and verify["entries"] == 8

    def test_tampering_with_an_audit_entry_is_detected(self, api, acme, aws):
        ticket = open_return(api, acme["cust-1"]).body
        api.request("POST", f"/tickets/{ticket['id']}/transitions", {"to": "pending_approval"}, acme["key"])
        table = boto3.resource("dynamodb").Table(aws.tables["TicketsTable"].name)
        key = {"pk": f"acme#TICKET#{ticket['id']}", "sk": "LOG#00000001"}
        entry = json.loads(table.get_item(Key=key)["Item"]["entry"])
        entry["reason"] = "rewritten"
        table.update_item(Key=key, UpdateExpression="SET #e = :e", ExpressionAttributeNames={"#e": "entry"},
                          ExpressionAttributeValues={":e": json.dumps(entry)})
        verify = api.request("GET", f"/tickets/{ticket['id']}/audit/verify", headers=acme["supervisor"]).body
        assert verify == {**verify, "valid": False, "first_broken_seq": 1, "reason": "hash_mismatch"}

    def test_customers_cannot_read_the_audit_trail(self, api, acme):
        ticket = open_return(api, acme["cust-1"]).body
        assert api.request("GET", f"/tickets/{ticket['id']}/audit", headers=acme["cust-1"]).status == 403


class TestBatch:
    def test_batch_reports_each_item(self, api, acme):
        api.request("PUT", "/orders/O-1", order_payload(version=2, quantity=10), acme["key"])
        ids = [open_return(api, acme["cust-1"]).body["id"] for _ in range(3)]
        api.request("POST", f"/tickets/{ids[0]}/transitions", {"to": "cancelled"}, acme["agent"])
        reply = api.request("POST", "/tickets/batch", {"action": "transition", "to": "pending_approval",
                                                       "ticket_ids": [*ids, "tkt_nope"]}, acme["supervisor"])
        assert reply.status == 200
        by_id = {r["ticket_id"]: r for r in reply.body["results"]}
        assert by_id[ids[1]]["ok"] and by_id[ids[2]]["status"] == "pending_approval"
        assert by_id[ids[0]]["error"]["code"] == "illegal_transition"
        assert by_id["tkt_nope"]["error"]["code"] == "not_found"
        assert (reply.body["succeeded"], reply.body["failed"]) == (2, 2)
        assign = api.request("POST", "/tickets/batch", {"action": "assign", "assignee_id": "agent-1",
                                                        "ticket_ids": ids[1:]}, acme["supervisor"])
        assert assign.body["succeeded"] == 2
        assert api.request("GET", f"/tickets/{ids[1]}", headers=acme["agent"]).body["assignee_id"] == "agent-1"

    def test_customers_cannot_batch(self, api, acme):
        assert api.request("POST", "/tickets/batch", {"action": "close", "ticket_ids": ["x"]},
                           acme["cust-1"]).status == 403


class TestSubTickets:
    def test_a_child_ticket_is_linked_to_its_parent(self, api, acme):
        parent = open_return(api, acme["cust-1"]).body
        child = api.request("POST", "/tickets", {"type": "shipping_fee_refund", "order_id": "O-1", "channel": "app",
                                                 "reason_code": "merchant_fault",
                                                 "parent_ticket_id": parent["id"]}, acme["agent"])
        assert child.status == 201 and child.body["parent_id"] == parent["id"]
        assert child.body["requested_amount"]["amount"] == 1000
        assert api.request("GET", f"/tickets/{parent['id']}", headers=acme["agent"]).body["child_ids"] == [
            child.body["id"]]
