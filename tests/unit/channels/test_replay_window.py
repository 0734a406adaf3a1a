"""The replay window on the injectable clock, with an in-memory dedupe store (the IntakeStore's
first_seen / forget)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.channels.replay import WINDOW, ReplayWindow
from aftersales.core.clock import FixedClock
from aftersales.logistics.verification import VerificationError

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class Markers:
    """first_seen / forget of the dedupe store, in memory."""

    def __init__(self) -> None:
        self.keys: set[tuple[str, str, str]] = set()

    def first_seen(self, tenant_id: str, source: str, external_id: str, ttl_days: int = 30) -> bool:
        key = (tenant_id, source, external_id)
        if key in self.keys:
            return False
        self.keys.add(key)
        return True

    def forget(self, tenant_id: str, source: str, external_id: str) -> None:
        self.keys.discard((tenant_id, source, external_id))

    def __len__(self) -> int:
        return len(self.keys)


def reason(call) -> str:
    with pytest.raises(VerificationError) as err:
        call()
    return err.value.message_id


@given(offset=st.integers(-int(WINDOW.total_seconds()), int(WINDOW.total_seconds())))
@settings(max_examples=30)
def test_a_timestamp_within_the_window_either_way_is_admitted_once(offset):
    clock, markers = FixedClock(NOW), Markers()
    window = ReplayWindow(markers, clock, "wecom")
    stamp = str(int(NOW.timestamp()) + offset)
    claim = window.admit("acme", stamp, "nonce-1")
    assert reason(lambda: window.admit("acme", stamp, "nonce-1")) == "webhook.replayed"
    assert window.admit("other", stamp, "nonce-1")  # tenants never share nonces
    window.release("acme", claim)
    assert window.admit("acme", stamp, "nonce-1") == claim  # released: WeCom's retry is taken


@given(outside=st.integers(int(WINDOW.total_seconds()) + 1, 10**11 - int(NOW.timestamp())),
       sign=st.sampled_from((-1, 1)))
@settings(max_examples=30)
def test_a_timestamp_outside_the_window_is_refused_and_claims_nothing(outside, sign):
    clock, markers = FixedClock(NOW), Markers()
    stamp = int(NOW.timestamp()) + sign * outside
    if stamp < 0:
        return
    assert reason(lambda: ReplayWindow(markers, clock, "wecom").admit("acme", str(stamp), "n")) == \
        "webhook.timestamp_out_of_tolerance"
    assert len(markers) == 0


def test_the_window_follows_the_injected_clock():
    """GIVEN a callback signed at noon WHEN the clock reads 12:04 THEN admitted; at 12:06 THEN refused."""
    clock = FixedClock(NOW + timedelta(minutes=4))
    window = ReplayWindow(Markers(), clock, "wecom")
    assert window.admit("acme", str(int(NOW.timestamp())), "a")
    clock.advance(minutes=2)
    assert reason(lambda: window.admit("acme", str(int(NOW.timestamp())), "b")) == "webhook.timestamp_out_of_tolerance"


STAMP = str(int(NOW.timestamp()))


@pytest.mark.parametrize("timestamp, nonce, expected", [
    ("", "n", "webhook.timestamp_invalid"), ("١٧٦٤٥٩٠٤٠٠", "n", "webhook.timestamp_invalid"),
    ("99999999999999999999", "n", "webhook.timestamp_invalid"), ("-1", "n", "webhook.timestamp_invalid"),
    (STAMP, "", "webhook.nonce_invalid"), (STAMP, "n" * 65, "webhook.nonce_invalid"),
    (STAMP, "non ce\n", "webhook.nonce_invalid"), (STAMP, "随机", "webhook.nonce_invalid"),
])
def test_timestamps_and_nonces_that_cannot_be_ones_are_refused(timestamp, nonce, expected):
    markers = Markers()
    assert reason(lambda: ReplayWindow(markers, FixedClock(NOW), "wecom").admit("acme", timestamp, nonce)) == expected
    assert len(markers) == 0
