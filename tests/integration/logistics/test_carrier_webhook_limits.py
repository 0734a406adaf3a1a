"""Carrier webhooks with fields no carrier sends, correctly signed (all four providers): an
unroutable tracking number is a 400 naming the field, with nothing stored; an unusable time, a
long text or an oversized event id is bounded and the event still taken."""

from __future__ import annotations

import json

import pytest

from tests.support.channels import CARRIER_PAYLOADS, Webhooks, carrier_signed, configure, extra_resources, table_items
from tests.support.fixture_files import load

LONG_NUMBER = "9" * 5000
# where each provider's real payload carries the tracking number
NUMBER_AT = {"aftership": ("msg", "tracking_number"), "easypost": ("result", "tracking_code"),
             "shippo": ("data", "tracking_number"), "17track": ("data", "number")}


@pytest.fixture
def env(aws):
    extra_resources(aws)
    configure("acme")
    return {"hooks": Webhooks(), "model": aws}


def post(env, provider: str, payload: dict):
    body = json.dumps(payload).encode()
    headers, query = carrier_signed(provider, body)
    return env["hooks"].post_carrier(provider, "acme", body, {"Content-Type": "application/json", **headers}, query)


def with_number(provider: str, number: object) -> dict:
    payload = json.loads(json.dumps(CARRIER_PAYLOADS[provider][0]))
    parent, key = NUMBER_AT[provider]
    payload[parent][key] = number
    return payload


@pytest.mark.parametrize("provider", sorted(NUMBER_AT))
def test_a_signed_5000_character_tracking_number_is_400_and_stores_nothing(env, provider):
    """GIVEN the provider's real payload with a 5,000-character tracking number, correctly signed
    WHEN posted THEN 400 tracking_payload_invalid naming the field, and the logistics table is unchanged
    (before: DynamoDB refused the 5 KB key and the webhook answered 500)."""
    table = env["model"].tables["LogisticsTable"].name
    before = table_items(table)
    reply = post(env, provider, with_number(provider, LONG_NUMBER))
    assert reply.status == 400, reply
    error = reply.body["error"]
    assert (error["code"], error["reason_id"]) == ("tracking_payload_invalid", "tracking.tracking_number_invalid")
    assert error["fields"][0]["path"] == ".".join(NUMBER_AT[provider])
    assert "64" in error["message"]
    assert table_items(table) == before


@pytest.mark.parametrize("number", ["RR 123\n456", "单号123456", {"nested": 1}, True])
def test_a_tracking_number_that_cannot_be_one_is_400(env, number):
    reply = post(env, "aftership", with_number("aftership", number))
    assert reply.status == 400, reply
    assert reply.body["error"]["fields"][0]["path"] == "msg.tracking_number"


def test_unusable_times_texts_and_ids_are_bounded_and_the_event_is_taken(env):
    """GIVEN AfterShip's real sample with a checkpoint dated 99999999999999, one in year 9999 with a
    negative offset, a 6,000-character message and a 5,000-character event id WHEN posted signed THEN
    200: the impossible checkpoints are skipped, the text cut to 500 characters, the event id replaced
    by a stable hash, so the same delivery again is a duplicate."""
    payload = load("aftership/aftership_tracking_webhook_sample.json")
    good = payload["msg"]["checkpoints"][0]
    payload["event_id"] = "e" * 5000
    payload["ts"] = 10**30
    payload["msg"]["checkpoints"] = [
        {**good, "checkpoint_time": 99999999999999},
        {**good, "checkpoint_time": "9999-12-31T23:59:59-23:59"},
        {**good, "message": "界" * 6000},
    ]
    first = post(env, "aftership", payload)
    assert first.status == 200, first
    assert first.body["result"] == "parked" and first.body["event_id"].startswith("drv_")
    from aftersales.adapters.dynamo.logistics import DynamoParcelStore

    (stored,) = DynamoParcelStore().events("acme", payload["msg"]["tracking_number"])
    assert [len(c.message) for c in stored.event.checkpoints] == [500]
    assert post(env, "aftership", payload).body["result"] == "duplicate"
