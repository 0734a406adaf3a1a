"""Helpdesks under moto with vendor-like HTTP servers on 127.0.0.1: the API stores the settings
(write-only), the sync function sends our ticket's creation and a staff reply to a fake Zendesk
(API-token auth), a 429 with Retry-After is requeued with that delay, the fake's signed webhooks
come back through the webhook function (the echo of our own comment is dropped), and Freshdesk's
create and reply go to a server answering with Freshdesk's recorded responses."""

from __future__ import annotations

import base64
import json
import time
import urllib.request

import boto3
import pytest

from aftersales import wiring
from aftersales.events.envelope import from_audit_image
from aftersales.helpdesks.model import Vendor
from aftersales.helpdesks.outbound import SYNC
from aftersales.tickets.domain import OpenTicket
from infra.local.fake_zendesk import FakeZendesk
from tests.support.channels import api_event, take_queued
from tests.support.fake_http import FakeJsonApi
from tests.support.fixture_files import load
from tests.support.lambdas import FakeContext, load_handler, sqs_record
from tests.support.ticket_factories import AGENT as OUR_AGENT
from tests.support.ticket_factories import SYSTEM, order
from tests.support.webhook_receiver import Receiver

SECRET = "integration-zendesk-signing-secret"
SYNC_USER = ("sync@acme.example", "Sync", "sync-token-0123456789")
AGENT = ("agent@acme.example", "Agent Smith", "agent-token-0123456789", 3001)


@pytest.fixture
def hd(aws, demo, monkeypatch):
    env = aws.functions["HelpdeskSyncFunction"].environment
    monkeypatch.setenv("HELPDESKS_TABLE", str(env["HELPDESKS_TABLE"]))
    sqs = boto3.client("sqs")
    for variable, logical in (("HELPDESK_SYNC_QUEUE_URL", "HelpdeskSyncQueue"),
                              ("HELPDESK_SYNC_DLQ_URL", "HelpdeskSyncDLQ")):
        monkeypatch.setenv(variable, sqs.create_queue(QueueName=aws.queues[logical].name)["QueueUrl"])
    zendesk = FakeZendesk(webhook_delay=0).start()
    zendesk.add_user(*SYNC_USER)
    zendesk.add_user(*AGENT)
    monkeypatch.setenv("ZENDESK_API_BASE", zendesk.url)
    wiring.reset()
    yield {"zendesk": zendesk, "sync": load_handler("helpdesk_sync"), "webhook": load_handler("helpdesk_webhook")}
    zendesk.stop()


def _configure_zendesk(api, demo) -> dict:
    answer = api.request("PUT", "/integrations/helpdesks/zendesk", {
        "subdomain": "acme", "email": SYNC_USER[0], "api_token": SYNC_USER[2], "webhook_signing_secret": SECRET,
        "agent_map": {"3001": "agent-1"}}, headers=demo["acme"]["admin"])
    assert answer.status == 200, answer.body
    return answer.body


def _open_ticket() -> str:
    tickets = wiring.services().tickets
    tickets.upsert_order("acme", order())
    return tickets.open("acme", OpenTicket(type="complaint", order_id="O-1", channel="web",
                                           reason_code="late_delivery", description="Late"), SYSTEM).id


def _bus_record(ticket_id: str, seq: int = -1) -> dict:
    services = wiring.services()
    ticket = services.tickets.get("acme", ticket_id, SYNC)
    entry = services.tickets.audit("acme", ticket_id, SYNC)[seq]
    detail = json.loads(from_audit_image({"tenant_id": "acme", "ticket_id": ticket_id, "ticket_type": ticket.type.value,
                                          "customer_id": ticket.customer_id,
                                          "entry": entry.model_dump(mode="json")})["Detail"])
    return sqs_record({"source": "aftersales.tickets", "detail-type": detail["event"], "detail": detail})


def _sync(hd, *records: dict) -> dict:
    return hd["sync"].lambda_handler({"Records": list(records)}, FakeContext("helpdesk-sync"))


def _deliver_webhooks(hd, receiver: Receiver) -> list[dict]:
    answers = []
    for _path, headers, body in receiver.requests:
        event = api_event("POST", "/webhooks/helpdesks/{vendor}/{tenant_id}", "/webhooks/helpdesks/zendesk/acme",
                          {"vendor": "zendesk", "tenant_id": "acme"}, body, headers=headers)
        answers.append(hd["webhook"].lambda_handler(event, FakeContext("helpdesk-webhook")))
    receiver.requests.clear()
    return answers


def test_settings_are_write_only_and_validated_with_field_paths(api, demo, hd):
    view = _configure_zendesk(api, demo)
    assert view == {"vendor": "zendesk", "configured": True, "account": "acme", "auth": "api_token",
                    "mapped_agents": 1, "webhook_path": "/webhooks/helpdesks/zendesk/acme"}
    listed = api.request("GET", "/integrations/helpdesks", headers=demo["acme"]["admin"]).body
    assert SECRET not in json.dumps(listed) and SYNC_USER[2] not in json.dumps(listed)
    bad = api.request("PUT", "/integrations/helpdesks/freshdesk", {"domain": "acme", "api_key": "k",
                                                                    "webhook_secret": "x" * 20},
                      headers=demo["acme"]["admin"])
    assert bad.status == 422 and "api_key" in json.dumps(bad.body)
    valid = {"subdomain": "acme", "oauth_token": "oauth-0123456789", "webhook_signing_secret": SECRET}
    assert api.request("PUT", "/integrations/helpdesks/zendesk", valid, headers=demo["acme"]["agent"]).status == 403


