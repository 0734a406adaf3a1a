"""Helpdesk sync: requests per synced event (AWS and the vendor's HTTP API) in-process against
moto with the real sync and webhook functions and a fake Zendesk on 127.0.0.1, and the sync
latency on the local stack (`make run`'s template, demo tenant seeded against its fake Zendesk):
a ticket opened through the API until it exists in Zendesk, and a Zendesk agent's reply until it
is on our ticket's conversation."""

from __future__ import annotations

import base64
import json
import os
import time
import urllib.request
import uuid

from bench.report import Section, p50_p99
from bench.support import RequestCounter, local_aws

SAMPLES = 10
SECRET = "bench-zendesk-signing-secret-0001"
SYNC_USER = ("sync@bench.example", "Sync", "bench-sync-token-0001")
AGENT = ("agent@bench.example", "Agent", "bench-agent-token-0001", 3001)


def _basic(email: str, token: str) -> str:
    return "Basic " + base64.b64encode(f"{email}/token:{token}".encode()).decode()


def _requests_per_event() -> Section:
    import boto3

    from aftersales import wiring
    from aftersales.events.envelope import from_audit_image
    from aftersales.helpdesks.model import Vendor
    from aftersales.helpdesks.outbound import SYNC
    from aftersales.tickets.domain import OpenTicket
    from infra.local.fake_zendesk import FakeZendesk
    from tests.support.channels import api_event
    from tests.support.lambdas import FakeContext, load_handler, sqs_record
    from tests.support.ticket_factories import AGENT as OUR_AGENT
    from tests.support.ticket_factories import SYSTEM, order
    from tests.support.webhook_receiver import Receiver

    section = Section("Requests per synced event (in-process, moto + a fake Zendesk on 127.0.0.1)",
                      ["event", "DynamoDB", "SQS", "vendor HTTP", "calls"])
    with local_aws("HelpdeskSyncFunction") as model, Receiver(200) as receiver:
        sqs = boto3.client("sqs")
        for variable, logical in (("HELPDESK_SYNC_QUEUE_URL", "HelpdeskSyncQueue"),
                                  ("HELPDESK_SYNC_DLQ_URL", "HelpdeskSyncDLQ")):
            os.environ[variable] = sqs.create_queue(QueueName=model.queues[logical].name)["QueueUrl"]
        zendesk = FakeZendesk(webhook_delay=0).start()
        try:
            zendesk.add_user(*SYNC_USER)
            zendesk.add_user(*AGENT)
            zendesk.subscribe(receiver.url, SECRET)
            os.environ["ZENDESK_API_BASE"] = zendesk.url
            wiring.reset()
            svc = wiring.services()
            svc.helpdesk_configuration.set_zendesk("bench", {
                "subdomain": "bench", "email": SYNC_USER[0], "api_token": SYNC_USER[2],
                "webhook_signing_secret": SECRET, "agent_map": {"3001": "agent-1"}})
            svc.tickets.upsert_order("bench", order())
            sync, webhook = load_handler("helpdesk_sync"), load_handler("helpdesk_webhook")

            def bus(ticket_id: str) -> dict:
                ticket = svc.tickets.get("bench", ticket_id, SYNC)
                entry = svc.tickets.audit("bench", ticket_id, SYNC)[-1]
                detail = json.loads(from_audit_image({"tenant_id": "bench", "ticket_id": ticket_id,
                                                      "ticket_type": ticket.type.value,
                                                      "customer_id": ticket.customer_id,
                                                      "entry": entry.model_dump(mode="json")})["Detail"])
                return {"Records": [sqs_record({"source": "aftersales.tickets", "detail-type": detail["event"],
                                                "detail": detail})]}

            def count(label: str, call) -> None:
                before = len(zendesk.requests)
                counter = RequestCounter()
                with counter.counting():
                    call()
                ddb, sqs_calls = counter.total("dynamodb"), counter.total("sqs")
                section.rows.append([label, ddb, sqs_calls, len(zendesk.requests) - before, counter.describe()])

            def webhooks() -> list[dict]:
                deadline = time.monotonic() + 10
                while not receiver.requests and time.monotonic() < deadline:
                    time.sleep(0.02)
                time.sleep(0.1)
                taken = list(receiver.requests)
                receiver.requests.clear()
                return [api_event("POST", "/webhooks/helpdesks/{vendor}/{tenant_id}",
                                  "/webhooks/helpdesks/zendesk/bench", {"vendor": "zendesk", "tenant_id": "bench"},
                                  body, headers=headers) for _p, headers, body in taken]

            ticket_id = svc.tickets.open("bench", OpenTicket(type="complaint", order_id="O-1", channel="web",
                                                             reason_code="late_delivery"), SYSTEM).id
            event = bus(ticket_id)
            count("ticket.created → ticket created there, linked", lambda: sync.lambda_handler(event, FakeContext("s")))
            svc.replies.post("bench", ticket_id, OUR_AGENT, "We are on it")
            event = bus(ticket_id)
            count("ticket.agent_replied → public comment", lambda: sync.lambda_handler(event, FakeContext("s")))
            (echo,) = webhooks()
            count("webhook: the echo of our own comment (dropped)",
                  lambda: webhook.lambda_handler(echo, FakeContext("w")))
            external = svc.helpdesk_links.get("bench", ticket_id, Vendor.ZENDESK).external_id
            request = urllib.request.Request(
                f"{zendesk.url}/api/v2/tickets/{external}.json", method="PUT", headers={
                    "Content-Type": "application/json", "Authorization": _basic(AGENT[0], AGENT[2])},
                data=json.dumps({"ticket": {"comment": {"body": "Arrives tomorrow", "public": True}}}).encode())
            urllib.request.urlopen(request, timeout=10).read()
            (reply,) = webhooks()
            count("webhook: their agent's public reply → our conversation",
                  lambda: webhook.lambda_handler(reply, FakeContext("w")))
            event = bus(ticket_id)
            count("ticket.helpdesk_replied (our note of it) → nothing sent",
                  lambda: sync.lambda_handler(event, FakeContext("s")))
        finally:
            zendesk.stop()
    section.notes.append("vendor HTTP counts the fake Zendesk's API calls made by our code (webhooks are its own "
                         "POSTs to us). The first attempt runs inline when the event arrives: no extra SQS hop.")
    return section


