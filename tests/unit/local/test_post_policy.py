"""The local stack's S3 POST-policy gate on forms boto3 really signs: the granted form passes;
another Content-Type, another key, an extra field, a file over or under the size range and an
expired policy are refused with S3's status and error code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from infra.local.post_policy import refusal

BUCKET = "media-bucket"


@pytest.fixture
def form() -> dict[str, str]:
    s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    post = s3.generate_presigned_post(Bucket=BUCKET, Key="uploads/acme/med_1", ExpiresIn=300,
                                      Fields={"Content-Type": "image/png"},
                                      Conditions=[{"Content-Type": "image/png"}, ["content-length-range", 1, 1000]])
    return {**post["fields"], "bucket": BUCKET}


def test_the_granted_form_passes(form):
    assert refusal(form, 500) is None
    assert refusal({"key": "anything"}, 10) is None  # no policy: not a browser upload, moto decides


@pytest.mark.parametrize(("change", "code"), [
    ({"Content-Type": "image/jpeg"}, "AccessDenied"),
    ({"key": "uploads/other/med_1"}, "AccessDenied"),
    ({"bucket": "another-bucket"}, "AccessDenied"),
    ({"x-amz-meta-owner": "me"}, "AccessDenied"),
])
def test_a_changed_or_extra_field_is_refused(form, change, code):
    status, got, message = refusal({**form, **change}, 500)
    assert (status, got) == (403, code) and "Invalid according to Policy" in message


def test_the_file_size_is_held_to_the_range(form):
    assert refusal(form, 1001)[:2] == (400, "EntityTooLarge")
    assert refusal(form, 0)[:2] == (400, "EntityTooSmall")
    assert refusal(form, 1000) is None and refusal(form, 1) is None


def test_an_expired_policy_is_refused(form):
    later = datetime.now(UTC) + timedelta(minutes=6)
    assert refusal(form, 10, now=later)[:2] == (403, "AccessDenied")


def test_an_unreadable_policy_is_refused(form):
    assert refusal({**form, "policy": "not base64 json"}, 10)[:2] == (400, "InvalidPolicyDocument")
