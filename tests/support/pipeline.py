"""The event pipeline of the money path under moto, pumped by hand (no threads, no sleeps):

tickets table audit INSERTs -> events_publisher -> the template's bus and rules -> the Money / Risk /
Timeline (and, when asked, Eligibility) SQS queues -> money_events / risk_counters / timeline_projector
(/ eligibility_triage) handlers. A test-only rule
on the same bus copies every `aftersales.orders`, `.fulfilment` and `.refunds` event into an SQS queue
the test reads, as a storefront / OMS subscriber would receive them.

Building it recreates every table: request it BEFORE fixtures that seed data (`demo`).
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import boto3

from tests.support.lambdas import FakeContext, load_handler

OUTBOUND_SOURCES = ["aftersales.orders", "aftersales.fulfilment", "aftersales.refunds"]


class Pipeline:
    def __init__(self, model: Any, *, triage: bool = False) -> None:
        """`triage`: also run the eligibility consumer of `ticket.created` (EligibilityQueue)."""
        from infra.local.resources import create_all

        self.model = model
        self.clients = SimpleNamespace(**{n: boto3.client(n) for n in (
            "dynamodb", "sqs", "events", "stepfunctions", "scheduler", "s3")})
        for table in model.tables.values():  # the aws fixture made the tables; create the whole template
            self.clients.dynamodb.delete_table(TableName=table.name)
        create_all(model, self.clients)
        bus = model.buses["DomainEventBus"].name
        self.outbound_url = self.clients.sqs.create_queue(QueueName="test-outbound")["QueueUrl"]
        arn = self.clients.sqs.get_queue_attributes(QueueUrl=self.outbound_url,
                                                    AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.clients.events.put_rule(Name="test-outbound", EventBusName=bus,
                                     EventPattern=json.dumps({"source": OUTBOUND_SOURCES}))
        self.clients.events.put_targets(Rule="test-outbound", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
        self.publisher = load_handler("events_publisher")
        self.money_events = load_handler("money_events")
        self.risk_counters = load_handler("risk_counters")
        self.timeline_projector = load_handler("timeline_projector")
        self.eligibility_triage = load_handler("eligibility_triage") if triage else None
        self._published: set[tuple[str, str]] = set()
        self.outbound: list[dict[str, Any]] = []

    # ------------------------------------------------------------------ pumping
    def forget_published(self) -> None:
        """Deliver every audit entry again on the next pump, as a stream redelivery would."""
        self._published.clear()

    def pump(self, rounds: int = 10) -> None:
        """Publish new audit entries and run the consumers until nothing new happens."""
        for _ in range(rounds):
            published = self._publish_new_audit_entries()
            consumed = self._drain("RiskCountersQueue", self.risk_counters)
            if self.eligibility_triage is not None:
                consumed += self._drain("EligibilityQueue", self.eligibility_triage)
            consumed += self._drain("MoneyEventsQueue", self.money_events)
            consumed += self._drain("TimelineQueue", self.timeline_projector)
            if not published and not consumed:
                return

    def outbound_events(self) -> list[dict[str, Any]]:
        """Everything the test rule copied so far (EventBridge envelopes: source, detail-type, detail)."""
        while True:
            messages = self.clients.sqs.receive_message(QueueUrl=self.outbound_url, MaxNumberOfMessages=10
                                                        ).get("Messages", [])
            if not messages:
                return self.outbound
            for m in messages:
                self.outbound.append(json.loads(m["Body"]))
                self.clients.sqs.delete_message(QueueUrl=self.outbound_url, ReceiptHandle=m["ReceiptHandle"])

    def _publish_new_audit_entries(self) -> int:
        table = self.model.tables["TicketsTable"].name
        records = []
        paginator = self.clients.dynamodb.get_paginator("scan")  # test harness only: stands in for the stream
        for page in paginator.paginate(TableName=table, FilterExpression="begins_with(sk, :log)",
                                       ExpressionAttributeValues={":log": {"S": "LOG#"}}):
            for item in page["Items"]:
                key = (item["pk"]["S"], item["sk"]["S"])
                if key in self._published:
                    continue
                self._published.add(key)
                records.append(item)
        records.sort(key=lambda i: (i["pk"]["S"], i["sk"]["S"]))
        stream = [{"eventID": str(n), "eventName": "INSERT", "eventSource": "aws:dynamodb",
                   "dynamodb": {"Keys": {"pk": i["pk"], "sk": i["sk"]}, "NewImage": i,
                                "SequenceNumber": f"{len(self._published) * 1000 + n:021d}",
                                "StreamViewType": "NEW_AND_OLD_IMAGES"}} for n, i in enumerate(records)]
        if stream:
            result = self.publisher.lambda_handler({"Records": stream}, FakeContext("publisher"))
            assert result == {"batchItemFailures": []}
        return len(stream)

    def _drain(self, logical_id: str, handler: Any) -> int:
        queue = self.model.queues[logical_id]
        url = self.clients.sqs.get_queue_url(QueueName=queue.name)["QueueUrl"]
        count = 0
        while True:
            messages = self.clients.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return count
            event = {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"],
                                  "body": m["Body"], "attributes": {}, "messageAttributes": {},
                                  "md5OfBody": m["MD5OfBody"], "eventSource": "aws:sqs",
                                  "eventSourceARN": queue.arn, "awsRegion": "us-east-1"} for m in messages]}
            result = handler.lambda_handler(event, FakeContext(logical_id))
            assert result == {"batchItemFailures": []}, result
            for m in messages:
                self.clients.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            count += len(messages)