def _latency_on_local_stack() -> Section:
    import requests

    from infra.local.demo import seed
    from infra.local.stack import LocalStack

    section = Section(f"Sync latency on the local stack (demo tenant, fake Zendesk; {SAMPLES} tickets)",
                      ["direction", "median ms", "p99 ms"])
    saved = dict(os.environ)
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "POWERTOOLS_LOG_LEVEL": "ERROR"})
    stack = LocalStack("template.yaml", stack_name="bench-helpdesks", api_port=0)
    try:
        stack.start()
        from aftersales import wiring

        wiring.reset()
        demo = seed(stack)
        stack.drain(timeout=60)
        api, zendesk = stack.api_url, demo["fake Zendesk (Support API v2)"]
        agent_there = {"Authorization": f"Basic {demo['fake Zendesk agent (Authorization: Basic)']}"}
        customer = {"Authorization": f"Bearer {demo['customer token cust-1001 (Authorization: Bearer; 1 h)']}"}
        staff = {"Authorization": f"Bearer {demo['agent token agent-li']}"}
        out, back = [], []
        for n in range(SAMPLES):
            started = time.perf_counter()
            opened = requests.post(f"{api}/tickets", timeout=10, headers={
                **customer, "Idempotency-Key": f"bench-{uuid.uuid4().hex}"}, json={
                "type": "complaint", "order_id": "SO-1001", "channel": "web", "reason_code": "late_delivery"})
            ticket_id = opened.json()["id"]
            found = []
            while not found and time.perf_counter() - started < 60:
                found = requests.get(f"{zendesk}/api/v2/tickets.json", params={"external_id": ticket_id},
                                     headers=agent_there, timeout=10).json()["tickets"]
                time.sleep(0.02)
            out.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            requests.put(f"{zendesk}/api/v2/tickets/{found[0]['id']}.json", headers=agent_there, timeout=10,
                         json={"ticket": {"comment": {"body": f"Reply {n}", "public": True}}})
            while time.perf_counter() - started < 60:
                items = requests.get(f"{api}/tickets/{ticket_id}/conversation", headers=staff, timeout=10).json()
                if any(i["channel"] == "zendesk" for i in items["items"]):
                    break
                time.sleep(0.02)
            back.append((time.perf_counter() - started) * 1000)
        for label, samples in (("our ticket opened → it exists in Zendesk", out),
                               ("their agent replies → on our conversation (incl. the fake's 300 ms webhook delay)",
                                back)):
            section.rows.append([label, *p50_p99(samples)])
        section.notes.append("The outbound path is stream → events publisher → bus → queue → sync function, each "
                             "hop a local pump; the inbound path is one signed POST to the webhook function.")
    finally:
        stack.stop()
        os.environ.clear()
        os.environ.update(saved)
    return section


def run() -> list[Section]:
    return [_requests_per_event(), _latency_on_local_stack()]
