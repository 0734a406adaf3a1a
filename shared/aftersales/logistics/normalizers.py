"""Provider payload (already verified, JSON-decoded) -> TrackingEvent.

Unknown statuses become UNKNOWN with the raw values kept; a malformed checkpoint is skipped, never
fatal. Only a payload without a routable tracker (no tracking number, or one that cannot be a
tracking number) raises TrackingPayloadError.

Every field is bounded on the way in: texts are cut to MAX_TEXT / MAX_LABEL characters, only the
newest MAX_CHECKPOINTS checkpoints are kept, an event id longer than MAX_EVENT_ID is replaced by its
hash (still stable across redeliveries), and times outside core.clock's range are dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from aftersales.logistics import mappings
from aftersales.logistics.events import (
    Checkpoint,
    Place,
    Provider,
    TrackingEvent,
    TrackingPayloadError,
    newest_time,
    parse_time,
    sorted_checkpoints,
)

Json = Mapping[str, Any]
MAX_TRACKING_NUMBER = 64  # the longest carrier numbers (UPS Mail Innovations, USPS IMpb) have ~34
MAX_EVENT_ID = 128
MAX_LABEL = 100  # statuses, carrier slugs, place parts
MAX_TEXT = 500  # checkpoint messages, sub-status descriptions
MAX_CHECKPOINTS = 100


def _obj(value: object) -> Json:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: object, limit: int = MAX_LABEL) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()[:limit]
    return text or None


def _message(value: object) -> str | None:
    return _text(value, MAX_TEXT)


def _require_number(value: object, provider: Provider, field: str) -> str:
    if value is None or isinstance(value, (dict, list, bool, float)) or not str(value).strip():
        raise TrackingPayloadError("tracking.payload_without_tracking_number", provider=provider.value, field=field)
    number = str(value).strip()
    if len(number) > MAX_TRACKING_NUMBER or not (number.isascii() and number.isprintable()):
        raise TrackingPayloadError("tracking.tracking_number_invalid", provider=provider.value, field=field,
                                   limit=MAX_TRACKING_NUMBER)
    return number


def _event_id(value: object, provider: Provider) -> str | None:
    """The provider's event id, or a stable hash of it when it is too long to be a key."""
    text = None if value is None or isinstance(value, (dict, list, bool, float)) else str(value).strip()
    if not text:
        return None
    return text if len(text) <= MAX_EVENT_ID and text.isprintable() else _derived_id(provider.value, text)


def _newest(checkpoints: list[Checkpoint]) -> tuple[Checkpoint, ...]:
    return sorted_checkpoints(checkpoints)[-MAX_CHECKPOINTS:]


def _checkpoint(at_value: object, message: object, place: Place | None,
                raw_status: object = None, raw_sub_status: object = None) -> Checkpoint | None:
    parsed = parse_time(at_value)
    if parsed is None:
        return None
    at, offset_known = parsed
    return Checkpoint(at=at, offset_known=offset_known, message=_message(message) or "", place=place,
                      raw_status=_text(raw_status), raw_sub_status=_text(raw_sub_status))


def _derived_id(*parts: object) -> str:
    """Providers without an event id: a stable hash of what identifies the update."""
    joined = "|".join("" if p is None else str(p) for p in parts)
    return "drv_" + hashlib.sha256(joined.encode()).hexdigest()[:32]


# --- AfterShip -----------------------------------------------------------------------------------

def _aftership_place(cp: Json) -> Place | None:
    place = Place(city=_text(cp.get("city")), state=_text(cp.get("state")),
                  country=_text(cp.get("country_iso3") or cp.get("country_name")),
                  postal_code=_text(cp.get("postal_code") or cp.get("zip")),
                  text=_message(cp.get("location")))
    return place if place != Place() else None


