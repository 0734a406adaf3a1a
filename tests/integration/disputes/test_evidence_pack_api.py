"""The evidence pack through the API function under moto (the template's tables and media bucket,
the media-check function): GIVEN a return the intake checks routed and a reviewer approved, whose
parcel was scanned, which failed inspection with the warehouse's photo, with a conversation, a
refund voucher and the customer's photos, disputed by the customer and taken up by an arbitrator,
WHEN the arbitrator downloads GET /disputes/{id}/evidence-pack THEN a ZIP (application/zip, an
attachment, base64 through API Gateway) holds summary.pdf whose extracted text has the Chinese and
Latin texts, the conversation, the checkpoints, the voucher, both photos, the policy version the
ticket was held to, both audit chains verified, and manifest hashes that match. Agents get 403;
sending a customer dispute's evidence to a platform is 409. The document describes the ZIP."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote_plus

import boto3
import pytest

from aftersales import wiring
from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.channels.ports import ConversationItem
from aftersales.core.clock import iso
from aftersales.core.money import Money
from aftersales.logistics.events import Checkpoint, Place, Provider, TrackingEvent, TrackingStatus
from aftersales.logistics.ports import Parcel, Registration
from aftersales.logistics.progression import ParcelState
from aftersales.orders.domain import Order
from aftersales.refunds.grants import RefundAttempt, RefundGrant, RefundStatus
from aftersales.refunds.refundable import QuotedLine, RefundDestination
from aftersales.tickets import warrants
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Acceptance, Role, Status
from tests.support.lambdas import FakeContext, load_handler
from tests.support.media_files import photo_like
from tests.support.tickets import order_payload, walk

EVENT = json.loads((Path(__file__).parents[2] / "fixtures" / "s3" / "object_created_post.json").read_text())
REVIEWER = Actor(id="sup-9", roles=frozenset({Role.SUPERVISOR}))
INSPECTOR = Actor(id="wh-1", roles=frozenset({Role.SUPERVISOR}))
CUSTOMER = Actor(id="cust-1", roles=frozenset({Role.CUSTOMER}), customer_id="cust-1")
SYSTEM = Actor(id="test-system", roles=frozenset({Role.SYSTEM}))
CLAIM = "杯子有裂缝，照片为证。The mug arrived cracked; the box was dented."
TRACKING = "SF1234567890"


@pytest.fixture
def rig(aws, monkeypatch, request):
    for key, value in aws.functions["MediaCheckFunction"].environment.items():
        monkeypatch.setenv(key, str(value))
    bucket = aws.functions["ApiFunction"].environment["MEDIA_BUCKET"]
    monkeypatch.setenv("MEDIA_BUCKET", bucket)
    monkeypatch.setenv("MEDIA_MODERATION", "none")  # moto has no DetectModerationLabels
    boto3.client("s3").create_bucket(Bucket=bucket)
    wiring.override(wiring.Container(events=RecordingPublisher()))
    creds = request.getfixturevalue("demo")
    api = request.getfixturevalue("api")
    payload = order_payload("O-1", customer="cust-1")
    payload["fulfilment"] = {"status": "delivered",
                             "delivered_at": (datetime.now(UTC) - timedelta(days=3)).isoformat()}
    wiring.services().tickets.upsert_order("acme", Order.model_validate(payload))
    return {"api": api, "creds": creds["acme"], "bucket": bucket, "check": load_handler("media_check")}


def _photo(rig, who: str, purpose: str, seed: int) -> str:
    content = photo_like(seed)
    granted = rig["api"].request("POST", "/media", {"purpose": purpose, "content_type": "image/png",
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


def disputed_return(rig) -> tuple[str, str, dict[str, str]]:
    svc = wiring.services()
    photos = {"ticket": _photo(rig, "cust-1", "ticket_evidence", 3),
              "dispute": _photo(rig, "cust-1", "ticket_evidence", 4),
              "inspection": _photo(rig, "supervisor", "inspection", 5)}
    opened = rig["api"].request("POST", "/tickets", {
        "type": "return_refund", "order_id": "O-1", "channel": "app", "reason_code": "damaged",
        "description": "到货破损 arrived broken", "lines": [{"line_id": "L1", "quantity": 1}],
        "media_ids": [photos["ticket"]]}, {**rig["creds"]["cust-1"], "Accept-Language": "zh-CN"})
    assert opened.status == 201, opened.body
    ticket_id = opened.body["id"]
    assert svc.eligibility.triage("acme", ticket_id) == "routed"
    ticket = svc.tickets.get("acme", ticket_id, SYSTEM)
    svc.tickets.transition("acme", ticket_id, Status.APPROVED, REVIEWER, data={
        "route": "single_review", "rule_id": None, "policy_version": 1}, warrant=warrants.ApprovalRecord(
        outcome="approved", route="single_review", requester_id=ticket.requested_by or "",
        decisions=(warrants.ReviewerDecision(approver_id=REVIEWER.id, role="supervisor", verdict="approve"),)))
    walk(svc.tickets, "acme", ticket_id, "awaiting_return", actor=REVIEWER)
    svc.tickets.transition("acme", ticket_id, Status.RETURN_IN_TRANSIT, CUSTOMER,
                           data={"carrier": "SF Express", "tracking_number": TRACKING})
    _parcel(ticket_id)
    walk(svc.tickets, "acme", ticket_id, "return_received", "inspecting", actor=INSPECTOR)
    svc.tickets.transition("acme", ticket_id, Status.REJECTED, INSPECTOR, reason="customer_damage",
                           data={"media_ids": [photos["inspection"]]}, warrant=warrants.InspectionRecord(),
                           lines=lambda t: [ln.model_copy(update={
                               "acceptance": Acceptance.REJECTED, "quantity_received": ln.quantity_requested,
                               "quantity_accepted": 0}) for ln in t.lines])
    conversations = svc.channel_stores.conversations
    for n, (direction, body) in enumerate([("inbound", "杯子到货时已经碎了。"),
                                           ("outbound", "Sorry to hear that, we are checking the photos.")]):
        conversations.add("acme", ConversationItem(
            message_id=f"msg-{n}", ticket_id=ticket_id, at=iso(datetime.now(UTC) + timedelta(seconds=n)),
            channel="wecom", direction=direction, author="cust-1" if direction == "inbound" else "agent-1",
            body=body))
    _refund(ticket_id)
    raised = rig["api"].request("POST", f"/tickets/{ticket_id}/disputes",
                                {"text": CLAIM, "media_ids": [photos["dispute"]]}, rig["creds"]["cust-1"])
    assert raised.status == 201, raised.body
    dispute_id = raised.body["id"]
    taken = rig["api"].request("POST", f"/disputes/{dispute_id}/take-up", None, rig["creds"]["arbitrator"])
    assert taken.status == 200, taken.body
    return ticket_id, dispute_id, photos


def _parcel(ticket_id: str) -> None:
    start = datetime.now(UTC)
    points = tuple(Checkpoint(at=start + timedelta(hours=3 * n), message=f"快件已到达 Shenzhen hub {n}",
                              place=Place(city="深圳", country="CN"), raw_status="in_transit") for n in range(3))
    state = ParcelState.new(TRACKING).model_copy(update={
        "status": TrackingStatus.DELIVERED, "progress": TrackingStatus.DELIVERED, "status_at": points[-1].at})
    parcel = Parcel(tenant_id="acme", state=state, registration=Registration(
        direction="return", order_id="O-1", ticket_id=ticket_id, carrier="sf-express", registered_at=start))
    assert wiring.services().evidence_packs  # binds the logistics table for the store below
    from aftersales.adapters.dynamo.logistics import DynamoParcelStore

    DynamoParcelStore().record(parcel, TrackingEvent(
        provider=Provider.AFTERSHIP, provider_event_id="evt-1", tracking_number=TRACKING, carrier="sf-express",
        status=TrackingStatus.DELIVERED, checkpoints=points, occurred_at=points[-1].at), start)


def _refund(ticket_id: str) -> None:
    """The shipping fee refunded as a goodwill gesture: 10.00 CNY, settled by the provider."""
    refunds = wiring.services().money_tables.refunds
    captured, amount, zero = Money(amount=20000, currency="CNY"), Money(amount=1000, currency="CNY"), Money.zero("CNY")
    wiring.services().money_tables.ledger.open("acme", "ch_O-1", captured)
    refunds.create_grant(RefundGrant(
        grant_id="grt-1", tenant_id="acme", ticket_id=ticket_id, payment_ref="ch_O-1",
        destination=RefundDestination.ORIGINAL_PAYMENT, amount=amount,
        lines=(QuotedLine(line_id="L1", quantity=1, amount=amount),), return_shipping=zero, restocking_fee=zero,
        granted_at=datetime.now(UTC)), captured)
    refunds.add_attempt("acme", ticket_id, RefundAttempt(
        grant_id="grt-1", attempt_number=1, idempotency_key="grt-1-1", status=RefundStatus.SUCCEEDED,
        raw_status="succeeded", provider_refund_id="re_3MtwBwLkdIwHu7ix28a3tqPa"))


def test_the_arbitrator_downloads_a_pack_with_every_part(rig):
    _, dispute_id, photos = disputed_return(rig)

    reply = rig["api"].request("GET", f"/disputes/{dispute_id}/evidence-pack", headers=rig["creds"]["arbitrator"])

    assert reply.status == 200 and isinstance(reply.body, bytes), reply
    assert reply.headers["content-type"] == "application/zip"
    assert reply.headers["content-disposition"] == f'attachment; filename="evidence-{dispute_id}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(reply.body))
    names = archive.namelist()
    assert archive.testzip() is None
    for part in ("summary.pdf", "conversation.json", "conversation.txt", "logistics.json", "refunds.json",
                 "audit.json", "policy.txt", "manifest.json"):
        assert part in names, (part, names)
    assert sorted(n for n in names if n.startswith("photos/")) == sorted([
        f"photos/customer/{photos['ticket']}.png", f"photos/customer/{photos['dispute']}.png",
        f"photos/inspection/{photos['inspection']}.png"])
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["dispute_id"] == dispute_id and manifest["missing_media"] == []
    assert {f["name"] for f in manifest["files"]} == set(names) - {"manifest.json"}
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["name"])).hexdigest() == entry["sha256"], entry["name"]

    conversation = archive.read("conversation.txt").decode()
    assert "杯子到货时已经碎了。" in conversation and "we are checking the photos" in conversation
    logistics = json.loads(archive.read("logistics.json"))
    parcel = next(p for p in logistics if p["tracking_number"] == TRACKING)
    assert len(parcel["checkpoints"]) == 3 and "快件已到达 Shenzhen hub 0" in json.dumps(parcel, ensure_ascii=False)
    refunds = json.dumps(json.loads(archive.read("refunds.json")))
    assert "re_3MtwBwLkdIwHu7ix28a3tqPa" in refunds and "grt-1" in refunds
    policy = archive.read("policy.txt").decode()
    assert "售后准入规则，版本 1" in policy and "适用规则：returns" in policy and "审批策略，版本 1" in policy
    assert "这是平台的默认规则" in policy
    audit = json.loads(archive.read("audit.json"))
    assert audit["ticket"]["valid"] is True and audit["dispute"]["valid"] is True
    assert len(audit["ticket"]["entries"]) == 8 and audit["dispute"]["entries"]

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: make pdf-tools")
    text = subprocess.run(["pdftotext", "-", "-"], input=archive.read("summary.pdf"), capture_output=True,
                          check=True).stdout.decode()
    assert "杯子有裂缝" in text and "The mug arrived cracked" in text and dispute_id in text


def test_only_pack_readers_download_it_and_a_customer_dispute_is_not_sent_to_a_platform(rig):
    _, dispute_id, _ = disputed_return(rig)

    assert rig["api"].request("GET", f"/disputes/{dispute_id}/evidence-pack",
                              headers=rig["creds"]["agent"]).status == 403
    assert rig["api"].request("GET", f"/disputes/{dispute_id}/evidence-pack",
                              headers=rig["creds"]["supervisor"]).status == 200
    sent = rig["api"].request("POST", f"/disputes/{dispute_id}/evidence-pack/submit", {"submit": False},
                              rig["creds"]["arbitrator"])
    assert sent.status == 409 and sent.body["error"]["code"] == "conflict", sent
    refused = rig["api"].request("POST", f"/disputes/{dispute_id}/evidence-pack/submit", {"submit": "yes"},
                                 rig["creds"]["arbitrator"])
    assert refused.status == 422


def test_the_published_document_describes_the_zip_and_the_send(api):
    event = {"resource": "/openapi.json", "path": "/openapi.json", "httpMethod": "GET", "headers": {},
             "multiValueHeaders": {}, "queryStringParameters": None, "multiValueQueryStringParameters": None,
             "pathParameters": None, "stageVariables": None, "requestContext": {"requestId": "r", "stage": "v1"},
             "body": None, "isBase64Encoded": False}
    document = json.loads(api.api.lambda_handler(event, FakeContext("api"))["body"])
    pack = document["paths"]["/disputes/{dispute_id}/evidence-pack"]["get"]["responses"]
    assert pack["200"]["content"] == {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
    assert {"403", "404"} <= set(pack)
    send = document["paths"]["/disputes/{dispute_id}/evidence-pack/submit"]["post"]
    assert {"200", "409", "422", "503"} <= set(send["responses"])
    assert send["requestBody"]["content"]["application/json"]["schema"]


def test_a_stripe_case_with_no_stripe_account_connected_is_refused_with_409(rig):
    """GIVEN a Stripe chargeback joined to the ticket and an API function without PAYMENT_PROVIDER=stripe
    WHEN an arbitrator sends its evidence THEN 409 names the provider, and nothing is recorded as sent;
    its pack still downloads (the summary names the platform case)."""
    from aftersales.disputes.model import PlatformCase

    opened = rig["api"].request("POST", "/tickets", {"type": "refund_only", "order_id": "O-1", "channel": "app",
                                                     "reason_code": "quality",
                                                     "lines": [{"line_id": "L1", "quantity": 1}]},
                                rig["creds"]["cust-1"])
    assert opened.status == 201, opened.body
    case = PlatformCase(provider="stripe", case_id="dp_1Q2w3E", charge_id="ch_O-1",
                        amount=Money(amount=9500, currency="CNY"), status="needs_response")
    dispute = wiring.services().disputes.platform_case("acme", opened.body["id"], case, event_id="evt_1")

    sent = rig["api"].request("POST", f"/disputes/{dispute.id}/evidence-pack/submit", {"submit": True},
                              rig["creds"]["arbitrator"])

    assert sent.status == 409, sent
    assert "stripe" in sent.body["error"]["message"].lower()
    assert wiring.services().disputes.platform_dispute("acme", "stripe", "dp_1Q2w3E").platform.submitted is False
    pack = rig["api"].request("GET", f"/disputes/{dispute.id}/evidence-pack", headers=rig["creds"]["admin"])
    assert pack.status == 200 and zipfile.ZipFile(io.BytesIO(pack.body)).testzip() is None
