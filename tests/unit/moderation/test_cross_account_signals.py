"""The verdict's cross-account signals: a photo nearly copying another account's, many accounts
behind one device or IP, a five-star burst from one cluster. Each gives its reason and raises the
fake score; none rejects alone, and none weighs against a negative rating."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.moderation.duplicates import DuplicateOf
from aftersales.moderation.verdict import DEFAULT_POLICY, Signals, Status, decide

cross_account = st.builds(
    Signals,
    verified_buyer=st.booleans(),
    account_age_days=st.none() | st.integers(0, 4000),
    reviews_last_hour=st.integers(0, 30),
    rating=st.integers(1, 5),
    sentiment=st.none() | st.floats(-1, 1),
    photo_copied_from_other_accounts=st.integers(0, 9),
    device_accounts=st.integers(0, 20),
    ip_accounts=st.integers(0, 40),
    device_five_star_accounts=st.integers(0, 20),
    ip_five_star_accounts=st.integers(0, 20),
)
STRICTNESS = {Status.PUBLISH: 0, Status.PENDING_REVIEW: 1, Status.REJECT: 2}


def test_a_photo_copied_from_another_account_alone_goes_to_a_person_with_its_reason():
    verdict = decide([], None, Signals(rating=5, photo_copied_from_other_accounts=1))
    assert verdict.status is Status.PENDING_REVIEW
    assert [r.code for r in verdict.reasons] == ["photo_near_duplicate"]
    assert verdict.scores["fake"] == DEFAULT_POLICY.photo_copy


def test_a_copied_photo_with_copied_text_is_rejected():
    verdict = decide([], DuplicateOf("r0", 0.9), Signals(photo_copied_from_other_accounts=1))
    assert verdict.status is Status.REJECT
    assert {r.code for r in verdict.reasons} == {"duplicate_text", "photo_near_duplicate"}


@pytest.mark.parametrize(("signals", "status"), [
    (Signals(rating=5, device_accounts=2, ip_accounts=7), Status.PUBLISH),  # under both bars: nothing
    (Signals(rating=5, device_accounts=3), Status.PUBLISH),  # a shared device alone: named, published
    (Signals(rating=5, ip_accounts=4, ip_five_star_accounts=4), Status.PUBLISH),  # an IP is shared more often
    (Signals(rating=5, ip_accounts=5, ip_five_star_accounts=5), Status.PUBLISH),  # a burst alone: named
    (Signals(rating=5, ip_accounts=8, ip_five_star_accounts=5), Status.PENDING_REVIEW),
    (Signals(rating=5, device_accounts=3, device_five_star_accounts=3), Status.PENDING_REVIEW),
    (Signals(rating=5, device_five_star_accounts=3, account_age_days=3), Status.PENDING_REVIEW),
])
def test_clusters_weigh_and_a_five_star_burst_from_one_is_held(signals, status):
    verdict = decide([], None, signals)
    assert verdict.status is status
    codes = {r.code for r in verdict.reasons}
    assert ("shared_device_cluster" in codes) is (signals.device_accounts >= 3 or signals.ip_accounts >= 8)
    assert ("cluster_five_star_burst" in codes) is (signals.device_five_star_accounts >= 3
                                                    or signals.ip_five_star_accounts >= 5)


def test_the_reasons_say_how_many_accounts():
    verdict = decide([], None, Signals(rating=5, device_accounts=4, ip_accounts=2, device_five_star_accounts=3,
                                       ip_five_star_accounts=1))
    details = {r.code: r.detail for r in verdict.reasons}
    assert details["shared_device_cluster"] == "4 accounts on this device, 2 on this IP in 30 days"
    assert details["cluster_five_star_burst"] == ("3 accounts on this device, 1 on this IP gave this product five "
                                                  "stars in 2 days")


@given(cross_account)
def test_a_negative_rating_is_never_judged_more_strictly_than_five_stars(given_signals):
    """The same signals with one or two stars instead of five (the sentiment mirrored): never a
    higher fake score, never a stricter status, never a reason the five-star review lacks."""
    if given_signals.rating != 5:
        given_signals = given_signals.model_copy(update={"rating": 5})
    for stars in (1, 2):
        negative = given_signals.model_copy(update={
            "rating": stars, "sentiment": None if given_signals.sentiment is None else -given_signals.sentiment})
        five, low = decide([], None, given_signals), decide([], None, negative)
        assert low.scores["fake"] <= five.scores["fake"]
        assert STRICTNESS[low.status] <= STRICTNESS[five.status]
        assert {r.code for r in low.reasons} <= {r.code for r in five.reasons}


@given(cross_account)
def test_cross_account_signals_alone_never_reject(given_signals):
    assert decide([], None, given_signals).status is not Status.REJECT
