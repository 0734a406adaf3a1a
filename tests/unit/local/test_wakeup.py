"""Pumps wait for their doorbell instead of polling moto (infra/local/wakeup.py): which requests
ring which pumps, and that an idle pump looks again when rung, not before."""

from __future__ import annotations

import json
import threading

from hypothesis import given
from hypothesis import strategies as st

from infra.local.pumps import Pump
from infra.local.wakeup import EVERYONE, Wakeup, sqs_topic, table_topic, written_sources

SIGV4 = "AWS4-HMAC-SHA256 Credential=testing/20261201/us-east-1/{service}/aws4_request, SignedHeaders=host, " \
        "Signature=0"


def _json_call(target: str, body: dict) -> tuple[dict, bytes]:
    return {"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": target}, json.dumps(body).encode()


def test_sqs_sends_ring_the_pump_of_that_queue_only():
    environ, body = _json_call("AmazonSQS.SendMessageBatch",
                               {"QueueUrl": "http://127.0.0.1:5000/123456789012/stack-TimelineQueue", "Entries": []})
    assert written_sources(environ, body) == {sqs_topic("stack-TimelineQueue")}
    environ, body = _json_call("AmazonSQS.ChangeMessageVisibility",
                               {"QueueUrl": "http://127.0.0.1:5000/123456789012/q", "ReceiptHandle": "r",
                                "VisibilityTimeout": 0})
    assert written_sources(environ, body) == {sqs_topic("q")}


def test_reads_and_the_pumps_own_calls_ring_nobody():
    for target in ("AmazonSQS.ReceiveMessage", "AmazonSQS.GetQueueAttributes", "AmazonSQS.DeleteMessageBatch",
                   "DynamoDB_20120810.GetItem", "DynamoDB_20120810.Query",
                   "DynamoDBStreams_20120810.GetRecords", "DynamoDBStreams_20120810.GetShardIterator",
                   "AWSStepFunctions.DescribeExecution"):
        environ, body = _json_call(target, {"QueueUrl": "http://h/1/q", "TableName": "t"})
        assert written_sources(environ, body) == set(), target
    s3_read = {"REQUEST_METHOD": "GET", "HTTP_AUTHORIZATION": SIGV4.format(service="s3")}
    assert written_sources(s3_read, None) == set()
    ses_send = {"REQUEST_METHOD": "POST", "HTTP_AUTHORIZATION": SIGV4.format(service="ses")}
    assert written_sources(ses_send, b"Action=SendEmail") == set()


def test_dynamodb_writes_ring_the_stream_pumps_of_the_tables_written():
    put = _json_call("DynamoDB_20120810.PutItem", {"TableName": "Tickets", "Item": {}})
    assert written_sources(*put) == {table_topic("Tickets")}
    batch = _json_call("DynamoDB_20120810.BatchWriteItem", {"RequestItems": {"Tickets": [], "Sla": []}})
    assert written_sources(*batch) == {table_topic("Tickets"), table_topic("Sla")}
    transact = _json_call("DynamoDB_20120810.TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "Tickets", "Item": {}}}, {"ConditionCheck": {"TableName": "Orders", "Key": {}}}]})
    assert written_sources(*transact) == {table_topic("Tickets"), table_topic("Orders")}
    partiql = _json_call("DynamoDB_20120810.ExecuteStatement", {"Statement": "UPDATE Tickets SET a=1"})
    assert written_sources(*partiql) == {EVERYONE}


def test_events_and_s3_writes_ring_everyone():
    assert written_sources(*_json_call("AWSEvents.PutEvents", {"Entries": []})) == {EVERYONE}
    put_object = {"REQUEST_METHOD": "PUT", "HTTP_AUTHORIZATION": SIGV4.format(service="s3")}
    assert written_sources(put_object, None) == {EVERYONE}
    presigned = {"REQUEST_METHOD": "PUT",
                 "QUERY_STRING": "X-Amz-Credential=testing%2F20261201%2Fus-east-1%2Fs3%2Faws4_request"}
    assert written_sources(presigned, None) == {EVERYONE}


@given(st.binary(max_size=64))
def test_a_body_that_cannot_be_read_rings_everyone_rather_than_nobody(body):
    """GIVEN a write whose body is not the JSON expected THEN every pump is rung (never a lost wake)."""
    for target in ("AmazonSQS.SendMessage", "DynamoDB_20120810.PutItem", "DynamoDB_20120810.TransactWriteItems"):
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            continue
        assert written_sources({"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": target}, body) == {EVERYONE}


class CountingPump(Pump):
    """A source that is always provably empty; counts its looks."""

    IDLE_CHECK = 30.0

    def __init__(self, wakeup: Wakeup, topic: str) -> None:
        super().__init__("counting", wakeup, [topic])
        self.looks = 0
        self.looked = threading.Event()

    def run_once(self) -> bool:
        self.looks += 1
        self.idle = True
        self.looked.set()
        return False


def test_an_idle_pump_waits_for_its_doorbell_and_looks_again_when_rung():
    """GIVEN a pump whose source is empty WHEN nothing rings it THEN it looks once and then waits
    (no polling); WHEN another topic is rung THEN it still waits; WHEN its own topic is rung THEN it
    looks again, and is quiet again only after that look."""
    wakeup = Wakeup()
    pump = CountingPump(wakeup, sqs_topic("mine"))
    pump.start()
    try:
        assert pump.looked.wait(10)
        other = threading.Event()
        threading.Timer(0.3, other.set).start()
        wakeup.notify({sqs_topic("someone-else")})
        other.wait(10)
        assert pump.looks == 1
        assert pump.quiet
        pump.looked.clear()
        wakeup.notify({sqs_topic("mine")})
        assert not pump.quiet or pump.looks == 2  # rung: quiet only once it has looked again
        assert pump.looked.wait(10)
        assert pump.looks == 2
    finally:
        pump.stop(timeout=10)


def test_stopping_wakes_a_waiting_pump():
    """GIVEN an idle pump waiting out a 30 s check WHEN it is stopped THEN its thread ends (joined)."""
    pump = CountingPump(Wakeup(), sqs_topic("q"))
    pump.start()
    assert pump.looked.wait(10)
    assert pump.running
    pump.stop(timeout=10)
    assert not pump.running
    assert pump.looks == 1
