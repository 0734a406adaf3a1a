"""Media end to end under moto: POST /media grants a presigned POST that moto's S3 takes, the
media-check function (fed the S3 event notification) marks the upload ready or rejected, and GET
/media/{id} returns a URL only when ready; tickets take ready evidence and refuse the rest with
field paths.

moto 5.2.5 does not evaluate POST policies (moto/s3/responses.py `_bucket_response_post` stores
whatever is posted), so refusal by policy is checked on the signed policy document itself, and
the check function is shown to reject what a policy would have stopped."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from urllib.parse import quote_plus

import boto3
import pytest
import requests

from aftersales.media.model import LIMITS, MediaType
from tests.support.lambdas import FakeContext, load_handler
from tests.support.media_files import image_bytes, mp4_bytes
from tests.support.tickets import order_payload

EVENT = json.loads((Path(__file__).parents[2] / "fixtures" / "s3" / "object_created_post.json").read_text())


@pytest.fixture
def media(aws, demo, monkeypatch):
    for key, value in aws.functions["MediaCheckFunction"].environment.items():
        monkeypatch.setenv(key, str(value))
    monkeypatch.setenv("MEDIA_MODERATION", "none")  # moto has no DetectModerationLabels
    bucket = aws.functions["ApiFunction"].environment["MEDIA_BUCKET"]
    boto3.client("s3").create_bucket(Bucket=bucket)
    return {"bucket": bucket, "check": load_handler("media_check")}


def grant(api, creds, content_type="image/jpeg", size=1000, **extra):
    return api.request("POST", "/media", {"purpose": "ticket_evidence", "content_type": content_type, "size": size,
                                          **extra}, creds)


def post_file(upload: dict, content: bytes, content_type: str | None = None) -> requests.Response:
    fields = dict(upload["fields"])
    if content_type:
        fields["Content-Type"] = content_type
    return requests.post(upload["url"], data=fields, files={"file": ("photo", content)}, timeout=10)


def deliver(media, key: str, size: int) -> dict:
    event = copy.deepcopy(EVENT)
    s3 = event["Records"][0]["s3"]
    s3["bucket"].update(name=media["bucket"], arn=f"arn:aws:s3:::{media['bucket']}")
    s3["object"].update(key=quote_plus(key), size=size)
    return media["check"].lambda_handler(event, FakeContext("MediaCheckFunction"))


def upload_and_check(api, media, creds, content: bytes, content_type="image/jpeg") -> str:
    granted = grant(api, creds, content_type, len(content))
    assert granted.status == 201, granted.body
    assert post_file(granted.body["upload"], content).status_code == 204
    media_id = granted.body["media"]["id"]
    deliver(media, granted.body["upload"]["fields"]["key"], len(content))
    return media_id


def test_an_upload_is_taken_by_s3_checked_and_shown_only_once_ready(api, demo, media):
    customer = demo["acme"]["cust-1"]
    photo = image_bytes("JPEG", gps=True)
    granted = grant(api, customer, "image/jpeg", len(photo))
    assert granted.status == 201
    key = granted.body["upload"]["fields"]["key"]
    assert key.startswith("uploads/acme/") and granted.body["media"]["status"] == "pending"
    assert post_file(granted.body["upload"], photo).status_code == 204
    media_id = granted.body["media"]["id"]
    pending = api.request("GET", f"/media/{media_id}", headers=customer)
    assert pending.status == 200 and pending.body["status"] == "pending" and pending.body["url"] is None

    assert deliver(media, key, len(photo)) == {"checked": ["ready"]}
    ready = api.request("GET", f"/media/{media_id}", headers=customer)
    assert ready.body["status"] == "ready" and ready.body["metadata"]["gps_removed"] is True
    assert ready.body["metadata"]["screening"] == "not_screened"
    shown = requests.get(ready.body["url"], timeout=10)
    assert shown.status_code == 200 and shown.content[:3] == b"\xff\xd8\xff" and b"GPS" not in shown.content
    s3 = boto3.client("s3")
    assert s3.list_objects_v2(Bucket=media["bucket"], Prefix="uploads/").get("KeyCount") == 0
    assert api.request("GET", f"/media/{media_id}", headers=demo["acme"]["cust-2"]).status == 404
    assert api.request("GET", f"/media/{media_id}", headers=demo["acme"]["agent"]).body["url"]
    assert api.request("GET", f"/media/{media_id}", headers=demo["other"]["agent"]).status == 404


def test_the_signed_policy_pins_key_type_and_size_range(api, demo, media):
    granted = grant(api, demo["acme"]["cust-1"], "video/mp4", 5_000_000)
    fields = granted.body["upload"]["fields"]
    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1, LIMITS[MediaType.MP4].max_bytes] in conditions
    assert {"Content-Type": "video/mp4"} in conditions and {"key": fields["key"]} in conditions
    assert {"bucket": media["bucket"]} in conditions and policy["expiration"]


def test_what_the_policy_would_refuse_is_rejected_by_the_check(api, demo, media):
    customer = demo["acme"]["cust-1"]
    jpeg = image_bytes("JPEG")
    mismatched = grant(api, customer, "image/png", len(jpeg))
    post_file(mismatched.body["upload"], jpeg, content_type="image/jpeg")  # moto takes it; S3 would not
    deliver(media, mismatched.body["upload"]["fields"]["key"], len(jpeg))
    shown = api.request("GET", f"/media/{mismatched.body['media']['id']}", headers=customer)
    assert (shown.body["status"], shown.body["reason"], shown.body["url"]) == ("rejected", "type_mismatch", None)
    assert shown.body["reason_message"]

    oversized = grant(api, customer, "image/png", 10)
    key = oversized.body["upload"]["fields"]["key"]
    post_file(oversized.body["upload"], image_bytes("PNG"))
    assert deliver(media, key, LIMITS[MediaType.PNG].max_bytes + 1) == {"checked": ["rejected:too_large"]}


def test_a_video_is_ready_with_its_duration(api, demo, media):
    media_id = upload_and_check(api, media, demo["acme"]["cust-1"], mp4_bytes(9), "video/mp4")
    shown = api.request("GET", f"/media/{media_id}", headers=demo["acme"]["cust-1"])
    assert shown.body["status"] == "ready" and shown.body["metadata"]["duration_s"] == 9


@pytest.mark.parametrize(("body", "field"), [
    ({"purpose": "ticket_evidence", "content_type": "image/gif", "size": 10}, "content_type"),
    ({"purpose": "ticket_evidence", "content_type": "image/jpeg", "size": 15 * 1024 * 1024 + 1}, "size"),
    ({"purpose": "review", "content_type": "image/png", "size": 10, "customer_id": "cust-2"}, "customer_id"),
])
def test_bad_upload_requests_get_422_with_the_field(api, demo, media, body, field):
    refused = api.request("POST", "/media", body, demo["acme"]["cust-1"])
    assert refused.status == 422 and [f["path"] for f in refused.body["error"]["fields"]] == [field], refused.body


def test_a_storefront_uploads_for_a_named_customer_and_inspection_photos_are_staffs(api, demo, media):
    key = demo["acme"]["key"]
    assert grant(api, key, customer_id="cust-1").status == 201
    assert grant(api, key).status == 422
    inspection = {"purpose": "inspection", "content_type": "image/jpeg", "size": 100}
    assert api.request("POST", "/media", inspection, key).status == 403
    assert api.request("POST", "/media", inspection, demo["acme"]["agent"]).status == 201


def test_tickets_take_the_customers_ready_evidence_and_refuse_the_rest(api, demo, media):
    customer = demo["acme"]["cust-1"]
    assert api.request("PUT", "/orders/SO-1", order_payload("SO-1", customer="cust-1"),
                       demo["acme"]["key"]).status in (200, 201)
    ready = upload_and_check(api, media, customer, image_bytes("JPEG"))
    foreign = upload_and_check(api, media, demo["acme"]["cust-2"], image_bytes("JPEG"))
    pending = grant(api, customer).body["media"]["id"]
    ticket = {"type": "return_refund", "order_id": "SO-1", "channel": "web", "reason_code": "damaged",
              "lines": [{"line_id": "L1", "quantity": 1}]}
    for media_ids, message in (([foreign], "was not found"), ([pending], "is not ready")):
        refused = api.request("POST", "/tickets", {**ticket, "media_ids": media_ids}, customer)
        assert refused.status == 422, refused.body
        [problem] = refused.body["error"]["fields"]
        assert problem["path"] == "media_ids[0]" and message in problem["message"]
    opened = api.request("POST", "/tickets", {**ticket, "media_ids": [ready]}, customer)
    assert opened.status == 201 and opened.body["media_ids"] == [ready]

    later = upload_and_check(api, media, customer, image_bytes("PNG"), "image/png")
    attached = api.request("POST", f"/tickets/{opened.body['id']}/media", {"media_ids": [later]}, customer)
    assert attached.status == 200 and attached.body["media_ids"] == [ready, later]
    refused = api.request("POST", f"/tickets/{opened.body['id']}/media", {"media_ids": [foreign]}, customer)
    assert refused.status == 422 and refused.body["error"]["fields"][0]["path"] == "media_ids[0]"
    read = api.request("GET", f"/tickets/{opened.body['id']}", headers=demo["acme"]["agent"])
    assert read.body["media_ids"] == [ready, later]


def test_a_key_outside_the_upload_prefix_is_ignored(media):
    assert deliver(media, "media/acme/med_x", 10) == {"checked": []}
