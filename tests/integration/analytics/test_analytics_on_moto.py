"""The analytics projector and the export worker under moto, with the environments template.yaml
gives them, fed the events the events publisher builds from real audit entries; the dashboard and
export routes over the API function."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlparse

import boto3
import pytest

from aftersales import wiring
from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.events.envelope import from_audit_image
from aftersales.tickets.domain import OpenTicket
from aftersales.tickets.model import Channel, TicketType
from tests.support.lambdas import FakeContext, load_handler, sqs_record
from tests.support.ticket_factories import CUSTOMER, SYSTEM, order
from tests.support.tickets import walk


@pytest.fixture
def rig(aws, monkeypatch, demo):
    for name in ("AnalyticsProjectorFunction", "ExportWorkerFunction"):
        for key, value in aws.functions[name].environment.items():
            monkeypatch.setenv(key, str(value))
    env = aws.functions["ExportWorkerFunction"].environment
    boto3.client("s3").create_bucket(Bucket=env["EXPORTS_BUCKET"])
    boto3.client("sqs").create_queue(QueueName=env["EXPORT_QUEUE_URL"].rsplit("/", 1)[-1])
    wiring.override(wiring.Container(events=RecordingPublisher()))
    svc = wiring.services()
    svc.tickets.upsert_order("acme", order(lines=[
        {"line_id": "L1", "sku": "MUG", "name": "Mug", "quantity": 500,
         "unit_price_paid": {"amount": 9500, "currency": "CNY"}}]))
    return {"svc": svc, "demo": demo, "env": env}


def open_complaint(svc) -> str:
    return svc.tickets.open("acme", OpenTicket(type=TicketType.COMPLAINT, order_id="O-1", channel=Channel.WECOM,
                                               reason_code="late_delivery"), CUSTOMER).id


def open_return(svc) -> str:
    return svc.tickets.open("acme", OpenTicket(type=TicketType.RETURN_REFUND, order_id="O-1", channel=Channel.APP,
                                               reason_code="damaged", lines=[{"line_id": "L1", "quantity": 1}]),
                            CUSTOMER).id


def events_of(svc, ticket_id: str, ticket_type: str) -> list[dict]:
    """What EventBridge hands the rule's queue: the envelope around the publisher's detail."""
    out = []
    for entry in svc.tickets.audit("acme", ticket_id, SYSTEM):
        put = from_audit_image({"tenant_id": "acme", "ticket_id": ticket_id, "ticket_type": ticket_type,
                                "customer_id": "cust-1", "entry": entry.model_dump_json()})
        out.append({"version": "0", "id": f"{ticket_id}-{entry.seq}", "detail-type": put["DetailType"],
                    "source": put["Source"], "account": "123456789012", "time": entry.at, "region": "us-east-1",
                    "resources": [], "detail": json.loads(put["Detail"])})
    return out


def project(events: list[dict]) -> dict:
    handler = load_handler("analytics_projector")
    records = [sqs_record(e, message_id=str(i)) for i, e in enumerate(events)]
    return handler.lambda_handler({"Records": records}, FakeContext("analytics_projector"))


def test_real_ticket_events_fill_the_buckets_once_and_the_dashboard_reads_them(rig, api):
    svc, creds = rig["svc"], rig["demo"]["acme"]
    complaint = open_complaint(svc)
    walk(svc.tickets, "acme", complaint, "investigating", "resolved")
    returned = open_return(svc)
    events = events_of(svc, complaint, "complaint") + events_of(svc, returned, "return_refund")
    assert project(events) == {"batchItemFailures": []}
    assert project(events) == {"batchItemFailures": []}  # redelivered: counted once

    month = svc.tickets.get("acme", complaint, SYSTEM).created_at[:7]
    got = api.request("GET", "/analytics/summary", headers=creds["supervisor"],
                      query={"grain": "month", "from": month, "to": month})
    assert got.status == 200, got.body
    body = got.body
    assert body["counts"]["opened"]["all"] == {"all": 2}
    assert body["counts"]["opened"]["channel"] == {"wecom": 1, "app": 1}
    assert body["counts"]["opened"]["sku"] == {"MUG": 1, "unknown": 1}
    assert body["counts"]["resolved"]["type"] == {"complaint": 1}
    assert body["processing_seconds"]["count"] == 1
    assert body["first_contact_resolution_rate"] == 1.0
    assert body["sla_figures"]["compliance"] == "/sla/figures/compliance"

    reasons = api.request("GET", "/analytics/return-reasons", headers=creds["admin"],
                          query={"from": month, "to": month})
    assert reasons.body["items"] == [{"reason": "damaged", "count": 1, "share": 1.0}]
    share = api.request("GET", "/analytics/ticket-types", headers=creds["supervisor"],
                        query={"from": month, "to": month})
    assert share.body["items"][0]["types"]["complaint"]["share"] == 0.5

    assert api.request("GET", "/analytics/summary", headers=creds["agent"],
                       query={"from": month, "to": month, "grain": "month"}).status == 403
    other = api.request("GET", "/analytics/summary", headers=rig["demo"]["other"]["supervisor"],
                        query={"grain": "month", "from": month, "to": month})
    assert other.body["counts"]["opened"] == {}  # another tenant sees nothing of acme's


@pytest.mark.parametrize(("query", "field"), [
    ({"grain": "month", "from": "2025-01", "to": "2026-03"}, "query.to"),
    ({"grain": "day", "from": "2026-02-30", "to": "2026-03-01"}, "query.from"),
    ({"grain": "week", "from": "2026-01", "to": "2026-03"}, "query.grain"),
])
def test_a_bad_range_is_a_4xx_with_its_field(rig, api, query, field):
    got = api.request("GET", "/analytics/summary", headers=rig["demo"]["acme"]["supervisor"], query=query)
    assert 400 <= got.status < 500
    assert field in json.dumps(got.body)


def run_export(rig, api, fmt: str, month: str) -> dict:
    creds = rig["demo"]["acme"]
    started = api.request("POST", "/exports", body={"month": month, "format": fmt}, headers=creds["supervisor"])
    assert started.status == 202, started.body
    export_id = started.body["export_id"]
    queued = boto3.client("sqs").receive_message(QueueUrl=rig["env"]["EXPORT_QUEUE_URL"], MaxNumberOfMessages=1)
    [message] = queued["Messages"]
    assert json.loads(message["Body"]) == {"tenant_id": "acme", "export_id": export_id}
    worker = load_handler("export_worker")
    assert worker.lambda_handler({"Records": [sqs_record(json.loads(message["Body"]))]},
                                 FakeContext("export_worker")) == {"batchItemFailures": []}
    done = api.request("GET", f"/exports/{export_id}", headers=creds["admin"])
    assert done.status == 200 and done.body["status"] == "done" and done.body["percent"] == 100
    assert api.request("GET", f"/exports/{export_id}", headers=rig["demo"]["other"]["admin"]).status == 404
    return done.body


def object_of(rig, url: str) -> bytes:
    parsed = urlparse(url)
    assert "Signature" in parsed.query or "X-Amz-Signature" in parsed.query
    key = parsed.path.lstrip("/").removeprefix(rig["env"]["EXPORTS_BUCKET"] + "/")
    return boto3.client("s3").get_object(Bucket=rig["env"]["EXPORTS_BUCKET"], Key=key)["Body"].read()


@pytest.fixture
def month_of_tickets(rig):
    svc = rig["svc"]
    ids = [open_return(svc) for _ in range(150)] + [open_complaint(svc) for _ in range(100)]
    project([e for tid in ids[:50] for e in events_of(svc, tid, "return_refund")])  # the estimate's counter
    return ids, svc.tickets.get("acme", ids[0], SYSTEM).created_at[:7]


def test_a_csv_export_of_a_few_hundred_tickets_reads_back(rig, api, month_of_tickets):
    ids, month = month_of_tickets
    body = run_export(rig, api, "csv", month)
    assert body["rows"]["tickets"] == 250 and body["rows"]["lines"] == 150
    assert set(body["downloads"]) == {"tickets", "lines", "refunds", "sla"}
    tickets = list(csv.DictReader(io.StringIO(object_of(rig, body["downloads"]["tickets"]).decode("utf-8-sig"))))
    assert sorted(r["ticket_id"] for r in tickets) == sorted(ids)
    assert {r["type"] for r in tickets} == {"return_refund", "complaint"}
    lines = list(csv.DictReader(io.StringIO(object_of(rig, body["downloads"]["lines"]).decode("utf-8-sig"))))
    assert {(r["sku"], r["unit_price"], r["currency"]) for r in lines} == {("MUG", "9500", "CNY")}


def test_an_xlsx_export_reads_back_with_openpyxl(rig, api, month_of_tickets):
    from openpyxl import load_workbook

    ids, month = month_of_tickets
    body = run_export(rig, api, "xlsx", month)
    book = load_workbook(io.BytesIO(object_of(rig, body["downloads"]["workbook"])), read_only=True)
    assert book.sheetnames == ["tickets", "lines", "refunds", "sla"]
    rows = list(book["tickets"].iter_rows(values_only=True))
    assert rows[0][0] == "ticket_id" and len(rows) == 251
    assert sorted(r[0] for r in rows[1:]) == sorted(ids)
    assert len(list(book["lines"].iter_rows(values_only=True))) == 151


def test_an_export_of_a_month_to_come_is_refused_with_its_field(rig, api):
    got = api.request("POST", "/exports", body={"month": "2999-01", "format": "csv"},
                      headers=rig["demo"]["acme"]["supervisor"])
    assert got.status == 422 and "month" in json.dumps(got.body)
    bad = api.request("POST", "/exports", body={"month": "2026-13", "format": "pdf"},
                      headers=rig["demo"]["acme"]["supervisor"])
    assert bad.status == 422
    agent = rig["demo"]["acme"]["agent"]
    assert api.request("POST", "/exports", body={"month": "2026-11"}, headers=agent).status == 403


def test_the_tenants_exports_are_listed_newest_first_page_by_page(rig, api, month_of_tickets):
    """GIVEN two finished exports of acme WHEN its supervisor lists them a page of one at a time
    THEN the newest comes first with its download links, the cursor brings the other, and the
    last page has no cursor; another tenant lists nothing of acme's; a cursor is
    this listing's only; an agent is refused."""
    _, month = month_of_tickets
    first = run_export(rig, api, "csv", month)
    second = run_export(rig, api, "xlsx", month)
    supervisor = rig["demo"]["acme"]["supervisor"]
    page = api.request("GET", "/exports", headers=supervisor, query={"limit": "1"})
    assert page.status == 200, page.body
    [newest] = page.body["items"]
    assert newest["export_id"] == second["export_id"] and newest["status"] == "done"
    assert set(newest["downloads"]) == {"workbook"} and newest["expires_in"] > 0
    assert object_of(rig, newest["downloads"]["workbook"])[:2] == b"PK"  # the xlsx (a ZIP)
    rest = api.request("GET", "/exports", headers=supervisor, query={"limit": "1", "cursor": page.body["next_cursor"]})
    assert [e["export_id"] for e in rest.body["items"]] == [first["export_id"]]
    assert set(rest.body["items"][0]["downloads"]) == {"tickets", "lines", "refunds", "sla"}
    if rest.body["next_cursor"]:
        tail = api.request("GET", "/exports", headers=supervisor,
                           query={"limit": "1", "cursor": rest.body["next_cursor"]})
        assert tail.body == {"items": [], "next_cursor": None}
    everything = api.request("GET", "/exports", headers=rig["demo"]["acme"]["admin"])
    assert [e["export_id"] for e in everything.body["items"]] == [second["export_id"], first["export_id"]]
    assert everything.body["next_cursor"] is None
    other = api.request("GET", "/exports", headers=rig["demo"]["other"]["admin"])
    assert other.status == 200 and other.body["items"] == []
    stolen = api.request("GET", "/exports", headers=rig["demo"]["other"]["admin"],
                         query={"cursor": page.body["next_cursor"]})
    assert stolen.status == 422 and "query.cursor" in json.dumps(stolen.body)
    assert api.request("GET", "/exports", headers=rig["demo"]["acme"]["agent"]).status == 403
    assert api.request("GET", "/exports", headers=supervisor, query={"limit": "0"}).status == 422
