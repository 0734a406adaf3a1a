"""Contract: verifiers and normalisers over the REAL provider payloads in tests/fixtures.

Signatures are computed here over the real raw bodies with test secrets (providers publish no
signed samples)."""

from __future__ import annotations

import hashlib
import json

import pytest

from aftersales.logistics import mappings
from aftersales.logistics.events import Provider, SubStatus, TrackingPayloadError, TrackingStatus
from aftersales.logistics.normalizers import normalize
from aftersales.logistics.verification import (
    VerificationError,
    aftership_signature,
    easypost_signature,
    seventeen_track_signature,
    verify_17track,
    verify_aftership,
    verify_easypost,
)
from tests.support.fixture_files import load, raw

T, S = TrackingStatus, SubStatus
TEST_SECRET = "test-secret-not-a-real-one"

EASYPOST_EVENTS = [
    "easypost/fixtures__event-body.json",
    "easypost/guides__tracking-guide__json__tracking-webhook.json",
    "easypost/landing_pages__tracking_webhooks__tracking_webhook_response.json",
]


# --- AfterShip -----------------------------------------------------------------------------------

def test_aftership_real_body_verifies_and_normalises():
    """GIVEN the real AfterShip tracking_update body signed with our test secret
    WHEN it is verified and normalised
    THEN it is accepted and becomes an in-transit event keyed by event_id, checkpoint kept."""
    body = raw("aftership/aftership_tracking_webhook_sample.json")
    verify_aftership({"Aftership-Hmac-Sha256": aftership_signature(TEST_SECRET, body)}, body, TEST_SECRET)

    event = normalize(Provider.AFTERSHIP, json.loads(body))

    assert event.provider_event_id == "94dadd60-ed26-46d0-aa52-3ced925a50ff"
    assert (event.status, event.sub_status) == (T.IN_TRANSIT, S.NONE)
    assert (event.raw_status, event.raw_sub_status) == ("InTransit", "InTransit_001")
    assert event.carrier == "usps"
    [checkpoint] = event.checkpoints
    assert checkpoint.at.tzinfo is not None and checkpoint.offset_known is False
    assert event.occurred_at == checkpoint.at


def test_aftership_tampered_body_is_rejected_before_parsing():
    """GIVEN a valid signature WHEN one byte of the real body changes THEN verification fails."""
    body = raw("aftership/aftership_tracking_webhook_sample.json")
    signature = aftership_signature(TEST_SECRET, body)
    with pytest.raises(VerificationError):
        verify_aftership({"aftership-hmac-sha256": signature}, body.replace(b"usps", b"upsp"), TEST_SECRET)


def test_every_aftership_tag_and_subtag_maps_without_crashing():
    """GIVEN every tag and subtag AfterShip documents WHEN mapped THEN each has a canonical value and
    only Pending is unknown."""
    enums = load("aftership/aftership_tags_subtags.json")
    for tag in enums["tags"]:
        status, _ = mappings.aftership(tag, None)
        assert (status is T.UNKNOWN) == (tag == "Pending"), tag
    for subtag in [*enums["subtags"], *enums["subtags_added_2026_from_support_article"]]:
        tag = subtag.split("_")[0]
        status, _ = mappings.aftership(tag, subtag)
        assert (status is T.UNKNOWN) == (tag == "Pending"), subtag


@pytest.mark.parametrize(("subtag", "expected"), [
    ("Exception_003", (T.EXCEPTION, S.REFUSED)),
    ("Exception_004", (T.EXCEPTION, S.CUSTOMS_HOLD)),
    ("Exception_010", (T.RETURNING, S.NONE)),
    ("Exception_011", (T.RETURNED, S.NONE)),
    ("Exception_012", (T.EXCEPTION, S.DAMAGED)),
    ("Exception_013", (T.EXCEPTION, S.LOST)),
])
def test_aftership_after_sales_subtags(subtag, expected):
    """GIVEN the after-sales subtags named in the fixture WHEN mapped THEN they get their meaning."""
    enums = load("aftership/aftership_tags_subtags.json")
    assert subtag in enums["subtags"]
    assert mappings.aftership("Exception", subtag) == expected


# --- EasyPost ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", EASYPOST_EVENTS)
def test_easypost_real_events_verify_with_nfkd_secret_and_normalise(path):
    """GIVEN a real EasyPost tracker event and a secret needing NFKD normalisation (full-width)
    WHEN signed the EasyPost way and verified THEN it passes and normalises with aware checkpoints."""
    body = raw(path)
    secret = "ｓｅｃｒｅｔ"  # NFKD -> "secret"
    assert easypost_signature(secret, body) == easypost_signature("secret", body)
    verify_easypost({"X-Hmac-Signature": easypost_signature(secret, body)}, body, secret)

    event = normalize(Provider.EASYPOST, json.loads(body))

    assert event.provider_event_id.startswith("evt_")
    assert event.checkpoints and all(c.at.tzinfo is not None for c in event.checkpoints)
    assert list(event.checkpoints) == sorted(event.checkpoints, key=lambda c: c.at)


