"""The eligibility consumer under moto, on the template's bus and queues: a storefront's refund-only
request on a delivered order goes to approval routing with no further call, an out-of-window return
is refused with the reason in the customer's language, a redelivered event moves nothing, a failed
record is reported alone; and the intake rules over HTTP (draft with If-Match, 422 with the field,
dry run, publish)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from tests.support.lambdas import FakeContext, load_handler, sqs_record
from tests.support.pipeline import Pipeline


@pytest.fixture
def pipeline(aws, money):
    return Pipeline(aws, triage=True)


def _order(api, key, order_id: str, delivered_days_ago: int, customer: str = "cust-1") -> None:
    at = datetime.now(UTC) - timedelta(days=delivered_days_ago)
    order = {"order_id": order_id, "version": 1, "channel": "app", "currency": "CNY",
             "customer": {"id": customer, "tier": "standard"},
             "payment": {"provider": "sandbox", "reference": f"ch_{order_id}",
                         "captured": {"amount": 4900, "currency": "CNY"}},
             "shipping": {"country": "CN", "fee": {"amount": 1000, "currency": "CNY"}},
             "lines": [{"line_id": "1", "sku": "CUP", "name": "Cup", "quantity": 1,
                        "unit_price_paid": {"amount": 3900, "currency": "CNY"}}],
             "placed_at": (at - timedelta(days=3)).isoformat(),
             "fulfilment": {"status": "delivered", "shipped_at": (at - timedelta(days=2)).isoformat(),
                            "delivered_at": at.isoformat()}}
    reply = api.request("PUT", f"/orders/{order_id}", order, headers=key)
    assert reply.status == 201, reply


def _ticket(api, key, order_id: str, ticket_type: str) -> str:
    reply = api.request("POST", "/tickets", {"type": ticket_type, "order_id": order_id, "channel": "app",
                                             "reason_code": "dislike", "lines": [{"line_id": "1", "quantity": 1}]},
                        headers={**key, "Accept-Language": "zh-CN"})
    assert reply.status == 201, reply
    return reply.body["id"]


def test_a_storefront_refund_is_routed_and_an_out_of_window_return_refused(pipeline, api, demo, aws, money):
    """GIVEN the demo tenant with no published rules (the defaults) WHEN the storefront opens a
    refund-only request on an order delivered 3 days ago and a return on one delivered 45 days ago,
    and the events are pumped THEN the first is pending_approval with its approval execution started,
    the second rejected, its reason readable by the customer in Chinese; pumping every event again
    writes nothing."""
    key = demo["acme"]["key"]
    _order(api, key, "ELIG-1", delivered_days_ago=3)
    _order(api, key, "ELIG-2", delivered_days_ago=45)
    refund, late = _ticket(api, key, "ELIG-1", "refund_only"), _ticket(api, key, "ELIG-2", "return_refund")
    pipeline.pump()

    assert money.tickets.get("acme", refund, _system()).status.value == "pending_approval"
    machine = aws.state_machines["ApprovalStateMachine"].arn
    names = {e["name"] for e in boto3.client("stepfunctions").list_executions(stateMachineArn=machine)["executions"]}
    assert f"{refund}-a2" in names

    assert money.tickets.get("acme", late, _system()).status.value == "rejected"
    reply = api.request("GET", f"/tickets/{late}/eligibility", headers=demo["acme"]["cust-1"])
    assert reply.status == 200, reply
    evaluation = reply.body["evaluation"]
    assert reply.body["recorded"] and evaluation["outcome"] == "ineligible"
    assert evaluation["reason"] == "eligibility.outside_return_window"
    assert evaluation["customer_message"]["locale"] == "zh-Hans"
    assert "已超过签收后 30 天的售后期限" in evaluation["customer_message"]["text"]
    assert "30-day" in evaluation["message"]  # the reader's own language (no Accept-Language: English)
    window = next(c for c in evaluation["checks"] if c["check"] == "return_window")
    assert window["verdict"] == "fail" and window["details"]["days_since_delivery"] == 45

    entries = {t: len(money.ticket_store.audit_entries("acme", t)) for t in (refund, late)}
    pipeline.forget_published()
    pipeline.pump()
    assert {t: len(money.ticket_store.audit_entries("acme", t)) for t in (refund, late)} == entries


def test_a_record_that_fails_is_reported_alone(pipeline, api, demo):
    """GIVEN a batch with an event of an unknown ticket WHEN the handler runs THEN only that record
    is a batch item failure (SQS retries it, then the DLQ keeps it); the other is triaged."""
    key = demo["acme"]["key"]
    _order(api, key, "ELIG-3", delivered_days_ago=1)
    ticket_id = _ticket(api, key, "ELIG-3", "refund_only")
    handler = load_handler("eligibility_triage")
    event = {"Records": [sqs_record({"detail": {"tenant_id": "acme", "ticket_id": ticket_id}}, "1"),
                         sqs_record({"detail": {"tenant_id": "acme", "ticket_id": "tkt_missing"}}, "2")]}
    assert handler.lambda_handler(event, FakeContext("eligibility")) == {"batchItemFailures": [{"itemIdentifier": "2"}]}
    from aftersales.wiring import services

    assert services().tickets.get("acme", ticket_id, _system()).status.value == "pending_approval"


def test_intake_rules_over_http(pipeline, api, demo):
    admin, agent = demo["acme"]["admin"], demo["acme"]["agent"]
    assert api.request("GET", "/eligibility-rules", headers=agent).body["rules"]["version"] == 1
    assert api.request("GET", "/eligibility-rules/draft", headers=agent).status == 403
    draft = api.request("GET", "/eligibility-rules/draft", headers=admin)
    assert draft.status == 200 and draft.body["revision"] == 0

    bad = api.request("PUT", "/eligibility-rules/draft", {"rules": [{"id": "web", "when": {"channels": ["web"]}}]},
                      headers=admin)
    assert bad.status == 422 and bad.body["error"]["fields"][0]["path"] == "body"
    assert "catch-all" in bad.body["error"]["fields"][0]["message"]
    negative = api.request("PUT", "/eligibility-rules/draft", {"rules": [{"id": "all", "return_window_days": -1}]},
                           headers=admin)
    assert negative.status == 422 and negative.body["error"]["fields"][0]["path"] == "rules.0.return_window_days"
    document = {"rules": [{"id": "all", "return_window_days": 60}], "non_returnable_categories": ["food"]}
    put = api.request("PUT", "/eligibility-rules/draft", document, headers=admin)
    assert put.status == 200 and put.body["revision"] == 1
    stale = api.request("PUT", "/eligibility-rules/draft", document, headers={**admin, "If-Match": '"7"'})
    assert stale.status == 409

    key = demo["acme"]["key"]
    _order(api, key, "ELIG-4", delivered_days_ago=45)
    late = _ticket(api, key, "ELIG-4", "return_refund")
    run = api.request("POST", "/eligibility-rules/draft/dry-run", {"ticket_ids": [late]}, headers=admin)
    assert run.status == 200, run
    assert run.body["changed"] == 1 and run.body["tickets"][0]["draft"]["outcome"] == "eligible"

    published = api.request("POST", "/eligibility-rules/publish", headers={**admin, "Idempotency-Key": "pub-1"})
    assert published.status == 200 and published.body["rules"]["version"] == 2
    assert api.request("GET", "/eligibility-rules", headers=agent).body["rules"]["version"] == 2


def _system():
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role

    return Actor(id="test", roles=frozenset({Role.SYSTEM}))
