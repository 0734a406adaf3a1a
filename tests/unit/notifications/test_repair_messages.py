"""A repair visit's messages (pure rendering and the outbox's reading of the event): the booking and
reschedule name the window, "on the way" adds the ETA, the end of the visit carries the code; an
event without a usable window renders without one rather than failing."""

from __future__ import annotations

from datetime import UTC, datetime

from aftersales.notifications.service import repair_visit
from aftersales.notifications.templates import Visit, has_template, render

START = datetime(2026, 12, 4, 2, tzinfo=UTC)
VISIT = Visit(start=START, end=START.replace(hour=4))


def test_the_booking_names_the_window_in_the_customers_language():
    en = render("ticket.repair_booked", "en", "email", ticket="tkt_1", visit=VISIT)
    zh = render("ticket.repair_rescheduled", "zh-Hans", "wecom", ticket="tkt_1", visit=VISIT)
    assert en is not None and en.subject == "[tkt_1] Technician visit booked"
    assert "between Dec 4, 2026, 2:00\u202fAM UTC and Dec 4, 2026, 4:00\u202fAM UTC" in en.body
    assert zh is not None and zh.subject == "" and "2026年12月4日 02:00 UTC 至 2026年12月4日 04:00 UTC" in zh.body


def test_on_the_way_adds_the_eta_and_the_end_of_the_visit_carries_the_code():
    going = render("ticket.repair_on_the_way", "en", "email", ticket="tkt_1",
                   visit=VISIT.model_copy(update={"eta": START.replace(minute=40)}))
    done = render("repair.confirmation_code_issued", "zh-Hans", "email", ticket="tkt_1", code="042917")
    assert going is not None and going.body.endswith("Expected arrival: Dec 4, 2026, 2:40\u202fAM UTC.")
    assert done is not None and "042917" in done.body and done.subject == "[tkt_1] 上门维修已完成"
    assert not has_template("repair.accepted") and not has_template("ticket.repair_offered")  # provider business


def test_the_outbox_reads_the_window_and_eta_from_the_notes_data_and_ignores_a_broken_one():
    detail = {"data": {"window": {"start": "2026-12-04T02:00:00Z", "end": "2026-12-04T04:00:00Z"},
                       "eta": "2026-12-04T02:40:00Z"}}
    assert repair_visit(detail) == VISIT.model_copy(update={"eta": START.replace(minute=40)})
    assert repair_visit({"data": {"window": {"start": "2026-12-04T02:00:00"}}}) is None  # naive and no end
    assert repair_visit({"data": {}}) is None and repair_visit({}) is None


def test_the_window_is_in_the_customers_time_zone_in_german():
    """GIVEN a German customer whose contact stores Europe/Berlin THEN the window reads in CET."""
    from aftersales.notifications.service import customer_zone

    contacts = {"email": {"address": "kunde@example.de", "locale": "de"},
                "wecom": {"address": "wm-1", "time_zone": "Europe/Berlin"}}
    zone = customer_zone(contacts, "email")
    de = render("ticket.repair_booked", "de", "email", ticket="tkt_1", visit=VISIT, time_zone=zone)
    assert zone == "Europe/Berlin" and de is not None
    assert de.body == "Ein Techniker besucht Sie zu Anfrage tkt_1 zwischen 04.12.2026, 03:00 MEZ und 04.12.2026, " \
                      "05:00 MEZ."
    assert customer_zone({"email": {"address": "a@b.c"}}, "email") is None
