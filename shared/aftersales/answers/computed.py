"""Answers computed from the customer's own ticket (pure), over what the tracking page already
shows them (tracking.view.TrackingView): the refunds' state and amounts, the parcels and their
checkpoints, the ticket's status and next step. None when the ticket's state gives no definite
answer (a refund that failed, a question about a return the ticket does not have): a person answers.

Every text is a message id (answers.*) in the customer's locale; amounts and days
are formatted for the locale (aftersales.core.formatting)."""

from __future__ import annotations

from collections.abc import Callable

from aftersales.answers.model import REFUND_STATUS, RESHIPMENT_STATUS, RETURN_ARRIVAL, TICKET_STATUS, Reply
from aftersales.core import formatting
from aftersales.core.i18n import label, translate
from aftersales.tracking.view import ParcelView, TrackingView

REFUND_TYPES = frozenset({"return_refund", "refund_only", "shipping_fee_refund"})
RETURN_TYPES = frozenset({"return_refund", "exchange", "repair"})
PAID = "succeeded"
UNDER_WAY = frozenset({"granted", "pending", "requires_action", "unknown"})
# statuses after the return came in (the warehouse has it even when no parcel was tracked)
RECEIVED_OR_LATER = frozenset({"return_received", "inspecting", "refund_pending", "refunded", "reshipping",
                               "reshipped", "repair_dispatched", "repair_in_progress", "repaired", "unrepairable",
                               "returned_to_customer", "resolved"})
BEFORE_DECISION = frozenset({"submitted", "pending_approval", "waiting_customer"})
NOT_ANSWERED_STATUSES = frozenset({"rejected", "cancelled", "closed"})  # a person explains those


def _say(message_id: str, locale: str, **params: str) -> Reply:
    return Reply(message_id=message_id, body=translate(message_id, locale, **params), locale=locale)


def _status(view: TrackingView, locale: str) -> str:
    return label("status", view.status, locale)


def _next(view: TrackingView, locale: str) -> str:
    return label("status", view.next_status, locale) if view.next_status else ""


def _parcel(view: TrackingView, direction: str) -> ParcelView | None:
    chosen = [p for p in view.parcels if p.direction == direction]
    return chosen[-1] if chosen else None


def _latest(parcel: ParcelView, locale: str, time_zone: str | None) -> dict[str, str]:
    point = parcel.checkpoints[0] if parcel.checkpoints else None
    return {"tracking": parcel.tracking_number,
            "parcel_status": translate(f"tracking.parcel_status.{parcel.status}", locale),
            "checkpoint": point.message if point else translate("tracking.parcel.no_checkpoints", locale),
            "at": formatting.day(point.at, locale, time_zone) if point else ""}


def refund_status(view: TrackingView, locale: str) -> Reply | None:
    if view.ticket_type not in REFUND_TYPES and not view.refunds:
        return None
    if view.refunds:
        refund = view.refunds[-1]
        params = {"amount": formatting.money(refund.amount, locale),
                  "destination": translate(f"tracking.refund_to.{refund.destination}", locale),
                  "ticket": view.ticket_id}
        if refund.status == PAID:
            return _say("answers.refund.paid", locale, **params)
        if refund.status in UNDER_WAY:
            return _say("answers.refund.processing", locale, **params)
        return None  # failed / canceled: a person sorts it out and says so
    if view.status in NOT_ANSWERED_STATUSES or view.terminal:
        return None
    return _say("answers.refund.not_yet", locale, ticket=view.ticket_id, status=_status(view, locale),
                next=_next(view, locale) or _status(view, locale))


def return_arrival(view: TrackingView, locale: str) -> Reply | None:
    if view.ticket_type not in RETURN_TYPES or view.status in NOT_ANSWERED_STATUSES:
        return None
    parcel = _parcel(view, "return")
    if view.status in RECEIVED_OR_LATER:
        return _say("answers.return.received", locale, ticket=view.ticket_id, status=_status(view, locale))
    if parcel is not None:
        return _say("answers.return.in_transit", locale, **_latest(parcel, locale, view.time_zone))
    if view.status in ("approved", "awaiting_return"):
        return _say("answers.return.not_sent", locale, ticket=view.ticket_id)
    return None


def reshipment_status(view: TrackingView, locale: str) -> Reply | None:
    if view.ticket_type != "exchange" or view.status in NOT_ANSWERED_STATUSES:
        return None
    parcel = _parcel(view, "outbound")
    if parcel is not None and view.status in ("reshipped", "resolved", "reshipping"):
        return _say("answers.reshipment.shipped", locale, **_latest(parcel, locale, view.time_zone))
    if view.status == "reshipping":
        return _say("answers.reshipment.preparing", locale, ticket=view.ticket_id)
    if view.status in BEFORE_DECISION or view.status in ("approved", "awaiting_return", "return_in_transit",
                                                         "return_received", "inspecting"):
        return _say("answers.reshipment.not_yet", locale, ticket=view.ticket_id, status=_status(view, locale))
    return None


def ticket_status(view: TrackingView, locale: str) -> Reply | None:
    if view.status in NOT_ANSWERED_STATUSES or view.terminal:
        return None
    if view.next_status:
        return _say("answers.ticket.status_next", locale, ticket=view.ticket_id, status=_status(view, locale),
                    next=_next(view, locale))
    return _say("answers.ticket.status", locale, ticket=view.ticket_id, status=_status(view, locale))


ANSWERS: dict[str, Callable[[TrackingView, str], Reply | None]] = {
    REFUND_STATUS: refund_status, RETURN_ARRIVAL: return_arrival, RESHIPMENT_STATUS: reshipment_status,
    TICKET_STATUS: ticket_status,
}


def answer(intent: str, view: TrackingView, locale: str) -> Reply | None:
    compute = ANSWERS.get(intent)
    return compute(view, locale) if compute else None