def test_a_ticket_and_a_reply_go_to_zendesk_and_its_agents_reply_comes_back_once(api, demo, hd):
    _configure_zendesk(api, demo)
    zendesk = hd["zendesk"]
    with Receiver(200) as receiver:
        zendesk.subscribe(receiver.url, SECRET)
        ticket_id = _open_ticket()
        assert _sync(hd, _bus_record(ticket_id, 0)) == {"batchItemFailures": []}
        (created,) = zendesk.tickets.values()
        assert created["external_id"] == ticket_id
        _method, _path, headers, _body = zendesk.requests[0]
        assert headers["authorization"] == "Basic " + base64.b64encode(
            f"{SYNC_USER[0]}/token:{SYNC_USER[2]}".encode()).decode()
        wiring.services().replies.post("acme", ticket_id, OUR_AGENT, "We are on it")
        _sync(hd, _bus_record(ticket_id))
        assert [c["body"] for c in zendesk.comments[created["id"]] if c["public"]] == ["We are on it"]
        # the agent answers in Zendesk (their own credentials)
        request = urllib.request.Request(f"{zendesk.url}/api/v2/tickets/{created['id']}.json", method="PUT",
                                         data=json.dumps({"ticket": {"comment": {"body": "Arrives tomorrow",
                                                                                 "public": True}}}).encode(),
                                         headers={"Content-Type": "application/json", "Authorization": "Basic " +
                                                  base64.b64encode(f"{AGENT[0]}/token:{AGENT[2]}".encode()).decode()})
        urllib.request.urlopen(request, timeout=10).read()
        deadline = time.monotonic() + 10
        while len(receiver.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        answers = _deliver_webhooks(hd, receiver)
    results = [json.loads(a["body"]) for a in answers]
    assert sorted((r["comments"], r["echoes"]) for r in results) == [(0, 1), (1, 0)]
    items = wiring.services().channels.conversations.of_ticket("acme", ticket_id, OUR_AGENT)
    assert [(i.channel, i.author, i.body) for i in items if i.channel == "zendesk"] == [
        ("zendesk", "zendesk:3001", "Arrives tomorrow")]


def test_a_429_is_requeued_after_its_retry_after_and_a_bad_signature_stores_nothing(api, demo, hd):
    _configure_zendesk(api, demo)
    ticket_id = _open_ticket()
    hd["zendesk"].fail_next(429, retry_after=42)
    assert _sync(hd, _bus_record(ticket_id, 0)) == {"batchItemFailures": []}
    assert hd["zendesk"].tickets == {}
    sqs, url = boto3.client("sqs"), wiring.services().helpdesk_settings.helpdesk_sync_queue_url
    delayed = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesDelayed"])
    assert delayed["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"
    event = api_event("POST", "/webhooks/helpdesks/{vendor}/{tenant_id}", "/webhooks/helpdesks/zendesk/acme",
                      {"vendor": "zendesk", "tenant_id": "acme"}, b'{"type": "zen:event-type:ticket.comment_added"}',
                      headers={"X-Zendesk-Webhook-Signature": "AAAA",
                               "X-Zendesk-Webhook-Signature-Timestamp": "2026-12-03T09:00:00Z"})
    assert hd["webhook"].lambda_handler(event, FakeContext("helpdesk-webhook"))["statusCode"] == 401


def test_freshdesk_create_and_reply_read_its_recorded_answers(api, demo, hd, monkeypatch):
    answers = {("POST", "/api/v2/tickets"): load("freshdesk/ticket_1.json"),
               ("POST", "/api/v2/tickets/1/reply"): load("freshdesk/reply_1.json")}
    freshdesk = FakeJsonApi(lambda method, path, _q, _b: (200, answers[(method, path)]))
    monkeypatch.setenv("FRESHDESK_API_BASE", freshdesk.url)
    wiring.reset()
    try:
        put = api.request("PUT", "/integrations/helpdesks/freshdesk", {
            "domain": "acme", "api_key": "fd-key-0123456789", "webhook_secret": "fd-webhook-secret-01234"},
            headers=demo["acme"]["admin"])
        assert put.status == 200, put.body
        ticket_id = _open_ticket()
        _sync(hd, _bus_record(ticket_id, 0))
        created = json.loads(freshdesk.received[0][3])
        assert created["status"] == 2 and f"aftersales_id_{ticket_id}" in created["tags"]
        assert created["unique_external_id"] == "cust-1" and "email" not in created
        wiring.services().replies.post("acme", ticket_id, OUR_AGENT, "Refund on its way")
        _sync(hd, _bus_record(ticket_id))
        assert freshdesk.paths()[-1] == "/api/v2/tickets/1/reply"
        assert wiring.services().helpdesk_links.get("acme", ticket_id, Vendor.FRESHDESK).sent_comment_ids == ["2"]
        assert take_queued(wiring.services().helpdesk_settings.helpdesk_sync_queue_url) == []
    finally:
        freshdesk.close()



def test_an_internal_note_is_for_staff_only(api, demo, hd):
    ticket_id = _open_ticket()
    path = f"/tickets/{ticket_id}/internal-notes"
    created = api.request("POST", path, {"body": "Courier confirmed the delay"},
                          headers={**demo["acme"]["agent"], "Idempotency-Key": "note-1"})
    assert created.status == 201, created.body
    assert created.body["direction"] == "internal"
    assert api.request("POST", path, {"body": "x"}, headers={**demo["acme"]["cust-1"],
                                                             "Idempotency-Key": "note-2"}).status == 403
    seen_by_customer = api.request("GET", f"/tickets/{ticket_id}/conversation", headers=demo["acme"]["cust-1"])
    seen_by_agent = api.request("GET", f"/tickets/{ticket_id}/conversation", headers=demo["acme"]["agent"])
    assert seen_by_customer.status == 200 and seen_by_customer.body["items"] == []
    assert [i["body"] for i in seen_by_agent.body["items"]] == ["Courier confirmed the delay"]
