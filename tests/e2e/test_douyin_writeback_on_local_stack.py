"""Douyin on the local stack: a signed push opens the ticket, staff approve it through the API,
and the template's rule -> queue -> write-back function sends afterSale.operate to Douyin (a local
server answering like the open API), then Douyin's refund-success push settles the ticket."""

from __future__ import annotations

import json
import time

import pytest
import requests

from aftersales.channels.douyin import push_signature
from tests.contract.fixture_files import FIXTURES
from tests.fake_http import FakeJsonApi
from tests.support import order_payload

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
    ticket_id = next(r["ticket_id"] for r in created.json()["results"])

    for status in ("pending_approval", "approved"):
        # the approval workflow (issue 3) may take a step itself: 409 is fine when it already did
        moved = requests.post(f"{api}/tickets/{ticket_id}/transitions", json={"to": status}, headers=staff,
                              timeout=10)
        assert moved.status_code in (200, 409), moved.text

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
    ticket = requests.get(f"{api}/tickets/{ticket_id}", headers=key, timeout=10).json()
    assert ticket["status"] == "refunded", ticket["status"]
