"""Product insights under moto: orders pushed with a batch per line, negative reviews published by
the moderation function, a return opened over the API and its `ticket.created` event (built from the
audit entry as events_publisher builds it) fed to the return_reasons function; then
GET /insights/products/{sku} per week, month and batch, and `insight.suggested` announced once."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from aftersales import wiring
from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.events.envelope import from_audit_image
from aftersales.reviews import insights
from aftersales.reviews.product_insights import SUGGESTED
from aftersales.reviews.service import SUBMITTED
from tests.support.lambdas import FakeContext, load_handler, sqs_record
from tests.support.tickets import order_payload

SIZE = ("尺码偏小，穿着很紧，建议买大一号", "太紧了根本穿不上，只能退货", "码数不准，大了一码，袖子也太长了")


@pytest.fixture
def rig(aws, monkeypatch, request):
    for key, value in aws.functions["ReviewModerationFunction"].environment.items():
        monkeypatch.setenv(key, str(value))
    published = RecordingPublisher()
    wiring.override(wiring.Container(events=published))
    creds = request.getfixturevalue("demo")["acme"]
    api = request.getfixturevalue("api")
    for n in range(1, 5):
        body = order_payload(f"O-{n}", customer="cust-1") | {
            "fulfilment": {"status": "delivered", "delivered_at": "2026-11-25T10:00:00+08:00"},
            "customer": {"id": "cust-1", "account_created_at": "2025-01-01T00:00:00+00:00"}}
        body["lines"][0]["batch"] = "LOT-A" if n % 2 else "LOT-B"
        assert api.request("PUT", f"/orders/O-{n}", body, creds["key"]).status in (200, 201)
    return {"api": api, "creds": creds, "events": published, "consumer": load_handler("review_moderation"),
            "returns": load_handler("return_reasons")}


def publish_reviews(rig) -> list[str]:
    ids = []
    for n, text in enumerate(SIZE, start=1):
        body = {"order_id": f"O-{n}", "line_id": "L1", "rating": 2, "text": text, "locale": "zh-Hans"}
        created = rig["api"].request("POST", "/reviews", body, rig["creds"]["cust-1"])
        assert created.status == 201, created.body
        ids.append(created.body["id"])
    records = [sqs_record({"detail": detail}, message_id=str(i))
               for i, (kind, detail) in enumerate(rig["events"].events) if kind == SUBMITTED]
    assert rig["consumer"].lambda_handler({"Records": records}, FakeContext("ReviewModerationFunction")) == {
        "batchItemFailures": []}
    for review_id in ids:
        review = rig["api"].request("GET", f"/reviews/{review_id}", headers=rig["creds"]["agent"]).body
        assert review["status"] == "published", review["moderation"]
    return ids


def open_return(rig, order_id: str, reason: str) -> dict:
    """The return over the API, and its ticket.created event as the bus delivers it to the queue."""
    ticket = rig["api"].request("POST", "/tickets", {"type": "return_refund", "order_id": order_id, "channel": "app",
                                                     "reason_code": reason,
                                                     "lines": [{"line_id": "L1", "quantity": 1}]},
                                rig["creds"]["cust-1"])
    assert ticket.status == 201, ticket.body
    entry = wiring.services().ticket_store.audit_entries("acme", ticket.body["id"])[0]
    envelope = from_audit_image({"tenant_id": "acme", "ticket_id": ticket.body["id"], "ticket_type": "return_refund",
                                 "customer_id": "cust-1", "entry": entry.model_dump(mode="json")})
    return {"detail-type": envelope["DetailType"], "source": envelope["Source"],
            "detail": json.loads(envelope["Detail"])}


def test_reviews_and_returns_about_size_meet_in_one_cluster_routed_to_product(rig):
    api, creds = rig["api"], rig["creds"]
    ids = publish_reviews(rig)
    event = open_return(rig, "O-4", "wrong_size")
    assert event["detail"]["data"]["lines"] == [{"line_id": "L1", "quantity": 1, "sku": "MUG",
                                                 "reason_code": "wrong_size", "batch": "LOT-B"}]
    for attempt in range(2):  # the second is a redelivery: counted once
        answer = rig["returns"].lambda_handler({"Records": [sqs_record(event, message_id=str(attempt))]},
                                               FakeContext("ReturnReasonsFunction"))
        assert answer == {"batchItemFailures": []}

    found = api.request("GET", "/insights/products/MUG", headers={**creds["agent"], "Accept-Language": "zh-CN"})
    assert found.status == 200, found.body
    week = insights.period_of("week", datetime.now(UTC))
    assert found.body["period"] == {"kind": "week", "id": week, "previous": insights.previous(week),
                                    "timezone": "UTC"}
    assert found.body["reviews"] == 3
    (size,) = found.body["clusters"]
    assert {k: size[k] for k in ("cause", "label", "reviews", "returns", "share", "previous", "trend")} == {
        "cause": "size_fit", "label": "尺码 / 合身", "reviews": 3, "returns": 1, "share": 1.0,
        "previous": {"reviews": 0, "returns": 0}, "trend": {"direction": "new", "delta": 4}}
    assert sorted(q["review_id"] for q in size["quotes"]) == sorted(ids)
    (suggestion,) = found.body["suggestions"]
    assert (suggestion["owner"], suggestion["trigger"], suggestion["message_id"]) == (
        "product", "rising", "insight.suggestion.size_fit")
    assert suggestion["message"].startswith(f"{week}：3 条评价和 1 笔退货反映尺码问题")

    announced = [d for kind, d in rig["events"].events if kind == SUGGESTED]
    assert sorted(d["period"] for d in announced) == sorted([week, insights.period_of("month", datetime.now(UTC))])
    assert {d["dedup_key"] for d in announced} == {f"MUG#size_fit#{d['period']}" for d in announced}

    batch = api.request("GET", "/insights/products/MUG", headers=creds["agent"],
                        query={"period": "month", "batch": "LOT-A"}).body
    (lot,) = batch["clusters"]
    assert (batch["batch"], batch["reviews"], lot["reviews"], lot["returns"]) == ("LOT-A", 2, 2, 0)
    assert {q["review_id"] for q in lot["quotes"]} == {ids[0], ids[2]}
    assert batch["suggestions"] == []  # 2 signals: below the minimum
    month = api.request("GET", "/insights/products/MUG", headers=creds["agent"], query={"period": "month"}).body
    assert month["suggestions"][0]["message"].startswith(f"{month['period']['id']}: 3 reviews and 1 returns about size")


def test_a_review_leaving_published_leaves_its_cluster(rig):
    api, creds = rig["api"], rig["creds"]
    ids = publish_reviews(rig)
    for review_id in ids[:2]:
        assert api.request("POST", f"/reviews/{review_id}/moderation", {"verdict": "reject", "reason": "spam"},
                           creds["agent"]).status == 200
    body = api.request("GET", "/insights/products/MUG", headers=creds["agent"]).body
    assert body["reviews"] == 1 and [(c["cause"], c["reviews"]) for c in body["clusters"]] == [("size_fit", 1)]
    assert [q["review_id"] for q in body["clusters"][0]["quotes"]] == [ids[2]]


def test_bad_insight_queries_are_422_at_their_field_and_insights_are_for_staff(rig):
    api, creds = rig["api"], rig["creds"]
    for query, field in (({"period": "year"}, "period"), ({"period": "month", "of": "2026-W49"}, "of"),
                         ({"of": "2026-W99"}, "of"), ({"batch": "a#b"}, "batch")):
        reply = api.request("GET", "/insights/products/MUG", headers=creds["agent"], query=query)
        assert reply.status == 422, (query, reply.body)
        assert field in json.dumps(reply.body["error"]), reply.body
    assert api.request("GET", "/insights/products/MUG", headers=creds["cust-1"]).status == 403
    assert api.request("GET", "/insights/products/MUG", headers=creds["agent"],
                       query={"of": "2026-W48"}).body["clusters"] == []
