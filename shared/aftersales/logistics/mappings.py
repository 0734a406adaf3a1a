"""Provider status vocabularies -> canonical (status, sub-status).

Tables come from the provider enums in tests/fixtures (AfterShip tags/subtags, 17TRACK v2
main/sub statuses, EasyPost tracker statuses, Shippo statuses/substatus codes). Every enum is an
open set: an unknown value maps to UNKNOWN / OTHER and the caller keeps the raw strings.
"""

from __future__ import annotations

from aftersales.logistics.events import SubStatus as S
from aftersales.logistics.events import TrackingStatus as T

Canonical = tuple[T, S]

# --- AfterShip -----------------------------------------------------------------------------------

AFTERSHIP_TAGS: dict[str, T] = {
    "Pending": T.UNKNOWN,  # not tracked yet: we know nothing about the parcel
    "InfoReceived": T.INFO_RECEIVED,
    "InTransit": T.IN_TRANSIT,
    "OutForDelivery": T.OUT_FOR_DELIVERY,
    "AttemptFail": T.EXCEPTION,
    "Delivered": T.DELIVERED,
    "AvailableForPickup": T.AVAILABLE_FOR_PICKUP,
    "Exception": T.EXCEPTION,
    "Expired": T.EXPIRED,
}

AFTERSHIP_SUBTAGS: dict[str, Canonical] = {
    "Pending_001": (T.UNKNOWN, S.NO_INFORMATION),
    "Exception_001": (T.EXCEPTION, S.OTHER),
    "Exception_002": (T.EXCEPTION, S.ADDRESS_ISSUE),  # customer moved
    "Exception_003": (T.EXCEPTION, S.REFUSED),
    "Exception_004": (T.EXCEPTION, S.CUSTOMS_HOLD),
    "Exception_005": (T.EXCEPTION, S.DELAYED),
    "Exception_006": (T.EXCEPTION, S.HELD_FOR_PAYMENT),
    "Exception_007": (T.EXCEPTION, S.ADDRESS_ISSUE),
    "Exception_008": (T.EXCEPTION, S.PICKUP_MISSED),
    "Exception_009": (T.EXCEPTION, S.CARRIER_REJECTED),
    "Exception_010": (T.RETURNING, S.NONE),
    "Exception_011": (T.RETURNED, S.NONE),
    "Exception_012": (T.EXCEPTION, S.DAMAGED),
    "Exception_013": (T.EXCEPTION, S.LOST),
    "Exception_016": (T.EXCEPTION, S.DELAYED),  # processing issue
    "Exception_017": (T.EXCEPTION, S.DELAYED),  # extreme weather
    "Exception_018": (T.EXCEPTION, S.CUSTOMS_HOLD),  # incorrect / missing documents
    "AttemptFail_001": (T.EXCEPTION, S.FAILED_ATTEMPT),
    "AttemptFail_002": (T.EXCEPTION, S.RECIPIENT_UNAVAILABLE),
    "AttemptFail_003": (T.EXCEPTION, S.RECIPIENT_UNAVAILABLE),  # business closed
    "OutForDelivery_002": (T.AVAILABLE_FOR_PICKUP, S.NONE),
}

_AFTERSHIP_DEFAULT_SUB: dict[T, S] = {T.EXCEPTION: S.OTHER, T.UNKNOWN: S.OTHER}


def aftership(tag: str | None, subtag: str | None) -> Canonical:
    if subtag in AFTERSHIP_SUBTAGS:
        return AFTERSHIP_SUBTAGS[subtag]
    status = AFTERSHIP_TAGS.get(tag or "", T.UNKNOWN)
    return status, _AFTERSHIP_DEFAULT_SUB.get(status, S.NONE)


# --- 17TRACK (API v2) ----------------------------------------------------------------------------

SEVENTEEN_TRACK_STATUS: dict[str, T] = {
    "NotFound": T.UNKNOWN,
    "InfoReceived": T.INFO_RECEIVED,
    "InTransit": T.IN_TRANSIT,
    "Expired": T.EXPIRED,
    "AvailableForPickup": T.AVAILABLE_FOR_PICKUP,
    "OutForDelivery": T.OUT_FOR_DELIVERY,
    "DeliveryFailure": T.EXCEPTION,
    "Delivered": T.DELIVERED,
    "Exception": T.EXCEPTION,
}

SEVENTEEN_TRACK_SUB_STATUS: dict[str, Canonical] = {
    "NotFound_Other": (T.UNKNOWN, S.NO_INFORMATION),
    "NotFound_InvalidCode": (T.UNKNOWN, S.INVALID_TRACKING),
    "InTransit_CustomsRequiringInformation": (T.EXCEPTION, S.CUSTOMS_HOLD),
    "DeliveryFailure_Other": (T.EXCEPTION, S.FAILED_ATTEMPT),
    "DeliveryFailure_NoBody": (T.EXCEPTION, S.RECIPIENT_UNAVAILABLE),
    "DeliveryFailure_Security": (T.EXCEPTION, S.HELD),
    "DeliveryFailure_Rejected": (T.EXCEPTION, S.REFUSED),
    "DeliveryFailure_InvalidAddress": (T.EXCEPTION, S.ADDRESS_ISSUE),
    "Exception_Other": (T.EXCEPTION, S.OTHER),
    "Exception_Returning": (T.RETURNING, S.NONE),
    "Exception_Returned": (T.RETURNED, S.NONE),
    "Exception_NoBody": (T.EXCEPTION, S.RECIPIENT_UNAVAILABLE),
    "Exception_Security": (T.EXCEPTION, S.HELD),
    "Exception_Damage": (T.EXCEPTION, S.DAMAGED),
    "Exception_Rejected": (T.EXCEPTION, S.REFUSED),
    "Exception_Delayed": (T.EXCEPTION, S.DELAYED),
    "Exception_Lost": (T.EXCEPTION, S.LOST),
    "Exception_Destroyed": (T.EXCEPTION, S.DESTROYED),
    "Exception_Cancel": (T.EXCEPTION, S.CANCELLED),
}


