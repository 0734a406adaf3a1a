"""Optimistic locking under real races, and the audit stream becoming domain events."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace

import boto3
import pytest

from aftersales.core.errors import ConcurrentModification, InvalidRequest
from aftersales.orders.domain import Order
from aftersales.tickets.domain import Actor, LineRequest, OpenTicket
from aftersales.tickets.model import Role, Status, TicketType
from aftersales.wiring import services
from tests.support.lambdas import FakeContext, load_handler
from tests.support.tickets import order_payload

STOREFRONT = Actor(id="apikey:k", roles=frozenset({Role.STOREFRONT}), request_id="r")
SUPERVISOR = Actor(id="sup-1", roles=frozenset({Role.SUPERVISOR}), request_id="r")


@pytest.fixture
def serializable(monkeypatch):
    """moto checks conditions and applies writes without a lock; DynamoDB serialises writes to an
    item. Make the fake faithful (one write at a time) so races test our code, not moto's."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in ("transact_write_items", "put_item", "update_item", "delete_item"):
        original = getattr(DynamoDBBackend, name)

        def locked(self, *args, _original=original, **kwargs):
            with lock:
                return _original(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, locked)


def _setup(quantity=2):
    svc = services()
    svc.tickets.upsert_order("t1", Order.model_validate(order_payload(quantity=quantity)))
    return svc


def _request(quantity=1):
    return OpenTicket(type=TicketType.RETURN_REFUND, order_id="O-1", channel="app", reason_code="damaged",
                      lines=[LineRequest(line_id="L1", quantity=quantity)])


def test_a_change_made_between_read_and_write_is_not_lost(aws):
    """GIVEN a transition whose first write races an assignment WHEN the store reports the
    conflict THEN the service re-reads, re-checks and writes on top: both changes survive."""
    svc = _setup()
    ticket = svc.tickets.open("t1", _request(), STOREFRONT)
    store = svc.ticket_store
    real_save = store.save_change
    raced = {"done": False}

    def racing_save(change, expected_version, release=None):
        if not raced["done"]:
            raced["done"] = True
            svc.tickets.assign("t1", ticket.id, "agent-7", SUPERVISOR)  # lands first
        return real_save(change, expected_version, release)

    store.save_change = racing_save
    try:
        moved = svc.tickets.transition("t1", ticket.id, Status.PENDING_APPROVAL, STOREFRONT)
    finally:
        store.save_change = real_save
    final = svc.tickets.get("t1", ticket.id, SUPERVISOR)
    assert moved.version == 3 and final.assignee_id == "agent-7" and final.status == Status.PENDING_APPROVAL
    assert svc.tickets.verify("t1", ticket.id, SUPERVISOR).valid


