"""Contract: every carrier webhook endpoint accepts the providers' real payloads, signed here with a
test secret as the provider would, and rejects the same bytes unsigned."""

from __future__ import annotations

import json

import pytest

from aftersales.logistics.verification import aftership_signature, easypost_signature, seventeen_track_signature
from tests.support.channels import SECRET, Webhooks, configure, extra_resources
from tests.support.fixture_files import load, raw

SHIPPO_TOKEN = "shippo-token-" + "x" * 32


def _seventeen_body() -> bytes:
    # 17TRACK publishes no sample push: the documented v2 shape with real status values from the fixture.
    statuses = load("17track/17track_status_substatus.json")
    assert statuses  # the real enumerations are present
    return json.dumps({"event": "TRACKING_UPDATED", "data": {"number": "RR123456789CN", "carrier": 3011, "track_info": {
        "latest_status": {"status": "InTransit", "sub_status": "InTransit_Other"},
        "latest_event": {"time_iso": "2026-11-20T08:00:00+08:00", "description": "Departed", "location": "Shenzhen"}}}}
    ).encode()


def _shippo_body() -> bytes:
    enums = load("shippo/shippo_enums.json")
    assert enums
    return json.dumps({"event": "track_updated", "test": False, "data": {
        "tracking_number": "9205590164917312751089", "carrier": "usps",
        "tracking_status": {"status": "TRANSIT", "substatus": {"code": "package_accepted", "text": "Accepted",
                                                                "action_required": False},
                            "status_date": "2026-11-20T08:00:00Z", "object_id": "ts_1"},
        "tracking_history": []}}).encode()


CASES = [
    ("aftership", lambda: raw("aftership/aftership_tracking_webhook_sample.json"),
     lambda b: {"aftership-hmac-sha256": aftership_signature(SECRET, b)}, None),
    ("easypost", lambda: raw("easypost/fixtures__event-body.json"),
     lambda b: {"X-Hmac-Signature": easypost_signature(SECRET, b)}, None),
    ("easypost", lambda: raw("easypost/guides__tracking-guide__json__tracking-webhook.json"),
     lambda b: {"X-Hmac-Signature": easypost_signature(SECRET, b)}, None),
    ("17track", _seventeen_body, lambda b: {"sign": seventeen_track_signature(SECRET, b)}, None),
    ("shippo", _shippo_body, lambda b: {}, {"token": SHIPPO_TOKEN}),
]


@pytest.fixture
def hooks(aws):
    extra_resources(aws)
    configure("acme")
    return Webhooks()


@pytest.mark.parametrize(("provider", "body", "sign", "query"), CASES, ids=[c[0] + str(i) for i, c in enumerate(CASES)])
def test_real_payload_signed_is_accepted_and_unsigned_rejected(hooks, provider, body, sign, query):
    """GIVEN a provider's real payload WHEN posted signed THEN 200 (parked: no parcel registered yet)
    and a second delivery is a duplicate; WHEN posted without a valid signature THEN 401."""
    data = body()
    unsigned = hooks.post_carrier(provider, "acme", data, {}, {"token": "wrong"} if query else None)
    assert unsigned.status == 401
    first = hooks.post_carrier(provider, "acme", data, sign(data), query)
    assert first.status == 200, first
    assert first.body["result"] == "parked"
    assert hooks.post_carrier(provider, "acme", data, sign(data), query).body["result"] == "duplicate"