def test_easypost_fedex_event_details():
    """GIVEN the real FedEx tracker.updated event WHEN normalised THEN status/carrier/places are kept."""
    event = normalize(Provider.EASYPOST, load("easypost/fixtures__event-body.json"))
    assert (event.status, event.raw_status, event.raw_sub_status) == (
        T.IN_TRANSIT, "in_transit", "arrived_at_facility")
    assert event.carrier == "FedEx" and event.tracking_number == "1"
    assert len(event.checkpoints) == 7
    assert event.checkpoints[-1].place.city == "EDISON"


def test_easypost_delivered_event():
    """GIVEN the real delivered tracker event WHEN normalised THEN it is delivered."""
    event = normalize(Provider.EASYPOST, load("easypost/guides__tracking-guide__json__tracking-webhook.json"))
    assert event.status is T.DELIVERED and event.carrier == "UPS"


def test_easypost_event_without_tracker_is_a_clear_payload_error():
    """GIVEN the real event envelope example that has no `result` WHEN normalised THEN a
    TrackingPayloadError (422-class) is raised, not a crash."""
    with pytest.raises(TrackingPayloadError):
        normalize(Provider.EASYPOST, load("easypost/guides__webhooks-guide__event__event_example.json"))


def test_easypost_wrong_secret_rejected():
    body = raw(EASYPOST_EVENTS[0])
    with pytest.raises(VerificationError):
        verify_easypost({"x-hmac-signature": easypost_signature("other", body)}, body, "secret")


def test_every_easypost_status_maps():
    """GIVEN every documented tracker status WHEN mapped THEN only unknown/error are UNKNOWN."""
    for status in load("easypost/easypost_enums.json")["tracker.status"]:
        canonical, _ = mappings.easypost(status, None)
        assert (canonical is T.UNKNOWN) == (status in {"unknown", "error"}), status


# --- Shippo --------------------------------------------------------------------------------------

def test_every_shippo_status_and_substatus_maps():
    """GIVEN every Shippo status x substatus code WHEN mapped THEN nothing crashes and only the
    UNKNOWN status is unknown."""
    enums = load("shippo/shippo_enums.json")
    for status in enums["tracking_status.status"]:
        for code in [None, *enums["tracking_status.substatus.code"]]:
            canonical, _ = mappings.shippo(status, code)
            assert (canonical is T.UNKNOWN) == (status == "UNKNOWN"), (status, code)


@pytest.mark.parametrize(("status", "code", "expected"), [
    ("FAILURE", "package_lost", (T.EXCEPTION, S.LOST)),
    ("FAILURE", "package_damaged", (T.EXCEPTION, S.DAMAGED)),
    ("FAILURE", "address_issue", (T.EXCEPTION, S.ADDRESS_ISSUE)),
    ("TRANSIT", "out_for_delivery", (T.OUT_FOR_DELIVERY, S.NONE)),
    ("TRANSIT", "return_to_sender", (T.RETURNING, S.NONE)),
    ("DELIVERED", "delivered", (T.DELIVERED, S.NONE)),
])
def test_shippo_substatus_refinement(status, code, expected):
    assert code in load("shippo/shippo_enums.json")["tracking_status.substatus.code"]
    assert mappings.shippo(status, code) == expected


# --- 17TRACK -------------------------------------------------------------------------------------

def test_every_17track_status_and_sub_status_maps():
    """GIVEN the 9 main and 27 sub statuses WHEN mapped THEN only NotFound* is unknown."""
    enums = load("17track/17track_status_substatus.json")
    for status in enums["status"]:
        canonical, _ = mappings.seventeen_track(status, None)
        assert (canonical is T.UNKNOWN) == (status == "NotFound"), status
    for sub_status in [*enums["sub_status"], *enums["other_sub_status_seen_in_third_party_docs"]]:
        main = sub_status.split("_")[0]
        canonical, _ = mappings.seventeen_track(main, sub_status)
        assert (canonical is T.UNKNOWN) == (main == "NotFound"), sub_status


@pytest.mark.parametrize(("sub_status", "expected"), [
    ("Exception_Rejected", (T.EXCEPTION, S.REFUSED)),
    ("DeliveryFailure_Rejected", (T.EXCEPTION, S.REFUSED)),
    ("Exception_Returning", (T.RETURNING, S.NONE)),
    ("Exception_Returned", (T.RETURNED, S.NONE)),
    ("Exception_Damage", (T.EXCEPTION, S.DAMAGED)),
    ("Exception_Lost", (T.EXCEPTION, S.LOST)),
    ("Exception_Delayed", (T.EXCEPTION, S.DELAYED)),
])
def test_17track_after_sales_sub_statuses(sub_status, expected):
    assert sub_status in load("17track/17track_status_substatus.json")["sub_status"]
    assert mappings.seventeen_track(sub_status.split("_")[0], sub_status) == expected


def test_17track_sign_over_raw_bytes():
    """GIVEN raw bytes (no real 17TRACK body exists in the kit, so the real enum file's bytes stand
    in: the scheme is content-agnostic) WHEN signed sha256(body + "/" + key) THEN it verifies and a
    different key does not."""
    body = raw("17track/17track_status_substatus.json")
    expected = hashlib.sha256(body + b"/" + TEST_SECRET.encode()).hexdigest()
    assert seventeen_track_signature(TEST_SECRET, body) == expected
    verify_17track({"sign": expected}, body, TEST_SECRET)
    with pytest.raises(VerificationError):
        verify_17track({"sign": expected}, body, "another-key")
