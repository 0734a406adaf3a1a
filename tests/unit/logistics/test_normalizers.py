"""Normaliser robustness: open enums, bad checkpoints, missing trackers.

Shippo and 17TRACK have no real webhook body in the fixture kit. Their envelope walk is tested
with PROBES built here from the documented wire field names (fixtures README for Shippo, the
17TRACK v2 push schema), carrying enum values from the real enum files. They are labelled probes,
not provider samples, and are not stored as fixtures."""

from __future__ import annotations

import pytest

from aftersales.logistics.events import Provider, SubStatus, TrackingPayloadError, TrackingStatus
from aftersales.logistics.normalizers import normalize

T, S = TrackingStatus, SubStatus


def test_unknown_aftership_tag_maps_to_unknown_and_keeps_raw():
    """GIVEN a tag AfterShip may add later WHEN normalised THEN status unknown, raw values kept."""
    event = normalize(Provider.AFTERSHIP, {"event_id": "e1", "msg": {
        "tracking_number": "X1", "tag": "BrandNewTag", "subtag": "BrandNewTag_001"}})
    assert event.status is T.UNKNOWN
    assert (event.raw_status, event.raw_sub_status) == ("BrandNewTag", "BrandNewTag_001")


def test_unknown_exception_subtag_is_exception_other():
    event = normalize(Provider.AFTERSHIP, {"event_id": "e1", "msg": {
        "tracking_number": "X1", "tag": "Exception", "subtag": "Exception_099"}})
    assert (event.status, event.sub_status) == (T.EXCEPTION, S.OTHER)


def test_unparseable_checkpoint_is_skipped_not_fatal():
    event = normalize(Provider.AFTERSHIP, {"event_id": "e1", "msg": {
        "tracking_number": "X1", "tag": "InTransit", "checkpoints": [
            {"checkpoint_time": "not a time"}, {"checkpoint_time": "2025-01-02T03:04:05+08:00"}, "junk"]}})
    [checkpoint] = event.checkpoints
    assert checkpoint.at.utcoffset().total_seconds() == 0 and checkpoint.at.hour == 19


@pytest.mark.parametrize("provider", list(Provider))
def test_payload_without_tracking_number_is_a_payload_error(provider):
    with pytest.raises(TrackingPayloadError):
        normalize(provider, {"unexpected": True})


def test_non_object_payload_is_a_payload_error():
    with pytest.raises(TrackingPayloadError):
        normalize(Provider.EASYPOST, ["not", "an", "object"])  # type: ignore[arg-type]


def shippo_probe(status, code, status_date="2025-02-01T10:00:00Z"):
    return {"event": "track_updated", "test": False, "data": {
        "tracking_number": "SHP1", "carrier": "usps",
        "tracking_status": {"status": status, "substatus": {"code": code, "text": "t",
                                                              "action_required": False},
                            "status_date": status_date, "location": {"city": "Austin", "country": "US"}},
        "tracking_history": [{"status": "TRANSIT", "status_date": "2025-01-30T10:00:00Z"}]}}


def test_shippo_probe_envelope_walk():
    """GIVEN a track_updated probe (FAILURE / package_lost) WHEN normalised THEN lost exception,
    history + current status as sorted checkpoints, stable derived event id."""
    event = normalize(Provider.SHIPPO, shippo_probe("FAILURE", "package_lost"))
    assert (event.status, event.sub_status) == (T.EXCEPTION, S.LOST)
    assert [c.raw_status for c in event.checkpoints] == ["TRANSIT", "FAILURE"]
    assert event.checkpoints[-1].place.city == "Austin"
    again = normalize(Provider.SHIPPO, shippo_probe("FAILURE", "package_lost"))
    assert event.provider_event_id == again.provider_event_id
    other = normalize(Provider.SHIPPO, shippo_probe("FAILURE", "package_lost", "2025-02-02T10:00:00Z"))
    assert other.provider_event_id != event.provider_event_id


def seventeen_probe(status, sub_status):
    return {"event": "TRACKING_UPDATED", "data": {
        "number": "RR1", "carrier": 3011, "track_info": {
            "latest_status": {"status": status, "sub_status": sub_status, "sub_status_descr": None},
            "tracking": {"providers": [{"events": [
                {"time_iso": "2025-02-01T09:00:00+08:00", "description": "d2", "location": "SZ",
                 "sub_status": sub_status},
                {"time_iso": "2025-01-31T09:00:00+08:00", "description": "d1"}]}]}}}}


def test_17track_probe_envelope_walk():
    """GIVEN a v2 push probe with Exception_Rejected WHEN normalised THEN refused exception,
    checkpoints sorted and converted to UTC, carrier code kept as text."""
    event = normalize(Provider.SEVENTEEN_TRACK, seventeen_probe("Exception", "Exception_Rejected"))
    assert (event.status, event.sub_status) == (T.EXCEPTION, S.REFUSED)
    assert event.carrier == "3011"
    assert [c.message for c in event.checkpoints] == ["d1", "d2"]
    assert event.occurred_at.hour == 1


def test_17track_unknown_status_kept_raw():
    event = normalize(Provider.SEVENTEEN_TRACK, seventeen_probe("Teleported", "Teleported_Other"))
    assert event.status is T.UNKNOWN and event.raw_status == "Teleported"
