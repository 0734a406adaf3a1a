"""Dedupe: a provider message id is taken in once; a failed filing forgets the claim so the retry is taken."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.channels.dedupe import Dedupe
from tests.support.channels_fakes import FakeDedupeMarkers


def test_the_first_delivery_is_filed_and_a_second_one_is_a_duplicate():
    # GIVEN no marker for the id
    markers = FakeDedupeMarkers()
    dedupe, filed = Dedupe(markers), []
    # WHEN it is delivered twice THEN the work runs once; the second delivery answers None
    assert dedupe.once("acme", "wecom", "m-1", lambda: filed.append("m-1") or "filed") == "filed"
    assert dedupe.once("acme", "wecom", "m-1", lambda: filed.append("again")) is None
    assert filed == ["m-1"] and ("acme", "wecom", "m-1") in markers and len(markers) == 1


def test_ids_are_per_tenant_and_per_source():
    dedupe = Dedupe(FakeDedupeMarkers())
    assert dedupe.once("acme", "wecom", "m-1", lambda: 1) == 1
    assert dedupe.once("acme", "wecom_kf", "m-1", lambda: 2) == 2
    assert dedupe.once("other", "wecom", "m-1", lambda: 3) == 3


def test_a_failed_filing_forgets_the_claim_so_the_retry_is_filed():
    # GIVEN work that fails the first time
    markers = FakeDedupeMarkers()
    dedupe = Dedupe(markers)

    def failing() -> str:
        raise ConnectionError("table unavailable")

    # WHEN it fails THEN the failure is raised and the marker is gone
    with pytest.raises(ConnectionError):
        dedupe.once("acme", "email", "<a@x>", failing)
    assert ("acme", "email", "<a@x>") not in markers
    # WHEN the provider retries THEN it is filed
    assert dedupe.once("acme", "email", "<a@x>", lambda: "filed") == "filed"


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.booleans()), max_size=30))
def test_each_id_is_filed_exactly_once_however_deliveries_fail(deliveries):
    """GIVEN any sequence of deliveries (id, whether filing fails) THEN the work succeeds once per id
    that ever succeeded, never twice, and exactly those ids keep a marker."""
    markers = FakeDedupeMarkers()
    dedupe, succeeded = Dedupe(markers), []

    def work(msg_id: str, fails: bool) -> str:
        if fails:
            raise RuntimeError("boom")
        succeeded.append(msg_id)
        return msg_id

    for msg_id, fails in deliveries:
        with contextlib.suppress(RuntimeError):
            dedupe.once("acme", "douyin", msg_id, lambda m=msg_id, f=fails: work(m, f))
    assert sorted(succeeded) == sorted(set(succeeded))
    assert {m for _, _, m in markers.seen} == set(succeeded)
    expected = {m for m, fails in deliveries if not fails}
    assert set(succeeded) == expected
