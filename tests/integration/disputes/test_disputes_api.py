"""Disputes through the API function under moto (the template's DisputesTable, MediaTable and
bucket, the media-check function): a customer disputes a rejected return; the person who rejected
it cannot take it up even holding the arbitrator role (403); another arbitrator takes it up and asks
for evidence; the customer adds a photo that went through POST /media; an upheld decision sends the
ticket back to pending_approval (nothing is paid); one appeal, decided by a third arbitrator; one
customer dispute per ticket (409); another customer and another tenant see nothing (404). Every
answer is held to the status codes and the response schema the published document declares for its
operation (what the schemathesis e2e run checks)."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote_plus

import boto3
import pytest
from jsonschema import Draft202012Validator

from aftersales import wiring
from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Role
from tests.support.lambdas import FakeContext, load_handler
from tests.support.media_files import photo_like
from tests.support.tickets import order_payload, walk

EVENT = json.loads((Path(__file__).parents[2] / "fixtures" / "s3" / "object_created_post.json").read_text())
REJECTER = "lead-1"  # a supervisor who also holds the arbitrator role


@pytest.fixture
def rig(aws, monkeypatch, request):
    for key, value in aws.functions["MediaCheckFunction"].environment.items():
        monkeypatch.setenv(key, str(value))
    bucket = aws.functions["ApiFunction"].environment["MEDIA_BUCKET"]
    monkeypatch.setenv("MEDIA_BUCKET", bucket)
    monkeypatch.setenv("MEDIA_MODERATION", "none")  # moto has no DetectModerationLabels
    boto3.client("s3").create_bucket(Bucket=bucket)
    published = RecordingPublisher()
    wiring.override(wiring.Container(events=published))
    creds = request.getfixturevalue("demo")
    api = Documented(request.getfixturevalue("api"), published_document(request.getfixturevalue("api")))
    svc = wiring.services()
    svc.tenants.put_staff("acme", REJECTER, "Lead", frozenset({Role.SUPERVISOR, Role.ARBITRATOR}))
    creds["acme"][REJECTER] = {"Authorization": "Bearer " + svc.tenants.mint_staff_token(
        "acme", REJECTER, timedelta(hours=1))}
    svc.tenants.put_staff("acme", "arbitrator-2", "Second", frozenset({Role.ARBITRATOR}))
    creds["acme"]["arbitrator-2"] = {"Authorization": "Bearer " + svc.tenants.mint_staff_token(
        "acme", "arbitrator-2", timedelta(hours=1))}
    assert api("PUT", "/orders/O-1", order_payload("O-1", customer="cust-1"),
                       creds["acme"]["key"]).status in (200, 201)
    return {"api": api, "creds": creds["acme"], "other": creds["other"], "events": published, "bucket": bucket,
            "check": load_handler("media_check")}


def rejected_ticket(rig) -> str:
    """A refund-only request the customer opened and a supervisor rejected (after a recorded review)."""
    opened = rig["api"]("POST", "/tickets", {"type": "refund_only", "order_id": "O-1", "channel": "app",
                                                     "reason_code": "damaged",
                                                     "lines": [{"line_id": "L1", "quantity": 1}]},
                                rig["creds"]["cust-1"])
    assert opened.status == 201, opened.body
    walk(wiring.services().tickets, "acme", opened.body["id"], "pending_approval", "rejected",
         actor=Actor(id=REJECTER, roles=frozenset({Role.SUPERVISOR})))
    return opened.body["id"]


def evidence_photo(rig, who: str = "cust-1") -> str:
    content = photo_like(7)
    granted = rig["api"]("POST", "/media", {"purpose": "ticket_evidence", "content_type": "image/png",
                                                    "size": len(content)}, rig["creds"][who])
    assert granted.status == 201, granted.body
    key = granted.body["upload"]["fields"]["key"]
    boto3.client("s3").put_object(Bucket=rig["bucket"], Key=key, Body=content, ContentType="image/png")
    event = copy.deepcopy(EVENT)
    s3 = event["Records"][0]["s3"]
    s3["bucket"].update(name=rig["bucket"], arn=f"arn:aws:s3:::{rig['bucket']}")
    s3["object"].update(key=quote_plus(key), size=len(content))
    assert rig["check"].lambda_handler(event, FakeContext("MediaCheckFunction")) == {"checked": ["ready"]}
    return granted.body["media"]["id"]


def published_document(api) -> dict:
    event = {"resource": "/openapi.json", "path": "/openapi.json", "httpMethod": "GET", "headers": {},
             "multiValueHeaders": {}, "queryStringParameters": None, "multiValueQueryStringParameters": None,
             "pathParameters": None, "stageVariables": None, "requestContext": {"requestId": "r", "stage": "v1"},
             "body": None, "isBase64Encoded": False}
    return json.loads(api.api.lambda_handler(event, FakeContext("api"))["body"])


class Documented:
    """Sends a request and holds its answer to the operation's documented statuses and schema."""

    def __init__(self, api, document: dict) -> None:
        self.api, self.document, self.checked = api, document, 0

    def __call__(self, method: str, path: str, body=None, headers=None, query=None):
        reply = self.api.request(method, path, body, headers, query)
        if "disputes" not in path:
            return reply
        template = "/" + "/".join("{dispute_id}" if i == 1 and part.startswith("dsp") and path.startswith(
            "/disputes") else "{ticket_id}" if i == 1 and path.startswith("/tickets") else part
            for i, part in enumerate(path.strip("/").split("/")))
        responses = self.document["paths"][template][method.lower()]["responses"]
        assert str(reply.status) in responses, (method, template, reply.status)
        schema = responses[str(reply.status)]["content"]["application/json"]["schema"]
        Draft202012Validator({**schema, "components": self.document["components"]}).validate(reply.body)
        self.checked += 1
        return reply


