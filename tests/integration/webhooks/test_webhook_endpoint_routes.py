"""The webhook endpoint routes through the authorizer and the API function under moto: admin only,
the secret shown once, write-time destination checks with field paths, rotation, If-Match,
tenant isolation, the test event, paging of the delivery log and the event catalogue."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from aftersales.core.clock import iso
from tests.support.channels import take_queued

PERSONAL = ("name", "phone", "email", "address", "text", "comment", "note_text")


@pytest.fixture
def queue(aws, monkeypatch):
    monkeypatch.setenv("WEBHOOKS_ALLOW_LOOPBACK", "true")
    url = boto3.client("sqs").create_queue(QueueName=aws.queues["WebhookDeliveryQueue"].name)["QueueUrl"]
    monkeypatch.setenv("WEBHOOK_DELIVERY_QUEUE_URL", url)
    return url


def _create(api, demo, url="http://127.0.0.1:8765/in", tenant="acme", **extra):
    return api.request("POST", "/webhook-endpoints", {"url": url, **extra}, headers=demo[tenant]["admin"])


def test_only_admins_manage_endpoints_and_the_secret_is_shown_once(api, demo, queue):
    denied = api.request("POST", "/webhook-endpoints", {"url": "http://127.0.0.1:8765/in"},
                         headers=demo["acme"]["agent"])
    assert denied.status == 403
    created = _create(api, demo, event_types=["ticket.*", "refund.created"], description="ERP")
    assert created.status == 201
    assert created.body["secret"].startswith("whsec_") and created.body["event_types"] == ["refund.created", "ticket.*"]
    listed = api.request("GET", "/webhook-endpoints", headers=demo["acme"]["admin"])
    assert [e["id"] for e in listed.body["items"]] == [created.body["id"]]
    assert "secret" not in json.dumps(listed.body).replace('"secrets"', "")
    assert created.body["secret"] not in json.dumps(listed.body)
    other = api.request("GET", f"/webhook-endpoints/{created.body['id']}", headers=demo["other"]["admin"])
    assert other.status == 404


@pytest.mark.parametrize(("body", "path", "reason"), [
    ({"url": "http://10.0.0.1/in"}, "url", "private"),
    ({"url": "http://169.254.169.254/latest/meta-data"}, "url", "metadata"),
    ({"url": "http://[::ffff:192.168.0.1]/in"}, "url", "private"),
    ({"url": "ftp://127.0.0.1/in"}, "url", "https_required"),
    ({"url": "http://127.0.0.1/in", "event_types": ["ticket.approved", "ticket.exploded"]}, "event_types[1]", None),
])
def test_refused_destinations_and_unknown_event_types_are_422_with_the_field(api, demo, queue, body, path, reason):
    reply = api.request("POST", "/webhook-endpoints", body, headers=demo["acme"]["admin"])
    assert reply.status == 422, reply
    assert [f["path"] for f in reply.body["error"]["fields"]] == [path]
    if reason:
        assert reason in reply.body["error"]["fields"][0]["message"]
    assert api.request("GET", "/webhook-endpoints", headers=demo["acme"]["admin"]).body["items"] == []


def test_loopback_is_refused_when_the_local_setting_is_off(api, demo, queue, monkeypatch):
    from aftersales import wiring

    monkeypatch.delenv("WEBHOOKS_ALLOW_LOOPBACK")
    wiring.reset()
    reply = _create(api, demo, url="https://127.0.0.1/in")
    assert reply.status == 422 and "loopback" in reply.body["error"]["fields"][0]["message"]


def test_rotation_change_with_if_match_and_delete(api, demo, queue):
    created = _create(api, demo).body
    path = f"/webhook-endpoints/{created['id']}"
    rotated = api.request("POST", f"{path}/rotate-secret", {"grace_seconds": 3600}, headers=demo["acme"]["admin"])
    assert rotated.status == 200 and rotated.body["secret"] != created["secret"]
    secrets = rotated.body["secrets"]
    assert len(secrets) == 2 and secrets[0]["expires_at"] is None and secrets[1]["expires_at"] is not None
    stale = api.request("PATCH", path, {"description": "x"}, headers={**demo["acme"]["admin"], "If-Match": '"1"'})
    assert stale.status == 412
    changed = api.request("PATCH", path, {"description": "ERP", "enabled": False},
                          headers={**demo["acme"]["admin"], "If-Match": f'"{rotated.body["version"]}"'})
    assert changed.status == 200 and changed.body["enabled"] is False and changed.body["disabled_reason"] == "by_tenant"
    assert api.request("POST", f"{path}/test", headers=demo["acme"]["admin"]).status == 409
    assert api.request("DELETE", path, headers=demo["acme"]["admin"]).status == 204
    assert api.request("GET", path, headers=demo["acme"]["admin"]).status == 404


def test_the_test_event_is_queued_and_logged_and_replay_since_checks_its_time(api, demo, queue):
    created = _create(api, demo).body
    path = f"/webhook-endpoints/{created['id']}"
    sent = api.request("POST", f"{path}/test", headers=demo["acme"]["admin"])
    assert sent.status == 202 and sent.body["event_type"] == "webhook.test"
    jobs = [json.loads(r["body"]) for r in take_queued(queue)]
    assert jobs == [{"tenant_id": "acme", "endpoint_id": created["id"], "message_id": sent.body["id"], "attempt": 1,
                     "trigger": "scheduled"}]
    for _ in range(2):
        api.request("POST", f"{path}/test", headers=demo["acme"]["admin"])
    first = api.request("GET", f"{path}/deliveries", query={"limit": "2"}, headers=demo["acme"]["admin"])
    assert len(first.body["items"]) == 2 and first.body["next_cursor"]
    rest = api.request("GET", f"{path}/deliveries", query={"limit": "2", "cursor": first.body["next_cursor"]},
                       headers=demo["acme"]["admin"])
    ids = [i["id"] for i in first.body["items"] + rest.body["items"]]
    assert len(ids) == 3 and ids == sorted(ids, reverse=True) and sent.body["id"] == ids[-1]
    future = api.request("POST", f"{path}/replay", query={"since": iso(datetime.now(UTC) + timedelta(hours=1))},
                         headers=demo["acme"]["admin"])
    assert future.status == 422
    bad = api.request("POST", f"{path}/replay", query={"since": "yesterday"}, headers=demo["acme"]["admin"])
    assert bad.status == 422


def test_the_catalogue_has_a_schema_per_event_type_without_personal_fields(api, demo, queue):
    reply = api.request("GET", "/webhooks/event-types", headers=demo["acme"]["agent"])
    assert reply.status == 200
    by_name = {i["name"]: i for i in reply.body["items"]}
    assert {"ticket.approved", "refund.created", "review.submitted", "dispute.raised", "webhook_endpoint.disabled",
            "webhook.test"} <= set(by_name)
    ticket = by_name["ticket.approved"]["schema"]
    assert {"ticket_id", "seq", "to_status"} <= set(ticket["properties"]) and "ticket_id" in ticket["required"]
    assert "reason" not in ticket["properties"] and "data" not in ticket["properties"]  # free text stays home
    for item in reply.body["items"]:
        assert not any(word in prop for prop in item["schema"]["properties"] for word in PERSONAL), item["name"]


def test_a_tenant_has_at_most_twenty_endpoints_and_a_delete_frees_a_place(api, demo, queue):
    ids = [_create(api, demo).body["id"] for _ in range(20)]
    refused = _create(api, demo)
    assert refused.status == 409 and refused.body["error"]["code"] == "conflict"
    assert _create(api, demo, tenant="other").status == 201  # the cap is per tenant
    assert api.request("DELETE", f"/webhook-endpoints/{ids[0]}", headers=demo["acme"]["admin"]).status == 204
    assert api.request("DELETE", f"/webhook-endpoints/{ids[0]}", headers=demo["acme"]["admin"]).status == 404
    assert _create(api, demo).status == 201
    assert len(api.request("GET", "/webhook-endpoints", headers=demo["acme"]["admin"]).body["items"]) == 20
