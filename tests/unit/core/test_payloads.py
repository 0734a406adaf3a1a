"""The provider-body JSON reader and the provider timestamp reader refuse what json.loads /
datetime.fromtimestamp would take or crash on."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.core.clock import EARLIEST, LATEST, from_unix, within_range
from aftersales.core.payloads import MAX_DEPTH, decode_json


@pytest.mark.parametrize("raw", [
    b"\xff\xfe{}", b"{", b"NaN", b'{"a": Infinity}', b"[-Infinity]", ("1" * 5000).encode(),
    b"[" * 2000 + b"]" * 2000, b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), b'{"a": "\\udcff"}',
    b'{"\\ud800": 1}', b"",
])
def test_bodies_no_provider_means_are_value_errors(raw):
    with pytest.raises(ValueError):
        decode_json(raw)


@given(st.recursive(st.none() | st.booleans() | st.integers(-(10**18), 10**18) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=10))
def test_ordinary_json_reads_as_json_loads_does(value):
    assert decode_json(json.dumps(value, ensure_ascii=False).encode()) == value


@pytest.mark.parametrize("value", [99999999999999, 99999999999999999999, 10**30, -1, 0, 946684799, 4102444800,
                                   float("nan"), float("inf"), True, "١٧٣٢٦٠٠٠٠٠", "²³", "1e9", " ", None, [], "-5"])
def test_unix_seconds_outside_the_range_or_not_ascii_digits_are_none(value):
    assert from_unix(value) is None


@given(st.integers(int(EARLIEST.timestamp()), int(LATEST.timestamp()) - 1))
def test_unix_seconds_in_range_are_aware_utc(seconds):
    for value in (seconds, str(seconds), float(seconds)):
        at = from_unix(value)
        assert at is not None and at.tzinfo is UTC and int(at.timestamp()) == seconds


def test_within_range_never_overflows():
    far = datetime.fromisoformat("9999-12-31T23:59:59-23:59")
    assert within_range(far) is None
    assert within_range(datetime.fromisoformat("0001-01-01T00:00:00+23:59")) is None
    assert within_range(datetime(2026, 1, 1, tzinfo=UTC)) == datetime(2026, 1, 1, tzinfo=UTC)