def post(rig, path: str, body, who: str, version: int | None = None):
    headers = dict(rig["creds"][who])
    if version is not None:
        headers["If-Match"] = f'"{version}"'
    return rig["api"]("POST", path, body, headers)


def test_a_disputed_rejection_is_arbitrated_upheld_and_goes_back_to_approval(rig):
    api, creds = rig["api"], rig["creds"]
    ticket_id = rejected_ticket(rig)

    raised = post(rig, f"/tickets/{ticket_id}/disputes", {"text": "杯子收到时就有裂缝，不是我弄坏的"}, "cust-1")
    assert raised.status == 201, raised.body
    dispute = raised.body
    assert (dispute["status"], dispute["subject"], dispute["source"]) == ("raised", "rejection", "customer")
    assert dispute["ticket_deciders"] is None and dispute["entries"] is None  # not for the customer
    path = f"/disputes/{dispute['id']}"

    queue = api("GET", "/disputes", headers=creds["arbitrator"], query={"status": "raised"})
    assert queue.status == 200 and [d["id"] for d in queue.body["items"]] == [dispute["id"]]
    assert queue.body["items"][0]["ticket_deciders"] == [REJECTER]
    assert api("GET", "/disputes", headers=creds["agent"]).status == 403
    assert api("GET", "/disputes", headers=creds["cust-1"]).status == 403

    barred = post(rig, f"{path}/take-up", None, REJECTER)
    assert barred.status == 403 and barred.body["error"]["details"]["dispute_id"] == dispute["id"]
    assert api("GET", path, headers=creds["arbitrator"]).body["status"] == "raised"  # nothing changed

    taken = post(rig, f"{path}/take-up", None, "arbitrator", version=1)
    assert taken.status == 200, taken.body
    assert (taken.body["status"], taken.body["assignee_id"]) == ("under_review", "arbitrator-1")
    stale = post(rig, f"{path}/request-evidence", {"reason": "请拍一张裂缝的照片"}, "arbitrator", version=1)
    assert stale.status == 412
    asked = post(rig, f"{path}/request-evidence", {"reason": "请拍一张裂缝的照片"}, "arbitrator", version=2)
    assert asked.status == 200 and asked.body["status"] == "awaiting_evidence"

    someone_elses = post(rig, f"{path}/evidence", {"media_ids": [evidence_photo(rig, "cust-2")]}, "cust-1")
    assert someone_elses.status == 422
    assert someone_elses.body["error"]["fields"][0]["path"] == "media_ids[0]"
    photo = evidence_photo(rig)
    answered = post(rig, f"{path}/evidence", {"text": "照片如下", "media_ids": [photo]}, "cust-1")
    assert answered.status == 200, answered.body
    assert answered.body["status"] == "under_review" and answered.body["evidence"][-1]["media_ids"] == [photo]

    assert post(rig, f"{path}/decision", {"outcome": "upheld", "reason": "照片显示运输损坏"}, REJECTER).status == 403
    decided = post(rig, f"{path}/decision", {"outcome": "upheld", "reason": "照片显示运输损坏"}, "arbitrator")
    assert decided.status == 200, decided.body
    assert decided.body["status"] == "decided"
    assert decided.body["decisions"][0] | {"at": None} == {
        "outcome": "upheld", "reason": "照片显示运输损坏", "remedy": "reopen_for_approval", "on_appeal": False,
        "by": "arbitrator-1", "at": None}
    ticket = api("GET", f"/tickets/{ticket_id}", headers=creds["supervisor"]).body
    assert ticket["status"] == "pending_approval"
    customer_view = api("GET", path, headers=creds["cust-1"]).body
    assert customer_view["decisions"][0]["by"] is None and customer_view["decisions"][0]["remedy"] == \
        "reopen_for_approval"
    events = [kind for kind, detail in rig["events"].events if detail.get("dispute_id") == dispute["id"]]
    assert events == ["dispute.raised", "dispute.review_started", "dispute.evidence_requested",
                      "dispute.evidence_provided", "dispute.decided"]
    assert api.checked == 14  # every disputes answer above was held to the document


