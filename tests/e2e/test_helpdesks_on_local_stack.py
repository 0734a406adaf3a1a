"""Zendesk both ways on the local stack (the real template: the tickets stream -> the bus ->
DomainEventsToHelpdesksRule -> HelpdeskSyncQueue -> the sync function -> the demo's fake Zendesk;
its signed webhooks -> POST /webhooks/helpdesks/zendesk/demo -> the webhook function).

GIVEN the demo tenant configured against the fake Zendesk WHEN a customer opens a complaint and
our agent replies THEN the ticket (with our id as external_id) and a public comment show up there;
WHEN the Zendesk agent replies there THEN the reply comes back onto our ticket's conversation,
marked with its author, and nothing is echoed: Zendesk holds exactly our comment and theirs, and
our conversation holds our reply and theirs once each (the webhook of our own comment is dropped)."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.support.local_stack import demo_auth, eventually

pytestmark = pytest.mark.e2e


def _zendesk(stack) -> tuple[str, dict[str, str]]:
    url = stack.demo["fake Zendesk (Support API v2)"]
    return url, {"Authorization": f"Basic {stack.demo['fake Zendesk agent (Authorization: Basic)']}"}


def test_a_ticket_shows_up_in_zendesk_and_an_agents_reply_there_comes_back_without_an_echo(local_stack):
    api, zendesk, agent_there = local_stack.api_url, *_zendesk(local_stack)
    customer, agent = demo_auth(local_stack, "customer token cust-1001"), demo_auth(local_stack, "agent token agent-li")
    opened = requests.post(f"{api}/tickets", json={"type": "complaint", "order_id": "SO-1001", "channel": "web",
                                                   "reason_code": "late_delivery", "description": "Still waiting"},
                           headers={**customer, "Idempotency-Key": f"e2e-helpdesk-{uuid.uuid4().hex}"}, timeout=10)
    assert opened.status_code == 201, opened.text
    ticket_id = opened.json()["id"]

    def there() -> list[dict]:
        found = requests.get(f"{zendesk}/api/v2/tickets.json", params={"external_id": ticket_id},
                             headers=agent_there, timeout=10).json()["tickets"]
        return found

    (ticket_there,) = eventually(there, timeout=30, what="the ticket in the fake Zendesk")
    assert f"aftersales_id_{ticket_id}" in ticket_there["tags"] and ticket_there["status"] == "new"
    comments_url = f"{zendesk}/api/v2/tickets/{ticket_there['id']}/comments.json"

    def public_comments() -> list[dict]:
        return [c for c in requests.get(comments_url, headers=agent_there, timeout=10).json()["comments"]
                if c["public"]]

    reply = requests.post(f"{api}/tickets/{ticket_id}/replies", json={"body": "We are checking with the courier"},
                          headers={**agent, "Idempotency-Key": f"e2e-helpdesk-{uuid.uuid4().hex}"}, timeout=10)
    assert reply.status_code == 201, reply.text
    eventually(lambda: [c for c in public_comments() if c["body"] == "We are checking with the courier"],
               timeout=30, what="our reply as a public comment in Zendesk")

    answered = requests.put(f"{zendesk}/api/v2/tickets/{ticket_there['id']}.json", headers=agent_there, timeout=10,
                            json={"ticket": {"comment": {"body": "Your parcel arrives tomorrow", "public": True}}})
    assert answered.status_code == 200, answered.text

    def conversation() -> list[dict]:
        return requests.get(f"{api}/tickets/{ticket_id}/conversation", headers=agent, timeout=10).json()["items"]

    (back,) = eventually(lambda: [i for i in conversation() if i["channel"] == "zendesk"], timeout=30,
                         what="the Zendesk agent's reply on our ticket")
    assert back["body"] == "Your parcel arrives tomorrow" and back["author"] == "zendesk:3001"
    assert back["data"]["author_name"] == "Li Na (Zendesk)"
    local_stack.drain(timeout=30)
    # no echo either way: Zendesk has our comment and theirs once each; we have ours and theirs once each
    assert sorted(c["body"] for c in public_comments()) == ["We are checking with the courier",
                                                            "Your parcel arrives tomorrow"]
    items = conversation()
    assert [i["body"] for i in items if i["channel"] == "zendesk"] == ["Your parcel arrives tomorrow"]
    assert [i["body"] for i in items].count("We are checking with the courier") == 1
    assert [i["body"] for i in items].count("Your parcel arrives tomorrow") == 1