def from_aftership(payload: Json) -> TrackingEvent:
    msg = _obj(payload.get("msg"))
    number = _require_number(msg.get("tracking_number"), Provider.AFTERSHIP, "msg.tracking_number")
    status, sub = mappings.aftership(_text(msg.get("tag")), _text(msg.get("subtag")))
    checkpoints = _newest([
        cp for raw in _list(msg.get("checkpoints"))
        if (cp := _checkpoint(_obj(raw).get("checkpoint_time"), _obj(raw).get("message"),
                              _aftership_place(_obj(raw)), _obj(raw).get("tag"),
                              _obj(raw).get("subtag"))) is not None
    ])
    fallback = parse_time(payload.get("ts"))
    return TrackingEvent(
        provider=Provider.AFTERSHIP,
        provider_event_id=_event_id(payload.get("event_id"), Provider.AFTERSHIP) or _derived_id(
            "aftership", number, msg.get("tag"), msg.get("subtag"), payload.get("ts")),
        tracking_number=number, carrier=_text(msg.get("slug")),
        status=status, sub_status=sub,
        raw_status=_text(msg.get("tag")), raw_sub_status=_text(msg.get("subtag")),
        raw_sub_status_text=_message(msg.get("subtag_message")),
        checkpoints=checkpoints,
        occurred_at=newest_time(checkpoints, fallback[0] if fallback else None),
    )


# --- EasyPost ------------------------------------------------------------------------------------

def _easypost_place(location: Json) -> Place | None:
    place = Place(city=_text(location.get("city")), state=_text(location.get("state")),
                  country=_text(location.get("country")), postal_code=_text(location.get("zip")))
    return place if place != Place() else None


def from_easypost(payload: Json) -> TrackingEvent:
    """An EasyPost Event (`tracker.created` / `tracker.updated`) whose `result` is the Tracker."""
    tracker = _obj(payload.get("result"))
    number = _require_number(tracker.get("tracking_code"), Provider.EASYPOST, "result.tracking_code")
    raw_status, raw_detail = _text(tracker.get("status")), _text(tracker.get("status_detail"))
    status, sub = mappings.easypost(raw_status, raw_detail)
    checkpoints = _newest([
        cp for raw in _list(tracker.get("tracking_details"))
        if (cp := _checkpoint(_obj(raw).get("datetime"), _obj(raw).get("message"),
                              _easypost_place(_obj(_obj(raw).get("tracking_location"))),
                              _obj(raw).get("status"), _obj(raw).get("status_detail"))) is not None
    ])
    fallback = parse_time(tracker.get("updated_at"))
    return TrackingEvent(
        provider=Provider.EASYPOST,
        provider_event_id=_event_id(payload.get("id"), Provider.EASYPOST) or _derived_id(
            "easypost", number, raw_status, tracker.get("updated_at")),
        tracking_number=number, carrier=_text(tracker.get("carrier")),
        status=status, sub_status=sub, raw_status=raw_status, raw_sub_status=raw_detail,
        checkpoints=checkpoints,
        occurred_at=newest_time(checkpoints, fallback[0] if fallback else None),
    )


# --- Shippo --------------------------------------------------------------------------------------

def _shippo_place(location: object) -> Place | None:
    loc = _obj(location)
    place = Place(city=_text(loc.get("city")), state=_text(loc.get("state")),
                  country=_text(loc.get("country")), postal_code=_text(loc.get("zip")))
    return place if place != Place() else None


def _shippo_checkpoint(entry: Json) -> Checkpoint | None:
    substatus = _obj(entry.get("substatus"))
    return _checkpoint(entry.get("status_date"), entry.get("status_details") or substatus.get("text"),
                       _shippo_place(entry.get("location")), entry.get("status"),
                       substatus.get("code"))