def test_one_appeal_decided_by_another_arbitrator(rig):
    ticket_id = rejected_ticket(rig)
    dispute_id = post(rig, f"/tickets/{ticket_id}/disputes", {"text": "wrong decision"}, "cust-1").body["id"]
    path = f"/disputes/{dispute_id}"
    assert post(rig, f"{path}/take-up", None, "arbitrator").status == 200
    assert post(rig, f"{path}/decision", {"outcome": "dismissed", "reason": "used, not damaged"},
                "arbitrator").status == 200
    assert post(rig, f"{path}/appeal", {"text": "please look again"}, "cust-2").status == 404

    appealed = post(rig, f"{path}/appeal", {"text": "please look again"}, "cust-1")
    assert appealed.status == 200 and appealed.body["status"] == "appealed"
    same = post(rig, f"{path}/take-up", None, "arbitrator")
    assert same.status == 403 and same.body["error"]["code"] == "forbidden"
    assert post(rig, f"{path}/take-up", None, "arbitrator-2").status == 200
    final = post(rig, f"{path}/decision", {"outcome": "dismissed", "reason": "confirmed"}, "arbitrator-2")
    assert final.status == 200 and final.body["decisions"][-1]["on_appeal"] is True
    again = post(rig, f"{path}/appeal", {"text": "and again"}, "cust-1")
    assert again.status == 409
    assert rig["api"]("GET", f"/tickets/{ticket_id}", headers=rig["creds"]["supervisor"]).body[
        "status"] == "rejected"  # dismissed: the ticket stays as it was
    closed = post(rig, f"{path}/withdraw", {}, "cust-1")
    assert closed.status == 200 and closed.body["status"] == "closed" and closed.body["due_at"] is None


def test_one_customer_dispute_per_ticket_and_nobody_elses_sees_it(rig):
    api, creds = rig["api"], rig["creds"]
    ticket_id = rejected_ticket(rig)
    assert post(rig, f"/tickets/{ticket_id}/disputes", {"text": "x"}, "cust-2").status == 404
    first = post(rig, f"/tickets/{ticket_id}/disputes", {"text": "wrong"}, "cust-1").body
    again = post(rig, f"/tickets/{ticket_id}/disputes", {"text": "from the shop"}, "key")
    assert again.status == 409 and again.body["error"]["details"]["dispute_id"] == first["id"]

    path = f"/disputes/{first['id']}"
    assert api("GET", path, headers=creds["cust-2"]).status == 404
    assert api("GET", path, headers=rig["other"]["cust-1"]).status == 404
    assert api("GET", path, headers=rig["other"]["arbitrator"]).status == 404
    assert api("GET", f"/tickets/{ticket_id}/disputes", headers=creds["cust-2"]).status == 404
    assert api("GET", "/disputes", headers=rig["other"]["arbitrator"]).body["items"] == []
    mine = api("GET", f"/tickets/{ticket_id}/disputes", headers=creds["cust-1"])
    assert mine.status == 200 and [d["id"] for d in mine.body["items"]] == [first["id"]]
    shop = api("GET", path, headers=creds["key"])  # the storefront, on the customer's behalf
    assert shop.status == 200 and shop.body["version"] == 1 and shop.body["entries"] is None


def test_bad_input_is_a_422_with_the_fields_path(rig):
    ticket_id = rejected_ticket(rig)
    empty = post(rig, f"/tickets/{ticket_id}/disputes", {"text": ""}, "cust-1")
    assert empty.status == 422 and empty.body["error"]["fields"][0]["path"] == "text"
    dispute_id = post(rig, f"/tickets/{ticket_id}/disputes", {"text": "wrong"}, "cust-1").body["id"]
    assert post(rig, f"/disputes/{dispute_id}/take-up", None, "arbitrator").status == 200
    outcome = post(rig, f"/disputes/{dispute_id}/decision", {"outcome": "maybe", "reason": "x"}, "arbitrator")
    assert outcome.status == 422 and outcome.body["error"]["fields"][0]["path"] == "outcome"
    nothing = post(rig, f"/disputes/{dispute_id}/evidence", {}, "cust-1")
    assert nothing.status == 422 and nothing.body["error"]["fields"][0]["path"] == "text"
    cursor = rig["api"]("GET", "/disputes", headers=rig["creds"]["arbitrator"],
                                query={"cursor": "forged"})
    assert cursor.status == 422 and cursor.body["error"]["fields"][0]["path"] == "query.cursor"


def test_a_retried_post_with_its_idempotency_key_answers_the_first_response(rig):
    ticket_id = rejected_ticket(rig)
    headers = {**rig["creds"]["cust-1"], "Idempotency-Key": "dispute-retry-1"}
    first = rig["api"]("POST", f"/tickets/{ticket_id}/disputes", {"text": "wrong"}, headers)
    again = rig["api"]("POST", f"/tickets/{ticket_id}/disputes", {"text": "wrong"}, headers)
    assert (first.status, again.status) == (201, 201) and again.body["id"] == first.body["id"]
    other_body = rig["api"]("POST", f"/tickets/{ticket_id}/disputes", {"text": "changed"}, headers)
    assert other_body.status == 422  # the same key with another body
    listed = rig["api"]("GET", f"/tickets/{ticket_id}/disputes", headers=rig["creds"]["cust-1"])
    assert [d["id"] for d in listed.body["items"]] == [first.body["id"]]  # raised once
