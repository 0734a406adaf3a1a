"""The local stack creates the template's S3 buckets and delivers their object events to the
function the template maps (SAM `Events: Type: S3`, or the bucket's NotificationConfiguration)."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from infra.local.stack import LocalStack
from infra.local.template import load_model
from tests.support.local_stack import eventually

FIXTURE = Path(__file__).parent / "s3_fixture" / "template.yaml"


def test_buckets_are_modelled_with_predicted_or_fixed_names_and_their_notifications():
    """GIVEN the fixture template WHEN modelled THEN a bucket without BucketName gets a predicted lower-case
    name, a fixed name is resolved, and both notification styles name the function."""
    m = load_model(FIXTURE, stack_name="S3Fx")
    assert m.buckets["PredictedBucket"].name == "s3fx-predictedbucket"
    assert m.buckets["DropBucket"].name == "S3Fx-123456789012-drop"
    assert m.functions["MailFunction"].environment["COPY_BUCKET"] == "s3fx-predictedbucket"
    [sam] = m.buckets["DropBucket"].notifications
    assert (sam.function_logical_id, sam.events, sam.filter_rules) == (
        "MailFunction", ["s3:ObjectCreated:*"], [{"Name": "prefix", "Value": "inbox/"}])
    [configured] = m.buckets["ConfiguredBucket"].notifications
    assert configured.function_logical_id == "MailFunction" and configured.filter_rules[0]["Value"] == ".eml"


@pytest.fixture(scope="module")
def stack():
    with LocalStack(FIXTURE, stack_name="s3fx", api_port=0, speed=60) as s:
        yield s


def _records(stack) -> list[dict]:
    table = stack.model.tables["RecordsTable"].name
    return boto3.client("dynamodb").query(TableName=table, KeyConditionExpression="pk = :pk",
                                          ExpressionAttributeValues={":pk": {"S": "s3"}})["Items"]


def test_put_object_invokes_the_mapped_function_with_the_s3_event(stack):
    """GIVEN the stack up WHEN an object is put under the SAM event's prefix THEN the function gets the
    S3 event (reads the object, writes its copy to the other template bucket); a key outside the prefix
    or with the wrong suffix invokes nothing."""
    s3 = boto3.client("s3")
    names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert {b.name for b in stack.model.buckets.values()} <= names
    assert s3.get_bucket_versioning(Bucket=stack.model.buckets["PredictedBucket"].name)["Status"] == "Enabled"

    drop = stack.model.buckets["DropBucket"].name
    s3.put_object(Bucket=drop, Key="inbox/acme/mail 1", Body=b"raw mime 1")
    s3.put_object(Bucket=drop, Key="elsewhere/x", Body=b"ignored")
    stack.drain(timeout=10)
    [record] = eventually(lambda: _records(stack))
    assert record["sk"]["S"].startswith(f"{drop}/inbox/acme/mail 1/") and record["body"]["S"] == "raw mime 1"
    assert record["event"]["S"] == "ObjectCreated:Put"
    copy = s3.get_object(Bucket=stack.model.buckets["PredictedBucket"].name, Key="copies/inbox/acme/mail 1")
    assert copy["Body"].read() == b"raw mime 1"

    configured = stack.model.buckets["ConfiguredBucket"].name
    s3.put_object(Bucket=configured, Key="a.txt", Body=b"no")
    s3.put_object(Bucket=configured, Key="b.eml", Body=b"yes")
    stack.drain(timeout=10)
    bodies = eventually(lambda: [r["body"]["S"] for r in _records(stack) if configured in r["sk"]["S"]])
    assert bodies == ["yes"]


def test_a_failing_function_is_retried_like_an_async_invoke_then_dropped(stack):
    """GIVEN a key the function refuses WHEN put THEN it is attempted three times (Lambda's async
    retries), then dropped; the stack drains."""
    drop = stack.model.buckets["DropBucket"].name
    boto3.client("s3").put_object(Bucket=drop, Key="inbox/acme/fail", Body=b"bad")
    attempts = eventually(lambda: [r for r in _records(stack) if "inbox/acme/fail" in r["sk"]["S"]]
                          if len([r for r in _records(stack) if "inbox/acme/fail" in r["sk"]["S"]]) >= 3 else None,
                          timeout=20)
    stack.drain(timeout=20)
    assert len([r for r in _records(stack) if "inbox/acme/fail" in r["sk"]["S"]]) == len(attempts) == 3
