"""Photos on reviews under moto: a review photo goes through POST /media, S3 and the media-check
function, then shows on the review (GET /reviews/{id}, the product listing) with a presigned URL to
anyone of the tenant once published, and before that to its author and staff only; a listing page
reads its media in one batch. The moderation function holds a review whose photo nearly copies
another customer's, and five-star reviews from accounts sharing a device."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from urllib.parse import quote_plus

import boto3
import pytest
import requests

from aftersales import wiring
from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.reviews.service import SUBMITTED
from bench.support import RequestCounter
from tests.support.lambdas import FakeContext, load_handler, sqs_record
from tests.support.media_files import photo_like
from tests.support.tickets import order_payload

EVENT = json.loads((Path(__file__).parents[2] / "fixtures" / "s3" / "object_created_post.json").read_text())
PRAISE = ["保温效果很好，一整天水都是热的", "颜色好看，做工精细，送人很体面", "容量刚好，带去办公室很方便",
          "杯盖密封严实，放包里也不漏"]


@pytest.fixture
def rig(aws, monkeypatch, request):
    for function in ("MediaCheckFunction", "ReviewModerationFunction"):
        for key, value in aws.functions[function].environment.items():
            monkeypatch.setenv(key, str(value))
    bucket = aws.functions["ApiFunction"].environment["MEDIA_BUCKET"]
    monkeypatch.setenv("MEDIA_BUCKET", bucket)
    monkeypatch.setenv("MEDIA_MODERATION", "none")  # moto has no DetectModerationLabels
    boto3.client("s3").create_bucket(Bucket=bucket)
    published = RecordingPublisher()
    wiring.override(wiring.Container(events=published))
    creds = request.getfixturevalue("demo")["acme"]
    api = request.getfixturevalue("api")
    for order_id, customer in (("O-1", "cust-1"), ("O-2", "cust-2"), ("O-3", "cust-2"), ("O-4", "cust-3"),
                               ("O-5", "cust-4")):
        body = order_payload(order_id, customer=customer) | {
            "fulfilment": {"status": "delivered", "delivered_at": "2026-11-25T10:00:00+08:00"},
            "customer": {"id": customer, "account_created_at": "2025-01-01T00:00:00+00:00"}}
        assert api.request("PUT", f"/orders/{order_id}", body, creds["key"]).status in (200, 201)
    return {"api": api, "creds": creds, "events": published, "bucket": bucket,
            "consumer": load_handler("review_moderation"), "check": load_handler("media_check")}


def upload(rig, who: str, content: bytes, content_type: str = "image/png", check: bool = True) -> str:
    granted = rig["api"].request("POST", "/media", {"purpose": "review", "content_type": content_type,
                                                    "size": len(content)}, rig["creds"][who])
    assert granted.status == 201, granted.body
    key = granted.body["upload"]["fields"]["key"]
    boto3.client("s3").put_object(Bucket=rig["bucket"], Key=key, Body=content, ContentType=content_type)
    if check:
        event = copy.deepcopy(EVENT)
        s3 = event["Records"][0]["s3"]
        s3["bucket"].update(name=rig["bucket"], arn=f"arn:aws:s3:::{rig['bucket']}")
        s3["object"].update(key=quote_plus(key), size=len(content))
        assert rig["check"].lambda_handler(event, FakeContext("MediaCheckFunction")) == {"checked": ["ready"]}
    return granted.body["media"]["id"]


def moderate(rig) -> dict:
    records = [sqs_record({"detail": detail}, message_id=str(i))
               for i, (kind, detail) in enumerate(rig["events"].events) if kind == SUBMITTED]
    rig["events"].events.clear()
    return rig["consumer"].lambda_handler({"Records": records}, FakeContext("ReviewModerationFunction"))


def write(rig, who: str, order_id: str, text: str, media_ids=(), rating: int = 5, headers=None):
    body = {"order_id": order_id, "line_id": "L1", "rating": rating, "text": text, "locale": "zh-Hans",
            "media_ids": list(media_ids)}
    if who == "key":
        body["customer_id"] = None
    answer = rig["api"].request("POST", "/reviews", body, {**rig["creds"][who], **(headers or {})})
    assert answer.status == 201, answer.body
    return answer.body


def test_a_published_reviews_photo_shows_to_anyone_of_the_tenant_with_a_url(rig):
    api, creds = rig["api"], rig["creds"]
    photo = upload(rig, "cust-1", photo_like(1))
    mine = write(rig, "cust-1", "O-1", PRAISE[0], [photo])
    assert [m["id"] for m in mine["media"]] == [photo] and mine["media"][0]["url"]  # its author sees it at once
    assert api.request("GET", f"/reviews/{mine['id']}", headers=creds["cust-2"]).status == 404
    assert api.request("GET", f"/reviews/{mine['id']}", headers=creds["agent"]).body["media"][0]["id"] == photo
    assert moderate(rig) == {"batchItemFailures": []}

    for reader in ("cust-2", "key"):
        seen = api.request("GET", f"/reviews/{mine['id']}", headers=creds[reader])
        assert seen.status == 200 and seen.body["media_ids"] == [photo]
        [shown] = seen.body["media"]
        assert (shown["id"], shown["content_type"], shown["width"], shown["height"]) == (photo, "image/png", 256, 192)
        assert shown["url_expires_in"] == 300
        fetched = requests.get(shown["url"], timeout=10)
        assert fetched.status_code == 200 and fetched.content[:4] == b"\x89PNG"
    listing = api.request("GET", "/products/MUG/reviews", headers=creds["key"]).body
    assert [m["id"] for m in listing["items"][0]["media"]] == [photo]


def test_an_unchecked_upload_is_refused_and_never_shown(rig):
    pending = upload(rig, "cust-1", photo_like(2), check=False)
    refused = rig["api"].request("POST", "/reviews", {"order_id": "O-1", "line_id": "L1", "rating": 5,
                                                      "text": PRAISE[0], "locale": "zh-Hans", "media_ids": [pending]},
                                 rig["creds"]["cust-1"])
    assert refused.status == 422 and refused.body["error"]["fields"][0]["path"] == "media_ids[0]"
    review = write(rig, "cust-1", "O-1", PRAISE[0])
    moderate(rig)
    assert rig["api"].request("GET", f"/reviews/{review['id']}", headers=rig["creds"]["cust-2"]).body["media"] == []


def test_a_listing_page_reads_its_media_in_one_batch(rig):
    for n, (who, order_id) in enumerate((("cust-1", "O-1"), ("cust-2", "O-2"))):
        photos = [upload(rig, who, photo_like(10 + n)), upload(rig, who, photo_like(20 + n))]
        write(rig, who, order_id, PRAISE[n], photos)
    moderate(rig)
    counter = RequestCounter()
    with counter.counting():
        listing = rig["api"].request("GET", "/products/MUG/reviews", headers=rig["creds"]["cust-2"])
    assert [len(r["media"]) for r in listing.body["items"]] == [2, 2]
    batches = {n for (service, op, _), n in counter.calls.items() if (service, op) == ("dynamodb", "BatchGetItem")}
    assert batches == {1}, counter.calls  # four photos of two reviews: one batch read


def test_a_photo_nearly_copying_another_customers_holds_the_review(rig):
    api, creds = rig["api"], rig["creds"]
    write(rig, "cust-1", "O-1", PRAISE[0], [upload(rig, "cust-1", photo_like(5))])
    moderate(rig)
    copied = upload(rig, "cust-2", photo_like(5, fmt="JPEG"), "image/jpeg")  # the same picture, re-encoded
    held = write(rig, "cust-2", "O-2", PRAISE[1], [copied])
    moderate(rig)
    seen = api.request("GET", f"/reviews/{held['id']}", headers=creds["agent"]).body
    assert seen["status"] == "pending_review"
    assert [r["code"] for r in seen["moderation"]["reasons"]] == ["photo_near_duplicate"]
    assert seen["media"][0]["id"] == copied  # staff see the photo they are asked to judge


def test_five_star_reviews_from_accounts_sharing_a_device_are_held(rig):
    api, creds = rig["api"], rig["creds"]
    device = {"X-Device-Fingerprint": "fp-shared-1"}
    ids = []
    for n, order_id in enumerate(("O-1", "O-2", "O-4")):
        ids.append(write(rig, "key", order_id, PRAISE[n], headers=device)["id"])
        moderate(rig)
    statuses = [api.request("GET", f"/reviews/{i}", headers=creds["agent"]).body for i in ids]
    assert [s["status"] for s in statuses] == ["published", "published", "pending_review"]
    assert {r["code"] for r in statuses[2]["moderation"]["reasons"]} == {"shared_device_cluster",
                                                                         "cluster_five_star_burst"}
    one_star = write(rig, "key", "O-5", "质量太差了，用了两天就坏了，非常失望", rating=1, headers=device)
    moderate(rig)
    seen = api.request("GET", f"/reviews/{one_star['id']}", headers=creds["agent"]).body
    assert seen["status"] == "published"  # a negative review: the cluster is named, the rating is not weighed
    assert {r["code"] for r in seen["moderation"]["reasons"]} == {"shared_device_cluster"}
