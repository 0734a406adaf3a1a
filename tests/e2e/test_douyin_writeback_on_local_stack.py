"""Douyin on the local stack: a signed push is answered at once and the template's intake queue ->
intake function opens the ticket, staff approve it through the API, and the template's rule -> queue
-> write-back function sends afterSale.operate to Douyin (a local server answering like the open
API), then Douyin's refund-success push, filed the same way, settles the ticket."""

from __future__ import annotations

import json
import time

import pytest
import requests

from aftersales.channels.douyin import push_signature
from tests.support.fake_http import FakeJsonApi
from tests.support.fixture_files import FIXTURES
from tests.support.tickets import order_payload

pytestmark = pytest.mark.e2e
APP_KEY, APP_SECRET = "7000000000000000009", "e2e-douyin-app-secret"


def _key(stack) -> dict[str, str]:
    return {"X-Api-Key": next(v for k, v in stack.demo.items() if "API key" in k)}


def _staff(stack) -> dict[str, str]:
    return {"Authorization": "Bearer " + next(v for k, v in stack.demo.items() if k.startswith("supervisor token"))}


def _push(api: str, tag: int, sample: str, msg_id: str) -> requests.Response:
    message = json.loads((FIXTURES / "douyin" / "event_samples" / f"{sample}.json").read_text())
    message["data"].update(p_id="E2E-DY-1", s_id="L1", aftersale_id="AS-E2E-1", aftersale_type=1)
    body = json.dumps([message | {"tag": tag, "msgId": msg_id}]).encode()
    return requests.post(f"{api}/webhooks/douyin/demo", data=body, timeout=10, headers={
        "Content-Type": "application/json", "event-sign": push_signature(APP_KEY, body, APP_SECRET)})


@pytest.fixture
def douyin_api(local_stack, monkeypatch):
    from aftersales import wiring

    api = FakeJsonApi(lambda method, path, query, body: (200, (
        {"code": 10000, "data": {"access_token": "e2e-shop-token", "expires_in": 604800}}
        if path == "/token/create" else
        {"code": 10000, "msg": "success", "data": {"items": [{"aftersale_id": 1, "status_code": 0}]}})))
    monkeypatch.setenv("DOUYIN_API_BASE", api.url)
    wiring.reset()  # the in-process functions rebuild their clients with the local Douyin
    yield api
    api.close()
    monkeypatch.undo()
    wiring.reset()


def test_a_douyin_refund_is_approved_here_written_back_and_settled_by_douyin(local_stack, douyin_api):
    api, key, staff = local_stack.api_url, _key(local_stack), _staff(local_stack)
    assert requests.put(f"{api}/integrations/channels/douyin", headers=key, timeout=10, json={
        "app_key": APP_KEY, "app_secret": APP_SECRET, "shop_id": "95250"}).json()["write_back"] is True
    order = order_payload("E2E-DY-1", "cust-dy")
    order["payment"] = {**order["payment"], "provider": "douyin", "reference": "dy-E2E-DY-1"}
    assert requests.put(f"{api}/orders/E2E-DY-1", json=order, headers=key, timeout=10).status_code in (200, 201)
    created = _push(api, 200, "RefundCreatedEvent", "e2e-dy-create")
    assert created.status_code == 200, created.text
    assert created.json()["code"] == 0 and [r["outcome"] for r in created.json()["results"]] == ["queued"]

    def douyin_ticket() -> dict | None:
        local_stack.drain(timeout=5)
        page = requests.get(f"{api}/tickets", params={"customer_id": "cust-dy"}, headers=key, timeout=10).json()
        return next((t for t in page["items"] if t["order_id"] == "E2E-DY-1"), None)

    deadline = time.monotonic() + 30
    while (ticket := douyin_ticket()) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert ticket is not None, "the intake function did not open the ticket"
    ticket_id = ticket["id"]

    moved = requests.post(f"{api}/tickets/{ticket_id}/transitions", json={"to": "pending_approval"},
                          headers=staff, timeout=10)
    assert moved.status_code == 200, moved.text
    # approving commits money: only through the approval flow, by someone other than the requester
    agent = {"Authorization": "Bearer " + next(v for k, v in local_stack.demo.items() if k.startswith("agent token"))}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        local_stack.drain(timeout=5)
        if requests.get(f"{api}/tickets/{ticket_id}", headers=key, timeout=10).json()["status"] == "approved":
            break  # a policy rule approved it by itself
        review = requests.get(f"{api}/tickets/{ticket_id}/approval", headers=agent, timeout=10)
        if review.status_code == 200 and review.json()["status"] == "pending":
            decided = requests.post(f"{api}/tickets/{ticket_id}/approval/decisions", headers=agent, timeout=10,
                                    json={"verdict": "approve", "comment": "Douyin refund checked"})
            assert decided.status_code == 200, decided.text
            break
        time.sleep(0.2)

    def operate_calls() -> list[dict]:
        local_stack.drain(timeout=5)
        return [json.loads(b) for _, path, _, b in douyin_api.received if path == "/afterSale/operate"]

    deadline = time.monotonic() + 30
    while not operate_calls() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert operate_calls() == [{"type": 201, "items": [{"aftersale_id": "AS-E2E-1"}]}]
    audit = requests.get(f"{api}/tickets/{ticket_id}/audit", headers=staff, timeout=10).json()
    events = [e["event"] for e in audit["entries"]]
    assert "ticket.platform_synced" in events, events

    refunded = _push(api, 206, "RefundSuccessEvent", "e2e-dy-success")
    assert refunded.status_code == 200, refunded.text
    deadline = time.monotonic() + 30
    while (ticket := douyin_ticket())["status"] != "refunded" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert ticket["status"] == "refunded", ticket["status"]
