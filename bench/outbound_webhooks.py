"""Outbound webhooks: AWS requests per domain event (the fan-out, one attempt, a failed attempt
with its retry queued, an empty sweep) and the delivery latency to a receiver on 127.0.0.1,
in-process against moto with the real fan-out and delivery functions and the real HTTP sender."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime

from bench.report import Section, p50_p99
from bench.support import RequestCounter, local_aws

EVENTS = 200


def _event(seq: int) -> dict:
    at = datetime.now(UTC)
    detail = {"tenant_id": "bench", "ticket_id": "tk_bench", "ticket_type": "return_refund", "customer_id": "c-1",
              "seq": seq, "event": "ticket.approved", "from_status": "pending_approval", "to_status": "approved",
              "at": at.isoformat(), "data": {}, "dedup_key": f"tk_bench#{seq}"}
    return {"id": f"evt-{seq}", "source": "aftersales.tickets", "detail-type": "ticket.approved",
            "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "detail": detail}


def _records(bodies: list[str]) -> dict:
    return {"Records": [{"messageId": str(i), "receiptHandle": "r", "body": b, "attributes": {},
                         "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                         "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q", "awsRegion": "us-east-1"}
                        for i, b in enumerate(bodies)]}


def run() -> list[Section]:
    import boto3

    from aftersales import wiring
    from tests.support.lambdas import FakeContext, load_handler
    from tests.support.webhook_receiver import Receiver

    requests = Section("AWS requests per domain event (webhook fan-out and delivery functions)",
                       ["step", "DynamoDB", "SQS", "other", "calls"])
    latency = Section(f"Webhook delivery latency on moto to a receiver on 127.0.0.1 ({EVENTS} events)",
                      ["measure", "median ms", "p99 ms"])
    with local_aws("WebhookDeliveryFunction") as model, Receiver(200) as ok, Receiver(500) as failing:
        os.environ["WEBHOOKS_ALLOW_LOOPBACK"] = "true"
        sqs = boto3.client("sqs")
        queue = sqs.create_queue(QueueName=model.queues["WebhookDeliveryQueue"].name)["QueueUrl"]
        os.environ["WEBHOOK_DELIVERY_QUEUE_URL"] = queue
        wiring.reset()
        fanout, delivery = load_handler("webhook_fanout"), load_handler("webhook_delivery")
        sweeper = load_handler("webhook_sweeper")
        endpoints = wiring.services().webhook_endpoints

        def take() -> list[str]:
            bodies = []
            while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
                for m in messages:
                    sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
                    bodies.append(m["Body"])
            return bodies

        def count(label: str, call) -> None:
            counter = RequestCounter()
            with counter.counting():
                call()
            ddb, sqs_calls = counter.total("dynamodb"), counter.total("sqs")
            requests.rows.append([label, ddb, sqs_calls, counter.total() - ddb - sqs_calls, counter.describe()])

        endpoints.create("bench", ok.url, ["ticket.*"])
        sweeper.lambda_handler({}, FakeContext("sweeper"))  # the sweeper's cursor exists from here on
        count("fan-out, 1 subscribed endpoint", lambda: fanout.lambda_handler(_records([json.dumps(_event(1))]),
                                                                              FakeContext("fanout")))
        jobs = take()
        count("attempt, receiver answers 200", lambda: delivery.lambda_handler(_records(jobs), FakeContext("d")))
        for _ in range(2):
            endpoints.create("bench", ok.url, ["refund.*"])  # not subscribed to ticket events
        failing_endpoint = endpoints.create("bench", failing.url, ["ticket.approved"]).endpoint
        count("fan-out, 2 of 4 endpoints subscribed", lambda: fanout.lambda_handler(
            _records([json.dumps(_event(2))]), FakeContext("fanout")))
        jobs = take()
        count("2 attempts, one 200 and one 500 (retry queued, failing since set)",
              lambda: delivery.lambda_handler(_records(jobs), FakeContext("d")))
        take()
        count("sweep, nothing due", lambda: sweeper.lambda_handler({}, FakeContext("sweeper")))
        endpoints.delete("bench", failing_endpoint.endpoint_id)  # one subscribed endpoint (200) from here on

        ends, fans, attempts = [], [], []
        for seq in range(100, 100 + EVENTS):
            started = time.perf_counter()
            fanout.lambda_handler(_records([json.dumps(_event(seq))]), FakeContext("fanout"))
            queued = take()
            fanned = time.perf_counter()
            delivery.lambda_handler(_records(queued), FakeContext("d"))
            done = time.perf_counter()
            fans.append((fanned - started) * 1000)
            attempts.append((done - fanned) * 1000)
            ends.append((done - started) * 1000)
        for label, samples in (("fan-out function (1 of 3 endpoints subscribed) + taking the job off SQS", fans),
                               ("delivery function: checks, signs, POSTs, records the attempt", attempts),
                               ("event on the fan-out queue → attempt recorded", ends)):
            p50, p99 = p50_p99(samples)
            latency.rows.append([label, p50, p99])
        assert len(ok.requests) == EVENTS + 2, len(ok.requests)
        latency.notes.append("moto in-process: DynamoDB and SQS calls are local, so the figures are the code's own "
                             "cost; on AWS add the SQS poll of each function and the network to the receiver.")
    return [requests, latency]
