"""Repairs on a running local stack over its HTTP API (e2e and browser tests): providers of their own
brand registered by the demo's admin, each with its key, a part that fits the brand's kettle, a
customer's kettle repair approved until the money path has dispatched it (the first provider is
then offered the job by the repair dispatch function), the customer's confirmation code read off the
stack's bus, and a paid repair walked until its charge is due."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import requests

from tests.support.local_stack import demo_auth, eventually


def call(stack: Any, method: str, path: str, who: dict, body: Any = None, expect: int | None = 200):
    reply = requests.request(method, f"{stack.api_url}{path}", json=body, headers=who, timeout=10)
    if expect is not None:
        assert reply.status_code == expect, (path, reply.status_code, reply.text)
    return reply


def providers(stack: Any, suffix: str, *names: str) -> dict[str, dict[str, str]]:
    """Providers `<name> <suffix>` for CN and the brand `brewco-<suffix>` (in this order: the first
    is offered first), their keys as headers by name, and the part `HE-<suffix>` for `KETTLE-<suffix>`."""
    admin = demo_auth(stack, "admin token")
    keys = {}
    for name in names:
        made = call(stack, "POST", "/repairs/providers", admin,
                    {"name": f"{name} {suffix}", "regions": ["CN"], "brands": [f"brewco-{suffix}"]}, 201).json()
        issued = call(stack, "POST", f"/repairs/providers/{made['provider_id']}/api-keys", admin,
                      {"name": name}, 201).json()
        keys[name] = {"X-Api-Key": issued["api_key"]}
    call(stack, "PUT", f"/repairs/parts/HE-{suffix}", admin,
         {"name": "Heating element", "compatible_skus": [f"KETTLE-{suffix}"],
          "unit_cost": {"amount": 4500, "currency": "CNY"}})
    return keys


def dispatched_repair(stack: Any, suffix: str) -> tuple[str, str]:
    """A customer's repair of the `KETTLE-<suffix>` (brand `brewco-<suffix>`), submitted and approved
    by the demo's agent until the ticket is dispatched; (ticket id, customer id)."""
    agent, storefront = demo_auth(stack, "agent token"), demo_auth(stack, "storefront API key")
    customer_id = f"cust-e2e-{suffix}"
    order = {"order_id": f"E2E-R-{suffix}", "version": 1, "channel": "app", "currency": "CNY",
             "customer": {"id": customer_id, "tier": "standard"},
             "payment": {"provider": "sandbox", "reference": f"ch_r_{suffix}",
                         "captured": {"amount": 20900, "currency": "CNY"}},
             "shipping": {"country": "CN", "fee": {"amount": 1000, "currency": "CNY"}},
             "lines": [{"line_id": "1", "sku": f"KETTLE-{suffix}", "name": "电热水壶", "quantity": 1,
                        "category": f"brewco-{suffix}", "unit_price_paid": {"amount": 19900, "currency": "CNY"}}],
             "placed_at": "2026-11-18T10:00:00+08:00"}
    call(stack, "PUT", f"/orders/{order['order_id']}", storefront, order, 201)
    ticket_id = call(stack, "POST", "/tickets", storefront,
                     {"type": "repair", "order_id": order["order_id"], "channel": "app", "reason_code": "defective",
                      "lines": [{"line_id": "1", "quantity": 1}]}, 201).json()["id"]
    call(stack, "POST", f"/tickets/{ticket_id}/transitions", storefront, {"to": "pending_approval"})

    def approved_or_decided():
        status = call(stack, "GET", f"/tickets/{ticket_id}", agent).json()["status"]
        if status == "pending_approval":
            review = call(stack, "GET", f"/tickets/{ticket_id}/approval", agent, expect=None)
            if review.status_code == 200 and review.json().get("status") == "pending":
                call(stack, "POST", f"/tickets/{ticket_id}/approval/decisions", agent,
                     {"verdict": "approve", "comment": "heating fault under warranty"}, expect=None)
        return status in ("repair_dispatched", "repair_in_progress")

    eventually(approved_or_decided, timeout=60, interval=0.5, what=f"ticket {ticket_id} dispatched")
    return ticket_id, customer_id


def offered_job(stack: Any, key: dict[str, str]) -> str:
    """The first job the key's provider lists, once the dispatch function has offered it one."""
    items = eventually(lambda: call(stack, "GET", "/repairs/jobs", key).json()["items"], timeout=30, interval=0.3,
                       what="a job offered to the provider")
    return items[0]["job_id"]


def code_listener(stack: Any, suffix: str):
    """A queue subscribed to the repairs' code events on the stack's bus, beside the notifications
    queue that sends the code to the customer's channel (the test plays the customer); code_for(job id)."""
    region = os.environ.get("AWS_REGION", "us-east-1")
    sqs = boto3.client("sqs", endpoint_url=stack.endpoint, region_name=region)
    events = boto3.client("events", endpoint_url=stack.endpoint, region_name=region)
    queue_url = sqs.create_queue(QueueName=f"repair-codes-{suffix}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus = os.environ["EVENT_BUS_NAME"]
    events.put_rule(Name=f"repair-codes-{suffix}", EventBusName=bus,
                    EventPattern=json.dumps({"source": ["aftersales.repairs"],
                                             "detail-type": ["repair.confirmation_code_issued"]}))
    events.put_targets(Rule=f"repair-codes-{suffix}", EventBusName=bus, Targets=[{"Id": "codes", "Arn": arn}])

    def code_for(job_id: str) -> str | None:
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
            detail = json.loads(message["Body"])["detail"]
            if detail["job_id"] == job_id:
                return detail["code"]
        return None

    return code_for


def charge_due(stack: Any, suffix: str) -> tuple[str, str]:
    """A paid kettle repair by the provider `fixer <suffix>`: accepted, booked, checked in, diagnosed
    paid (labour 80.00 CNY) and quoted, the part HE-<suffix> (45.00 CNY) fitted, repaired and confirmed
    with the customer's code, so its settlement charges the customer 125.00 CNY, due; (ticket id, job id)."""
    code_for = code_listener(stack, suffix)
    key = providers(stack, suffix, "fixer")["fixer"]
    ticket_id, customer_id = dispatched_repair(stack, suffix)
    job_id = offered_job(stack, key)
    start = datetime.now(UTC) + timedelta(days=1)
    storefront = demo_auth(stack, "storefront API key")
    issued = call(stack, "POST", "/auth/customer-tokens", storefront, {"customer_id": customer_id}, 201).json()
    customer = {"Authorization": f"Bearer {issued['token']}"}
    steps = [("accept", key, {}),
             ("appointment", key, {"window": {"start": start.isoformat(),
                                              "end": (start + timedelta(hours=2)).isoformat()}}),
             ("check-in", key, {}),
             ("diagnosis", key, {"fault_code": "E-HEAT", "coverage": "paid",
                                 "labour": {"amount": 8000, "currency": "CNY"},
                                 "parts_estimate": {"amount": 4500, "currency": "CNY"}}),
             ("quote", customer, {"decision": "approve"}),
             ("parts", key, {"part_number": f"HE-{suffix}", "serial": f"SN-{suffix}"}),
             ("repaired", key, {})]
    for step, who, body in steps:
        call(stack, "POST", f"/repairs/jobs/{job_id}/{step}", who, body)
    code = eventually(lambda: code_for(job_id), timeout=15, interval=0.3, what=f"the code of job {job_id}")
    call(stack, "POST", f"/repairs/jobs/{job_id}/confirmation", customer, {"code": code})
    return ticket_id, job_id