def seventeen_track(status: str | None, sub_status: str | None) -> Canonical:
    if sub_status in SEVENTEEN_TRACK_SUB_STATUS:
        return SEVENTEEN_TRACK_SUB_STATUS[sub_status]
    canonical = SEVENTEEN_TRACK_STATUS.get(status or "", T.UNKNOWN)
    return canonical, S.OTHER if canonical in (T.EXCEPTION, T.UNKNOWN) else S.NONE


# --- EasyPost ------------------------------------------------------------------------------------

EASYPOST_STATUS: dict[str, Canonical] = {
    "unknown": (T.UNKNOWN, S.OTHER),
    "pre_transit": (T.INFO_RECEIVED, S.NONE),
    "in_transit": (T.IN_TRANSIT, S.NONE),
    "out_for_delivery": (T.OUT_FOR_DELIVERY, S.NONE),
    "delivered": (T.DELIVERED, S.NONE),
    "available_for_pickup": (T.AVAILABLE_FOR_PICKUP, S.NONE),
    "return_to_sender": (T.RETURNING, S.NONE),
    "failure": (T.EXCEPTION, S.OTHER),
    "cancelled": (T.EXCEPTION, S.CANCELLED),
    "error": (T.UNKNOWN, S.INVALID_TRACKING),
}

# status_detail refines a failure; values seen in EasyPost trackers (open set).
EASYPOST_FAILURE_DETAIL: dict[str, S] = {
    "damaged": S.DAMAGED,
    "lost": S.LOST,
    "delayed": S.DELAYED,
    "address_correction": S.ADDRESS_ISSUE,
    "held": S.HELD,
    "delivery_exception": S.OTHER,
}


def easypost(status: str | None, status_detail: str | None) -> Canonical:
    canonical, sub = EASYPOST_STATUS.get(status or "", (T.UNKNOWN, S.OTHER))
    if canonical is T.EXCEPTION and status_detail in EASYPOST_FAILURE_DETAIL:
        sub = EASYPOST_FAILURE_DETAIL[status_detail]
    return canonical, sub


# --- Shippo --------------------------------------------------------------------------------------

SHIPPO_STATUS: dict[str, T] = {
    "UNKNOWN": T.UNKNOWN,
    "PRE_TRANSIT": T.INFO_RECEIVED,
    "TRANSIT": T.IN_TRANSIT,
    "DELIVERED": T.DELIVERED,
    # Shippo: "en route back to the sender, or returned". Not yet confirmed back: returning.
    "RETURNED": T.RETURNING,
    "FAILURE": T.EXCEPTION,
}

# substatus.code -> (status override or None, sub-status)
SHIPPO_SUBSTATUS: dict[str, tuple[T | None, S]] = {
    "address_issue": (None, S.ADDRESS_ISSUE),
    "location_inaccessible": (None, S.ADDRESS_ISSUE),
    "delayed": (None, S.DELAYED),
    "delivery_attempted": (None, S.FAILED_ATTEMPT),
    "notice_left": (None, S.FAILED_ATTEMPT),
    "package_damaged": (None, S.DAMAGED),
    "package_held": (None, S.HELD),
    "package_lost": (None, S.LOST),
    "package_disposed": (None, S.DESTROYED),
    "package_unclaimed": (None, S.PICKUP_MISSED),
    "package_undeliverable": (None, S.OTHER),
    "contact_carrier": (None, S.OTHER),
    "out_for_delivery": (T.OUT_FOR_DELIVERY, S.NONE),
    "pickup_available": (T.AVAILABLE_FOR_PICKUP, S.NONE),
    "return_to_sender": (T.RETURNING, S.NONE),
}

# Overrides only refine in-flight statuses; a DELIVERED or FAILURE stays what it says.
_SHIPPO_REFINABLE = {T.IN_TRANSIT, T.INFO_RECEIVED, T.EXCEPTION}


def shippo(status: str | None, substatus_code: str | None) -> Canonical:
    canonical = SHIPPO_STATUS.get(status or "", T.UNKNOWN)
    override, sub = SHIPPO_SUBSTATUS.get(substatus_code or "", (None, S.NONE))
    if override is not None and canonical in _SHIPPO_REFINABLE:
        return override, S.NONE
    if canonical is T.EXCEPTION:
        return canonical, sub if sub is not S.NONE else S.OTHER
    if canonical is T.UNKNOWN:
        return canonical, S.OTHER
    return canonical, sub if canonical is T.IN_TRANSIT and sub is S.DELAYED else S.NONE
