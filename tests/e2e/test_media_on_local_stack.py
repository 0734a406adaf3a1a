"""Media on the local stack (the real template: the API's presigned POST -> the embedded S3 ->
the bucket's notification -> the media-check function -> the media table).

GIVEN the demo customer WHEN they ask for an upload, post a photo carrying a GPS location to the
presigned form and wait THEN the item becomes ready without its location, screened by nobody
(`not_screened`: no Rekognition locally), and a damage claim opened with it passes the intake
evidence check; a file that is not what it claims to be ends rejected with no URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.support.local_stack import demo_auth, eventually
from tests.support.media_files import image_bytes
from tests.support.stack_media import settled_media, upload_photo
from tests.support.stack_orders import open_ticket, put_order

pytestmark = pytest.mark.e2e


def test_a_photo_is_checked_by_the_s3_event_and_counts_as_a_damage_claims_evidence(local_stack):
    customer = demo_auth(local_stack, "customer token cust-1001")
    media_id = upload_photo(local_stack, customer, image_bytes("JPEG", (320, 240), gps=True))
    shown = settled_media(local_stack, customer, media_id)
    assert shown["status"] == "ready" and shown["metadata"]["gps_removed"] is True
    assert shown["metadata"]["screening"] == "not_screened" and shown["metadata"]["width"] == 320
    photo = requests.get(shown["url"], timeout=10)
    assert photo.status_code == 200 and photo.content[:3] == b"\xff\xd8\xff" and b"GPS" not in photo.content

    order = put_order(local_stack, "E2E-MEDIA", 3900, customer_id="cust-1001", tier="vip",
                      delivered_at=datetime.now(UTC) - timedelta(days=2))
    opened = open_ticket(local_stack, order, customer, ticket_type="return_refund", reason_code="damaged",
                         media_ids=[media_id])
    assert opened["media_ids"] == [media_id]

    def evaluated():
        reply = requests.get(f"{local_stack.api_url}/tickets/{opened['id']}/eligibility",
                             headers=demo_auth(local_stack, "agent token"), timeout=10)
        body = reply.json() if reply.status_code == 200 else {}
        return body if body.get("recorded") else None

    evaluation = eventually(evaluated, timeout=60)["evaluation"]
    evidence = next(c for c in evaluation["checks"] if c["check"] == "evidence")
    assert evidence["verdict"] == "pass" and evidence["details"]["media"] == 1


def test_a_file_that_is_not_what_it_claims_is_rejected_with_no_url(local_stack):
    customer = demo_auth(local_stack, "customer token cust-1001")
    media_id = upload_photo(local_stack, customer, image_bytes("PNG"), "image/webp")
    shown = settled_media(local_stack, customer, media_id)
    assert (shown["status"], shown["reason"], shown["url"]) == ("rejected", "type_mismatch", None)


def test_the_local_s3_refuses_a_post_that_breaks_its_policy(local_stack):
    customer = demo_auth(local_stack, "customer token cust-1001")
    granted = requests.post(f"{local_stack.api_url}/media", json={"purpose": "ticket_evidence",
                                                                  "content_type": "image/png", "size": 100},
                            headers=customer, timeout=10)
    assert granted.status_code == 201, granted.text
    upload = granted.json()["upload"]
    other_type = requests.post(upload["url"], data={**upload["fields"], "Content-Type": "image/gif"},
                               files={"file": ("x", b"GIF89a")}, timeout=10)
    assert other_type.status_code == 403 and b"AccessDenied" in other_type.content
    too_large = requests.post(upload["url"], data=upload["fields"],
                              files={"file": ("x", b"\0" * (15 * 1024 * 1024 + 1))}, timeout=30)
    assert too_large.status_code == 400 and b"EntityTooLarge" in too_large.content
    local_stack.drain(timeout=10)
    shown = requests.get(f"{local_stack.api_url}/media/{granted.json()['media']['id']}", headers=customer,
                         timeout=10).json()
    assert shown["status"] == "pending" and shown["url"] is None  # nothing reached the bucket
