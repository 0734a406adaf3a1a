"""The local stack runs a small fixture template for real: queues, streams, schedules, API, SFN.

One stack for the module (start-up is the slow part); every test polls with a bounded timeout.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from infra.local.stack import LocalStack
from tests.support.local_stack import eventually

FIXTURE = Path(__file__).parent / "fixture" / "template.yaml"


@pytest.fixture(scope="module")
def stack():
    with LocalStack(FIXTURE, stack_name="fx", api_port=0, speed=60) as s:
        yield s


@pytest.fixture(scope="module")
def ddb(stack):
    return boto3.client("dynamodb")


@pytest.fixture(scope="module")
def sqs(stack):
    return boto3.client("sqs")


def records(stack, ddb, pk: str) -> list[dict[str, Any]]:
    table = stack.model.tables["RecordsTable"].name
    return ddb.query(TableName=table, KeyConditionExpression="pk = :pk",
                     ExpressionAttributeValues={":pk": {"S": pk}})["Items"]


def receive_all(sqs, url: str) -> list[dict[str, Any]]:
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])


# ---------------------------------------------------------------- GIVEN the fixture template


def test_environment_points_in_process_clients_at_the_embedded_endpoint(stack):
    # THEN a plain boto3 client (no endpoint argument) sees the template's tables
    names = boto3.client("dynamodb").list_tables()["TableNames"]
    assert {"fx-RecordsTable", "fx-SourceTable"} <= set(names)


def test_function_environment_is_resolved_after_creation(stack):
    env = stack.model.functions["WorkerFunction"].environment
    assert env["RECORDS_TABLE"] == "fx-RecordsTable"
    assert env["GREETING"] == "hello"
    # the queue URL only exists once the queue is created: phase-two resolution
    assert env["WORK_QUEUE_URL"] == f"{stack.endpoint}/123456789012/fx-WorkQueue"


def test_sqs_partial_batch_failure_sends_only_the_poison_message_to_the_dlq(stack, ddb, sqs):
    # WHEN two good messages and one poison message are sent
    url = stack.model.resolver.refs["WorkQueue"]
    for body in ("good-1", "poison", "good-2"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    stack.drain(timeout=20)
    # THEN the good ones were processed once, the poison one is in the DLQ after maxReceiveCount
    done = {i["sk"]["S"]: i for i in records(stack, ddb, "sqs")}
    assert {"good-1", "good-2"} <= set(done)
    assert done["good-1"]["source_arn"]["S"] == "arn:aws:sqs:us-east-1:123456789012:fx-WorkQueue"
    assert "poison" not in done
    dlq = eventually(lambda: receive_all(sqs, stack.model.resolver.refs["WorkDLQ"]))
    assert [m["Body"] for m in dlq] == ["poison"]


def test_stream_filter_retries_and_on_failure_destination(stack, ddb, sqs):
    # WHEN audit, non-audit, failing-audit inserts and an audit update happen
    src = stack.model.tables["SourceTable"].name
    ddb.put_item(TableName=src, Item={"id": {"S": "s1"}, "kind": {"S": "audit"}})
    ddb.put_item(TableName=src, Item={"id": {"S": "s2"}, "kind": {"S": "note"}})
    ddb.put_item(TableName=src, Item={"id": {"S": "s3"}, "kind": {"S": "audit"}, "fail": {"BOOL": True}})
    ddb.put_item(TableName=src, Item={"id": {"S": "s1"}, "kind": {"S": "audit"}, "v": {"N": "2"}})
    stack.drain(timeout=20)
    # THEN only the INSERT of an audit item reaches the function (filter excludes the rest)
    seen = {i["sk"]["S"]: int(i["seen"]["N"]) for i in records(stack, ddb, "stream-seen")}
    assert seen == {"s1": 1, "s3": 2}  # s3: first attempt + MaximumRetryAttempts (1)
    assert [(i["sk"]["S"], i["event_name"]["S"]) for i in records(stack, ddb, "stream")] == [("s1", "INSERT")]
    # AND the failing record's batch info went to the OnFailure queue
    failures = eventually(lambda: receive_all(sqs, stack.model.resolver.refs["StreamFailures"]))
    body = json.loads(failures[0]["Body"])
    assert body["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert body["DDBStreamBatchInfo"]["batchSize"] == 1
    stream_arn = stack.model.functions["StreamFunction"].stream_events[0].stream_arn
    assert body["DDBStreamBatchInfo"]["streamArn"] == stream_arn


def test_schedule_ticks_on_the_accelerated_clock(stack, ddb):
    # GIVEN rate(1 minute) at speed 60: a tick a second
    ticks = eventually(lambda: (r := records(stack, ddb, "tick")) and len(r) >= 2 and r, timeout=10)
    assert ticks[0]["source"]["S"] == "aws.events"
    assert ticks[0]["detail_type"]["S"] == "Scheduled Event"
    assert ticks[0]["function"]["S"] == "fx-TickFunction"


def test_eventbridge_rule_reaches_sqs_target_and_function(stack, ddb, sqs):
    boto3.client("events").put_events(Entries=[
        {"Source": "fixture.orders", "DetailType": "OrderPlaced", "Detail": json.dumps({"order_id": "o-1"}),
         "EventBusName": "fx-orders"},
        {"Source": "fixture.orders", "DetailType": "OrderCancelled", "Detail": json.dumps({"order_id": "o-2"}),
         "EventBusName": "fx-orders"},
    ])
    stack.drain(timeout=10)
    # THEN the function's own rule (detail-type OrderPlaced only) delivered one event
    assert [i["sk"]["S"] for i in records(stack, ddb, "rule")] == ["o-1"]
    # AND the template's rule with an SQS target received both
    messages = eventually(lambda: receive_all(sqs, stack.model.resolver.refs["RuleQueue"]))
    got = set()
    for _ in range(5):
        got |= {json.loads(m["Body"])["detail"]["order_id"] for m in messages}
        if got == {"o-1", "o-2"}:
            break
        messages = receive_all(sqs, stack.model.resolver.refs["RuleQueue"])
    assert got == {"o-1", "o-2"}


def test_state_machine_runs_lambda_task_and_dynamodb_integration(stack, ddb):
    sfn = boto3.client("stepfunctions")
    arn = stack.model.state_machines["DoubleAndSave"].arn
    execution = sfn.start_execution(stateMachineArn=arn, name="double-21", input=json.dumps({"n": 21}))
    desc = eventually(lambda: (d := sfn.describe_execution(executionArn=execution["executionArn"]))
                      and d["status"] != "RUNNING" and d)
    assert desc["status"] == "SUCCEEDED", desc.get("cause")
    assert json.loads(desc["output"]) == {"doubled": 42}
    saved = [i for i in records(stack, ddb, "sfn") if i["sk"]["S"] == "double-21"]
    assert saved and saved[0]["doubled"]["N"] == "42"


def test_schedule_v2_starts_named_state_machine_executions(stack):
    # GIVEN a ScheduleV2 event rate(2 minutes) on the state machine, speed 60: every 2 s
    sfn = boto3.client("stepfunctions")
    arn = stack.model.state_machines["DoubleAndSave"].arn

    def scheduled_successes():
        runs = sfn.list_executions(stateMachineArn=arn)["executions"]
        return [e for e in runs if e["name"].startswith("DoubleAndSave-Tick-") and e["status"] == "SUCCEEDED"]

    (first, *_) = eventually(scheduled_successes, timeout=15)
    assert json.loads(sfn.describe_execution(executionArn=first["executionArn"])["output"]) == {"doubled": 2}
    names = [s["Name"] for s in boto3.client("scheduler").list_schedules()["Schedules"]]
    assert "fx-DoubleAndSaveTick" in names


def test_lambda_invoke_api_runs_the_real_handler(stack):
    client = boto3.client("lambda")
    ok = client.invoke(FunctionName="fx-DoubleFunction", Payload=json.dumps({"n": 5}))
    assert json.loads(ok["Payload"].read()) == {"doubled": 10, "function": "fx-DoubleFunction"}
    failed = client.invoke(FunctionName=stack.model.functions["DoubleFunction"].arn, Payload=b"{}")
    assert failed["FunctionError"] == "Unhandled"
    assert json.loads(failed["Payload"].read())["errorType"] == "ValueError"


# ---------------------------------------------------------------- API Gateway front


def test_api_specific_route_with_authorizer_context(stack):
    r = requests.get(f"{stack.api_url}/items/42?a=1&a=2", headers={"X-Token": "allow"}, timeout=10)
    assert r.status_code == 200
    assert r.headers["X-Greeting"] == "hello"
    body = r.json()
    assert body["resource"] == "/items/{id}"
    assert body["path"] == "/items/42"
    assert body["pathParameters"] == {"id": "42"}
    assert body["queryStringParameters"] == {"a": "2"}
    assert body["multiValueQueryStringParameters"] == {"a": ["1", "2"]}
    ctx = body["requestContext"]
    assert ctx["stage"] == "v1" and ctx["path"] == "/v1/items/42" and ctx["resourcePath"] == "/items/{id}"
    assert ctx["authorizer"]["principalId"] == "user-1"
    assert ctx["authorizer"]["tenant"] == "t1"
    assert ctx["authorizer"]["n"] == "1" and ctx["authorizer"]["ok"] == "true"  # stringified like API Gateway
    assert ctx["authorizer"]["type"] == "REQUEST"
    expected_arn = f"arn:aws:execute-api:us-east-1:123456789012:{ctx['apiId']}/v1/GET/items/42"
    assert ctx["authorizer"]["method_arn"] == expected_arn


def test_api_greedy_proxy_route(stack):
    r = requests.post(f"{stack.api_url}/tickets/7/notes", data="hi", headers={"X-Token": "allow"}, timeout=10)
    assert r.status_code == 200
    body = r.json()
    assert body["resource"] == "/{proxy+}"
    assert body["pathParameters"] == {"proxy": "tickets/7/notes"}
    assert body["body"] == "hi" and body["isBase64Encoded"] is False


def test_api_open_route_skips_the_authorizer(stack):
    r = requests.get(f"{stack.api_url}/public", timeout=10)
    assert r.status_code == 200
    assert "authorizer" not in r.json()["requestContext"]


@pytest.mark.parametrize(
    ("path", "headers", "status", "message"),
    [
        ("/items/1", {}, 401, "Unauthorized"),
        ("/items/1", {"X-Token": "nope"}, 401, "Unauthorized"),
        ("/items/1", {"X-Token": "deny"}, 403, "User is not authorized to access this resource with an explicit deny"),
        ("/", {"X-Token": "allow"}, 403, "Missing Authentication Token"),
    ],
)
def test_api_gateway_errors(stack, path, headers, status, message):
    r = requests.get(f"{stack.api_url}{path}", headers=headers, timeout=10)
    assert (r.status_code, r.json()) == (status, {"message": message})


def test_api_outside_the_stage_is_missing_token(stack):
    r = requests.get(stack.api_url.rsplit("/", 1)[0] + "/public", timeout=10)
    assert (r.status_code, r.json()) == (403, {"message": "Missing Authentication Token"})


def test_api_binary_request_and_response(stack):
    r = requests.post(f"{stack.api_url}/upload", data=b"\xff\x00", timeout=10,
                      headers={"X-Token": "allow", "Content-Type": "application/octet-stream"})
    body = r.json()
    assert body["isBase64Encoded"] is True and body["body"] == "/wA="
    r = requests.get(f"{stack.api_url}/binary", headers={"X-Token": "allow"}, timeout=10)
    assert r.content == b"\x00\x01\x02"


def test_api_payload_over_10_mb_is_413(stack):
    r = requests.post(f"{stack.api_url}/upload", data=b"x" * (10 * 1024 * 1024 + 1),
                      headers={"X-Token": "allow"}, timeout=30)
    assert r.status_code == 413
