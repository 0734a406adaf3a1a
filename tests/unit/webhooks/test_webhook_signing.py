"""Standard Webhooks signing against the specification's vector, the retry schedule and the
auto-disable rule."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from aftersales.webhooks import schedule, signing
from tests.support.fixture_files import load

VECTORS = load("standard_webhooks/vectors.json")["signatures"]


@pytest.mark.parametrize("vector", VECTORS)
def test_signature_reproduces_the_specification_vector(vector):
    """GIVEN the published vector WHEN signed THEN the exact published signature."""
    got = signing.signature(vector["secret"], vector["msg_id"], vector["timestamp"], vector["payload"].encode())
    assert got == vector["signature"]


def test_the_prefix_is_optional_and_a_changed_byte_changes_the_signature():
    v = VECTORS[0]
    bare = v["secret"].removeprefix("whsec_")
    assert signing.signature(bare, v["msg_id"], v["timestamp"], v["payload"].encode()) == v["signature"]
    assert signing.signature(v["secret"], v["msg_id"], v["timestamp"] + 1, v["payload"].encode()) != v["signature"]
    assert signing.signature(v["secret"], v["msg_id"], v["timestamp"], v["payload"].encode() + b" ") != v["signature"]


def test_headers_carry_one_signature_per_secret_space_separated():
    """GIVEN a rotation's two secrets WHEN the headers are built THEN both signatures, newest first."""
    v = VECTORS[0]
    other = signing.new_secret()
    got = signing.headers([other, v["secret"]], v["msg_id"], v["timestamp"], v["payload"].encode())
    assert got["webhook-id"] == v["msg_id"] and got["webhook-timestamp"] == str(v["timestamp"])
    first, second = got["webhook-signature"].split(" ")
    assert second == v["signature"] and first.startswith("v1,") and first != second
    with pytest.raises(ValueError):
        signing.headers([], "m", 1, b"{}")


def test_new_secrets_are_whsec_base64_of_32_random_bytes():
    a, b = signing.new_secret(), signing.new_secret()
    assert a.startswith("whsec_") and a != b
    assert len(base64.b64decode(a.removeprefix("whsec_"))) == 32


def test_schedule_is_svix_like_and_spans_about_three_days():
    assert [d.total_seconds() for d in schedule.RETRY_DELAYS[:8]] == [0, 5, 300, 1800, 7200, 18000, 36000, 36000]
    assert schedule.ATTEMPTS == 12
    assert timedelta(days=2, hours=12) < schedule.span() <= timedelta(days=3)
    assert schedule.delay_before(1) == timedelta(0)
    assert schedule.delay_before(3) == timedelta(minutes=5)
    assert schedule.delay_before(schedule.ATTEMPTS + 1) is None
    assert schedule.delay_before(0) is None


def test_an_endpoint_is_disabled_after_five_days_of_failures_only():
    start = datetime(2026, 12, 1, tzinfo=UTC)
    assert not schedule.should_disable(None, start + timedelta(days=30))
    assert not schedule.should_disable(start, start + timedelta(days=5) - timedelta(seconds=1))
    assert schedule.should_disable(start, start + timedelta(days=5))
