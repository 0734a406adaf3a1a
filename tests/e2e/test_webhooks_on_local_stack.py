"""Outbound webhooks on the local stack (the real template: the tickets stream -> the bus ->
DomainEventsToWebhooksRule -> the fan-out queue and function -> the delivery queue and function)
with a receiver on 127.0.0.1: a stack of its own, started with WEBHOOKS_ALLOW_LOOPBACK=true as
`make run` would be (the setting is read when the fan-out first runs, at the demo seed).

GIVEN an admin registered the receiver for ticket.created WHEN a customer opens a return THEN the
receiver's first answer (500) is retried after 5 s with the same webhook-id, both deliveries verify
with the standardwebhooks library, the delivery log shows two attempts ending in 200, and a replay
sends it a third time."""

from __future__ import annotations

import os
import uuid

import pytest
import requests
from standardwebhooks import Webhook

from tests.support.local_stack import demo_auth, eventually, exclusive_stack
from tests.support.webhook_receiver import Receiver

pytestmark = [pytest.mark.e2e, pytest.mark.exclusive_stack]


@pytest.fixture(scope="module")
def stack():
    os.environ["WEBHOOKS_ALLOW_LOOPBACK"] = "true"
    try:
        with exclusive_stack("e2e-webhooks") as running:
            yield running
    finally:
        os.environ.pop("WEBHOOKS_ALLOW_LOOPBACK", None)


def test_a_ticket_event_is_delivered_signed_retried_and_replayed(stack):
    api, admin = stack.api_url, demo_auth(stack, "admin token")
    customer = demo_auth(stack, "customer token cust-1001")
    with Receiver(500, 200) as receiver:
        created = requests.post(f"{api}/webhook-endpoints", headers=admin, timeout=10,
                                json={"url": receiver.url, "event_types": ["ticket.created"]})
        assert created.status_code == 201, created.text
        endpoint = created.json()
        try:
            ticket = requests.post(f"{api}/tickets", json={
                "type": "return_refund", "order_id": "SO-1001", "channel": "mini_program", "reason_code": "dislike",
                "lines": [{"line_id": "2", "quantity": 1}]},
                headers={**customer, "Idempotency-Key": f"e2e-webhooks-{uuid.uuid4().hex}"}, timeout=10)
            assert ticket.status_code == 201, ticket.text
            eventually(lambda: len(receiver.requests) >= 2, timeout=60)
            first, second = receiver.requests[:2]
            assert first[1]["webhook-id"] == second[1]["webhook-id"]
            for _, headers, body in (first, second):
                payload = Webhook(endpoint["secret"]).verify(body, headers)
                assert payload["type"] == "ticket.created" and payload["data"]["ticket_id"] == ticket.json()["id"]
            path = f"{api}/webhook-endpoints/{endpoint['id']}/deliveries"
            log = eventually(lambda: [d for d in requests.get(path, headers=admin, timeout=10).json()["items"]
                                      if d["status"] == "succeeded"], timeout=20)
            assert (log[0]["attempts"], log[0]["response_code"]) == (2, 200)
            replay = requests.post(f"{path}/{log[0]['id']}/replay", headers=admin, timeout=10)
            assert replay.status_code == 202, replay.text
            eventually(lambda: len(receiver.requests) >= 3, timeout=30)
            assert receiver.requests[2][1]["webhook-id"] == first[1]["webhook-id"]
        finally:
            requests.delete(f"{api}/webhook-endpoints/{endpoint['id']}", headers=admin, timeout=10)
