"""The Stripe dispute evidence adapter against the stripe SDK with a fake HTTP client (no network):
GIVEN an evidence pack's submission WHEN it is sent THEN each file is uploaded to files.stripe.com
(multipart, purpose dispute_evidence, its own idempotency key), then POST /v1/disputes/{dp_...}
carries the text fields, the uploaded file ids and `submit`; Stripe's errors become domain errors.
Answers are Stripe's own fixtures (tests/fixtures/stripe, see SOURCE.md)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from aftersales.adapters.stripe_dispute_evidence import StripeDisputeEvidence
from aftersales.core.money import Money
from aftersales.disputes.model import PlatformCase
from aftersales.disputes.pack_ports import EvidenceFile, EvidenceSubmission
from aftersales.refunds.provider_errors import ProviderRejected, ProviderUnavailable
from tests.support.evidence_pack import ARBITRATOR, TENANT, PackRig
from tests.support.fakes.evidence_pack import KeptDocuments
from tests.support.stripe_http import FakeStripeHttp

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stripe"
DISPUTE = json.loads((FIXTURES / "fixture_dispute.json").read_text())
FILE = json.loads((FIXTURES / "fixture_file.json").read_text())
CASE = PlatformCase(provider="stripe", case_id=DISPUTE["id"], charge_id=DISPUTE["charge"],
                    amount=Money(amount=DISPUTE["amount"], currency=DISPUTE["currency"]), status="needs_response")
KEY = "dsp_01-evidence-v3-1"


def _file(file_id: str) -> tuple[int, dict]:
    return 200, {**FILE, "id": file_id, "purpose": "dispute_evidence", "type": "pdf"}


def _dispute(**changes) -> tuple[int, dict]:
    return 200, {**DISPUTE, **changes}


def _evidence() -> EvidenceSubmission:
    return EvidenceSubmission(
        texts={"uncategorized_text": "Evidence pack for dispute dsp_01 · 杯子有裂缝", "shipping_carrier": "sf-express",
               "shipping_tracking_number": "SF1234567890"},
        files=(EvidenceFile("uncategorized_file", "summary-dsp_01.pdf", "application/pdf", b"%PDF-1.3 summary"),
               EvidenceFile("customer_communication", "conversation-dsp_01.pdf", "application/pdf",
                            b"%PDF-1.3 conversation")))


def test_files_are_uploaded_then_the_evidence_is_submitted_with_their_ids():
    http = FakeStripeHttp(_file("file_summary"), _file("file_conversation"), _dispute(status="under_review"))
    sent = StripeDisputeEvidence("sk_test_fake", http_client=http).send(CASE, _evidence(), submit=True,
                                                                        idempotency_key=KEY)

    upload, second, update = http.requests
    assert upload["method"] == "post" and urlsplit(upload["url"]).netloc == "files.stripe.com"
    assert urlsplit(upload["url"]).path == "/v1/files"
    assert upload["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="purpose"\r\n\r\ndispute_evidence\r\n' in upload["body"]
    assert b'name="file"; filename="summary-dsp_01.pdf"' in upload["body"] and b"%PDF-1.3 summary" in upload["body"]
    assert upload["headers"]["Idempotency-Key"] == f"{KEY}-uncategorized_file"
    assert second["headers"]["Idempotency-Key"] == f"{KEY}-customer_communication"
    assert b'filename="conversation-dsp_01.pdf"' in second["body"]

    assert update["method"] == "post" and urlsplit(update["url"]).path == f"/v1/disputes/{DISPUTE['id']}"
    assert urlsplit(update["url"]).netloc == "api.stripe.com"
    form = update["form"]
    assert form["evidence[uncategorized_file]"] == ["file_summary"]
    assert form["evidence[customer_communication]"] == ["file_conversation"]
    assert form["evidence[uncategorized_text]"] == ["Evidence pack for dispute dsp_01 · 杯子有裂缝"]
    assert form["evidence[shipping_tracking_number]"] == ["SF1234567890"]
    assert form["evidence[shipping_carrier]"] == ["sf-express"]
    assert form["submit"] == ["true"] and form["metadata[aftersales_idempotency_key]"] == [KEY]
    assert update["headers"]["Idempotency-Key"] == KEY
    assert sent.case_id == DISPUTE["id"] and sent.status == "under_review" and sent.submitted
    assert sent.file_ids == {"uncategorized_file": "file_summary", "customer_communication": "file_conversation"}
    assert sent.fields == ("customer_communication", "shipping_carrier", "shipping_tracking_number",
                           "uncategorized_file", "uncategorized_text")


def test_staging_sends_submit_false():
    http = FakeStripeHttp(_dispute())
    StripeDisputeEvidence("sk_test_fake", http_client=http).send(
        CASE, EvidenceSubmission(texts={"uncategorized_text": "staged"}), submit=False, idempotency_key=KEY)
    [update] = http.requests
    assert update["form"]["submit"] == ["false"] and update["form"]["evidence[uncategorized_text]"] == ["staged"]


def test_a_file_stripe_does_not_take_is_refused_before_anything_is_sent():
    http = FakeStripeHttp()
    evidence = EvidenceSubmission(files=(EvidenceFile("uncategorized_file", "pack.zip", "application/zip", b"PK"),))
    with pytest.raises(ProviderRejected) as error:
        StripeDisputeEvidence("sk_test_fake", http_client=http).send(CASE, evidence, submit=True, idempotency_key=KEY)
    assert error.value.message_id == "disputes.provider_rejected" and len(http) == 0


def test_stripe_refusing_the_update_is_rejected_with_its_code():
    body = {"error": {"type": "invalid_request_error", "code": "resource_missing", "message": "No such dispute"}}
    http = FakeStripeHttp((404, body))
    with pytest.raises(ProviderRejected) as error:
        StripeDisputeEvidence("sk_test_fake", http_client=http).send(
            CASE, EvidenceSubmission(texts={"uncategorized_text": "x"}), submit=True, idempotency_key=KEY)
    assert error.value.details["reason"] == "resource_missing"


def test_a_stripe_outage_is_unavailable_so_the_caller_retries():
    body = {"error": {"type": "api_error", "message": "try again"}}
    http = FakeStripeHttp((500, body))
    with pytest.raises(ProviderUnavailable) as error:
        StripeDisputeEvidence("sk_test_fake", http_client=http).send(
            CASE, _evidence(), submit=True, idempotency_key=KEY)
    assert error.value.message_id == "disputes.provider_unavailable" and len(http) == 1  # nothing after the upload


def test_the_pack_service_sends_through_the_sdk_and_records_what_was_sent():
    """GIVEN a Stripe case on a disputed return WHEN an arbitrator submits its pack THEN the SDK uploads
    the summary, conversation and policy PDFs and submits the evidence, and the dispute records the
    fields (dispute.evidence_sent, submitted)."""
    http = FakeStripeHttp(_file("file_a"), _file("file_b"), _file("file_c"), _dispute(status="under_review"))
    rig = PackRig(KeptDocuments(), platform=StripeDisputeEvidence("sk_test_fake", http_client=http))
    ticket_id = rig.store.get(TENANT, rig.disputed_return()).ticket_id
    dispute = rig.disputes.platform_case(TENANT, ticket_id, CASE, event_id="evt_1")

    recorded, sent = rig.packs.send_to_platform(TENANT, dispute.id, ARBITRATOR, submit=True)

    assert [urlsplit(r["url"]).path for r in http.requests] == ["/v1/files"] * 3 + [f"/v1/disputes/{CASE.case_id}"]
    form = http.requests[-1]["form"]
    assert (form["evidence[uncategorized_file]"], form["evidence[customer_communication]"],
            form["evidence[refund_policy]"]) == (["file_a"], ["file_b"], ["file_c"])
    assert "SF1234567890" in form["evidence[uncategorized_text]"][0]
    assert recorded.platform.submitted and recorded.entries[-1].event == "dispute.evidence_sent"
    assert recorded.entries[-1].data["fields"] == list(sent.fields)