def test_parallel_writers_on_one_ticket_all_land_in_one_chain(aws, serializable):
    svc = _setup()
    ticket = svc.tickets.open("t1", _request(), STOREFRONT)
    errors: list[Exception] = []

    def assign(n: int) -> None:
        try:
            svc.tickets.assign("t1", ticket.id, f"agent-{n}", SUPERVISOR)
        except ConcurrentModification as exc:  # allowed only after MAX_ATTEMPTS lost races
            errors.append(exc)

    threads = [threading.Thread(target=assign, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = svc.tickets.get("t1", ticket.id, SUPERVISOR)
    entries = svc.tickets.audit("t1", ticket.id, SUPERVISOR)
    assert final.version == 1 + 6 - len(errors) == len(entries)
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert svc.tickets.verify("t1", ticket.id, SUPERVISOR).valid


def test_parallel_tickets_never_claim_more_than_was_bought(aws, serializable):
    svc = _setup(quantity=2)
    outcomes: list[str] = []

    def open_one() -> None:
        try:
            svc.tickets.open("t1", _request(1), STOREFRONT)
            outcomes.append("created")
        except InvalidRequest:
            outcomes.append("rejected")
        except ConcurrentModification:
            outcomes.append("conflict")

    threads = [threading.Thread(target=open_one) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("created") == 2
    assert svc.ticket_store.get_order("t1", "O-1").reserved == {"L1": 2}


def _audit_stream_records(ddb, table: str, ticket_id: str) -> list[dict]:
    """Stream INSERT records as Lambda receives them: NewImage is the item in DynamoDB JSON.
    (moto's in-process mock has no DescribeStream; the local stack's e2e test reads the real
    stream through moto's server.)"""
    items = ddb.query(TableName=table, KeyConditionExpression="pk = :pk AND begins_with(sk, :log)",
                      ExpressionAttributeValues={":pk": {"S": f"t1#TICKET#{ticket_id}"}, ":log": {"S": "LOG#"}})
    return [{"eventID": str(n), "eventName": "INSERT", "eventSource": "aws:dynamodb",
             "dynamodb": {"Keys": {"pk": item["pk"], "sk": item["sk"]}, "NewImage": item,
                          "SequenceNumber": f"{n:021d}", "StreamViewType": "NEW_AND_OLD_IMAGES"}}
            for n, item in enumerate(items["Items"], start=1)]


def test_publisher_reports_every_record_when_eventbridge_fails(aws, monkeypatch):
    """Provider fault: PutEvents raises → every record of the chunk is reported for retry."""
    svc = _setup()
    ticket = svc.tickets.open("t1", _request(), STOREFRONT)
    records = _audit_stream_records(boto3.client("dynamodb"), aws.tables["TicketsTable"].name, ticket.id)
    publisher = load_handler("events_publisher")

    class Down:
        def put_events(self, **_kwargs):
            raise ConnectionError("eventbridge unreachable")

    from aftersales import wiring
    from aftersales.adapters.eventbridge import EventBridgePublisher

    wiring.override(wiring.Container(events=EventBridgePublisher("bus", client=Down())))
    result = publisher.lambda_handler({"Records": records}, FakeContext("publisher"))
    wiring.override(None)
    assert result == {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in records]}


def test_audit_entries_on_the_stream_become_domain_events(aws):
    """GIVEN a ticket created and moved WHEN the stream's audit INSERTs reach the publisher
    THEN EventBridge routes one event per entry to the timeline queue, and the projector builds
    the customer timeline from them."""
    from infra.local.resources import create_all

    clients = SimpleNamespace(**{n: boto3.client(n) for n in ("dynamodb", "sqs", "events", "stepfunctions",
                                                                "scheduler", "s3")})
    for table in aws.tables.values():  # tables exist already; create the rest of the template
        clients.dynamodb.delete_table(TableName=table.name)
    create_all(aws, clients)
    svc = _setup()
    ticket = svc.tickets.open("t1", _request(), STOREFRONT)
    svc.tickets.assign("t1", ticket.id, "agent-1", SUPERVISOR)
    svc.tickets.transition("t1", ticket.id, Status.PENDING_APPROVAL, STOREFRONT)

    audit = _audit_stream_records(clients.dynamodb, aws.tables["TicketsTable"].name, ticket.id)
    assert len(audit) == 3
    result = load_handler("events_publisher").lambda_handler({"Records": audit}, FakeContext("publisher"))
    assert result == {"batchItemFailures": []}

    queue_url = clients.sqs.get_queue_url(QueueName=aws.queues["TimelineQueue"].name)["QueueUrl"]
    messages = clients.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    events = [json.loads(m["Body"]) for m in messages]
    assert sorted(e["detail-type"] for e in events) == ["ticket.assigned", "ticket.created",
                                                        "ticket.submitted_for_approval"]
    assert {e["source"] for e in events} == {"aftersales.tickets"}
    assert all(e["detail"]["tenant_id"] == "t1" and e["detail"]["ticket_id"] == ticket.id for e in events)

    sqs_event = {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                              "attributes": {}, "messageAttributes": {}, "md5OfBody": m["MD5OfBody"],
                              "eventSource": "aws:sqs", "eventSourceARN": aws.queues["TimelineQueue"].arn,
                              "awsRegion": "us-east-1"} for m in messages]}
    projector = load_handler("timeline_projector")
    assert projector.lambda_handler(sqs_event, FakeContext("projector")) == {"batchItemFailures": []}
    assert projector.lambda_handler(sqs_event, FakeContext("projector")) == {"batchItemFailures": []}  # redelivery
    timeline = svc.tickets.timeline("t1", ticket.id, SUPERVISOR)
    # the assignment is staff-only
    assert [e.event for e in timeline] == ["ticket.created", "ticket.submitted_for_approval"]