def from_shippo(payload: Json) -> TrackingEvent:
    """A `track_updated` webhook: `{"event", "test", "data": Track}` (snake_case wire JSON)."""
    data = _obj(payload.get("data"))
    number = _require_number(data.get("tracking_number"), Provider.SHIPPO, "data.tracking_number")
    current = _obj(data.get("tracking_status"))
    substatus = _obj(current.get("substatus"))
    raw_status, raw_code = _text(current.get("status")), _text(substatus.get("code"))
    status, sub = mappings.shippo(raw_status, raw_code)
    history = [cp for raw in _list(data.get("tracking_history"))
               if (cp := _shippo_checkpoint(_obj(raw))) is not None]
    latest = _shippo_checkpoint(current)
    if latest is not None and latest not in history:
        history.append(latest)
    checkpoints = _newest(history)
    # Shippo sends no event id and its tracking webhooks are not idempotent: the status object's
    # id, else a hash of what makes this update distinct.
    event_id = _event_id(current.get("object_id"), Provider.SHIPPO) or _derived_id(
        "shippo", data.get("carrier"), number, raw_status, raw_code, current.get("status_date"))
    return TrackingEvent(
        provider=Provider.SHIPPO, provider_event_id=event_id,
        tracking_number=number, carrier=_text(data.get("carrier")),
        status=status, sub_status=sub, raw_status=raw_status, raw_sub_status=raw_code,
        raw_sub_status_text=_message(substatus.get("text")),
        checkpoints=checkpoints, occurred_at=newest_time(checkpoints, None),
    )


# --- 17TRACK -------------------------------------------------------------------------------------

def _seventeen_place(event: Json) -> Place | None:
    address = _obj(event.get("address"))
    place = Place(city=_text(address.get("city")), state=_text(address.get("state")),
                  country=_text(address.get("country")),
                  postal_code=_text(address.get("postal_code")), text=_message(event.get("location")))
    return place if place != Place() else None


def _seventeen_checkpoint(event: Json) -> Checkpoint | None:
    # time_utc is explicit UTC; time_iso carries the local offset. Prefer the offset-bearing one.
    return _checkpoint(event.get("time_iso") or event.get("time_utc"), event.get("description"),
                       _seventeen_place(event), event.get("stage"), event.get("sub_status"))


def from_17track(payload: Json) -> TrackingEvent:
    """A v2 push `{"event": "TRACKING_UPDATED" | "TRACKING_STOPPED", "data": {number, carrier,
    track_info: {latest_status, latest_event, tracking: {providers: [{events: [...]}]}}}}`."""
    data = _obj(payload.get("data"))
    number = _require_number(data.get("number"), Provider.SEVENTEEN_TRACK, "data.number")
    info = _obj(data.get("track_info"))
    latest = _obj(info.get("latest_status"))
    raw_status, raw_sub = _text(latest.get("status")), _text(latest.get("sub_status"))
    status, sub = mappings.seventeen_track(raw_status, raw_sub)
    events = [_obj(e) for p in _list(_obj(info.get("tracking")).get("providers"))
              for e in _list(_obj(p).get("events"))]
    if not events and info.get("latest_event"):
        events = [_obj(info.get("latest_event"))]
    checkpoints = _newest([cp for e in events if (cp := _seventeen_checkpoint(e)) is not None])
    event_id = _derived_id("17track", number, data.get("carrier"), raw_status, raw_sub,
                           checkpoints[-1].at.isoformat() if checkpoints else None)
    return TrackingEvent(
        provider=Provider.SEVENTEEN_TRACK, provider_event_id=event_id,
        tracking_number=number, carrier=_text(data.get("carrier")),
        status=status, sub_status=sub, raw_status=raw_status, raw_sub_status=raw_sub,
        raw_sub_status_text=_message(latest.get("sub_status_descr")),
        checkpoints=checkpoints, occurred_at=newest_time(checkpoints, None),
    )


NORMALIZERS = {
    Provider.AFTERSHIP: from_aftership,
    Provider.EASYPOST: from_easypost,
    Provider.SHIPPO: from_shippo,
    Provider.SEVENTEEN_TRACK: from_17track,
}


def normalize(provider: Provider, payload: Json) -> TrackingEvent:
    if not isinstance(payload, Mapping):
        raise TrackingPayloadError("tracking.payload_not_an_object", provider=provider.value)
    return NORMALIZERS[provider](payload)
