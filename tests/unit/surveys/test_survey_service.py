"""The survey service on in-memory fakes: a closed ticket's survey goes out after the tenant's
delay, in the customer's language, outside their quiet hours, once; a reopened ticket cancels it;
throttling holds across kinds; the signed link takes one answer (edits within the window), refuses
forged and expired links; a failed send is taken back; unsubscribe stops reminders and surveys."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlparse

import pytest

from aftersales.core.errors import Conflict
from aftersales.surveys import tokens
from aftersales.surveys.model import SurveyRules, SurveyStatus, Tally
from aftersales.surveys.service import SurveyLinks, SurveyService
from aftersales.tickets.domain import OpenTicket
from aftersales.tickets.model import Channel, Status, TicketType
from tests.support.fakes.surveys import RecordingSender
from tests.support.surveys import CLOSER, SECRET, survey_rig

NOON_SHANGHAI = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)


def _token(body: str) -> str:
    url = next(word for word in body.split() if "/surveys/" in word and not word.endswith("/unsubscribe"))
    url = url.split("：")[-1]
    return urlparse(url).path.rsplit("/", 1)[-1]


def test_a_closed_ticket_is_surveyed_after_the_delay_in_the_customers_language_once():
    rig = survey_rig(NOON_SHANGHAI)
    ticket, event = rig.closed_complaint()
    assert rig.service.on_ticket_event(event) == "scheduled"
    assert rig.service.on_ticket_event(event) == "already_scheduled"  # redelivered
    assert rig.service.sweep().sent == 0  # the tenant's delay (60 minutes) has not passed
    rig.clock.advance(minutes=61)
    report = rig.service.sweep()
    assert report.sent == 1 and len(rig.email) == 1
    mail = rig.email.sent[0]
    assert mail["address"] == "c1@example.com" and "售后" in mail["body"] and "/unsubscribe" in mail["body"]
    survey = rig.store.for_ticket("acme", ticket.id)
    assert survey.status is SurveyStatus.SENT and survey.agent_id == "agent-1" and survey.team_id == "team-a"
    rig.clock.advance(minutes=10)
    assert rig.service.sweep().sent == 0 and len(rig.email) == 1
    assert rig.store.figures("acme", "agent", "2026-12")["agent-1"] == Tally(sent=1)


def test_resolved_then_closed_makes_one_survey_and_a_reopen_cancels_it():
    rig = survey_rig(NOON_SHANGHAI)
    ticket, closed = rig.closed_complaint()
    resolved = {**closed, "event": "ticket.resolved", "seq": closed["seq"] - 1}
    assert rig.service.on_ticket_event(resolved) == "scheduled"
    assert rig.service.on_ticket_event(closed) == "already_scheduled"
    assert rig.service.on_ticket_event({**closed, "event": "ticket.reopened"}) == "cancelled"
    rig.clock.advance(hours=2)
    assert rig.service.sweep().sent == 0 and len(rig.email) == 0
    assert rig.store.for_ticket("acme", ticket.id).status is SurveyStatus.CANCELLED
    assert len(rig.store.index) == 0


def test_a_ticket_back_in_progress_at_send_time_is_not_surveyed():
    rig = survey_rig(NOON_SHANGHAI)
    ticket = rig.tickets.open("acme", OpenTicket(type=TicketType.COMPLAINT, order_id="O-cust-2", customer_id="cust-2",
                                                 channel=Channel.APP, reason_code="late"), CLOSER)
    for target in (Status.INVESTIGATING, Status.RESOLVED):
        ticket = rig.tickets.transition("acme", ticket.id, target, CLOSER, reason="r")
    rig.service.on_ticket_event(rig.event(ticket, "ticket.resolved"))
    rig.tickets.transition("acme", ticket.id, Status.INVESTIGATING, CLOSER, reason="again")  # its event is late
    rig.clock.advance(hours=2)
    rig.service.sweep()
    assert "c2@example.com" not in rig.email
    assert rig.store.for_ticket("acme", ticket.id).status is SurveyStatus.CANCELLED


def test_quiet_hours_postpone_to_nine_in_the_customers_zone():
    evening = datetime(2026, 12, 2, 12, 30, tzinfo=UTC)  # 20:30 Shanghai; due 21:30 = quiet
    rig = survey_rig(evening)
    _, event = rig.closed_complaint()
    rig.service.on_ticket_event(event)
    rig.clock.advance(hours=1, minutes=1)
    assert rig.service.sweep().postponed == 1 and len(rig.email) == 0
    rig.clock.set(datetime(2026, 12, 3, 0, 55, tzinfo=UTC))  # 08:55
    assert rig.service.sweep().sent == 0
    rig.clock.set(datetime(2026, 12, 3, 1, 1, tzinfo=UTC))  # 09:01
    assert rig.service.sweep().sent == 1


def test_a_second_survey_within_the_window_is_suppressed_across_kinds():
    rig = survey_rig(NOON_SHANGHAI)
    first, event = rig.closed_complaint()
    rig.service.on_ticket_event(event)
    rig.clock.advance(minutes=61)
    rig.service.sweep()
    settings = rig.store.settings("acme").model_copy(update={"delivery_delay_minutes": 0})
    rig.service.save_settings(settings)
    assert rig.service.on_order_delivered("acme", "O-cust-1", rig.clock.now()) == "scheduled"
    rig.clock.advance(days=1)
    report = rig.service.sweep()
    assert report.suppressed == 1 and len(rig.email) == 1
    assert rig.store.get("acme", rig.store.for_ticket("acme", first.id).survey_id).status is SurveyStatus.SENT
    rig.clock.advance(days=30)
    again, event = rig.closed_complaint()
    rig.service.on_ticket_event({**event, "at": rig.clock.now().isoformat()})
    rig.clock.advance(minutes=61)
    rig.service.sweep()  # 31 days later: past the customer window, within the complaint type's 90 days
    assert rig.store.for_ticket("acme", again.id).reason == "ticket_type_window" and len(rig.email) == 1


def test_the_link_takes_one_answer_edits_within_the_window_and_refuses_forgeries():
    rig = survey_rig(NOON_SHANGHAI)
    _, event = rig.closed_complaint()
    rig.service.on_ticket_event(event)
    rig.clock.advance(minutes=61)
    rig.service.sweep()
    token = _token(rig.email.sent[0]["body"])
    opened = rig.service.answer(token, nps=3, csat=2, comment="太慢了")
    assert opened.survey.status is SurveyStatus.ANSWERED and opened.survey.answer.sentiment.label == "negative"
    rig.clock.advance(hours=1)
    rig.service.answer(token, nps=9, csat=4, comment="太慢了")
    cells = rig.store.figures("acme", "all", "2026-12")["all"]
    assert (cells.sent, cells.answered, cells.promoters, cells.detractors, cells.csat_satisfied) == (1, 1, 1, 0, 1)
    assert len(rig.sentiment) == 1  # the unchanged comment is not analysed again
    rig.clock.advance(hours=24)
    with pytest.raises(Conflict):
        rig.service.answer(token, nps=0, csat=1, comment=None)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(tokens.TokenRefused):
        rig.service.open_link(forged)
    rig.clock.advance(days=14)
    with pytest.raises(tokens.TokenRefused) as refused:
        rig.service.open_link(token)
    assert refused.value.details["reason"] == "expired"


def test_a_failed_send_is_taken_back_and_retried():
    failing = RecordingSender(failing=True)
    rig = survey_rig(NOON_SHANGHAI, email=failing)
    ticket, event = rig.closed_complaint()
    rig.service.on_ticket_event(event)
    rig.clock.advance(minutes=61)
    assert rig.service.sweep().failures == 1
    survey = rig.store.for_ticket("acme", ticket.id)
    assert survey.status is SurveyStatus.SCHEDULED and rig.store.history("acme", "cust-1").sends == []
    assert rig.store.figures("acme", "all", "2026-12")["all"].sent == 0
    failing.failing = False
    rig.clock.advance(minutes=5)
    assert rig.service.sweep().sent == 1


def test_an_unreachable_customer_is_recorded_and_not_counted():
    rig = survey_rig(NOON_SHANGHAI, email=RecordingSender(unreachable=frozenset({"c1@example.com"})))
    ticket, event = rig.closed_complaint()
    rig.service.on_ticket_event(event)
    rig.clock.advance(minutes=61)
    assert rig.service.sweep().unreachable == 1
    assert rig.store.for_ticket("acme", ticket.id).status is SurveyStatus.UNREACHABLE
    assert rig.store.history("acme", "cust-1").sends == []


def test_one_reminder_then_nothing_and_unsubscribe_stops_everything():
    rig = survey_rig(NOON_SHANGHAI)
    _, event = rig.closed_complaint()
    rig.service.on_ticket_event(event)
    rig.clock.advance(minutes=61)
    rig.service.sweep()
    rig.clock.advance(hours=73)
    assert rig.service.sweep().reminded == 1 and len(rig.email) == 2
    rig.clock.advance(hours=73)
    assert rig.service.sweep().reminded == 0 and len(rig.email) == 2

    other = survey_rig(NOON_SHANGHAI)
    _, event = other.closed_complaint()
    other.service.on_ticket_event(event)
    other.clock.advance(minutes=61)
    other.service.sweep()
    other.service.unsubscribe(_token(other.email.sent[0]["body"]))
    other.clock.advance(hours=73)
    assert other.service.sweep().reminded == 0 and len(other.email) == 1
    other.clock.advance(days=60)
    _, again = other.closed_complaint()
    other.service.on_ticket_event({**again, "at": other.clock.now().isoformat()})
    other.clock.advance(minutes=61)
    assert other.service.sweep().suppressed == 1 and len(other.email) == 1


def test_a_sweep_reads_only_the_buckets_since_the_last_one_not_the_pending_surveys():
    rig = survey_rig(NOON_SHANGHAI)
    rig.service.save_settings(SurveyRules(tenant_id="acme", delivery_delay_minutes=60 * 24 * 20))
    for _ in range(30):
        rig.service.on_order_delivered("acme", "O-1", rig.clock.now())  # one survey (deterministic id)
    rig.service.sweep()
    rig.clock.advance(minutes=3)
    report = rig.service.sweep()
    assert report.items_read == 0 and len(report.buckets) <= 2
    assert len(rig.store) == 1


def test_a_wecom_customer_is_surveyed_on_wecom_and_an_unreachable_email_falls_through():
    wecom = RecordingSender()
    rig = survey_rig(NOON_SHANGHAI, email=RecordingSender(unreachable=frozenset({"c1@example.com"})))
    rig.contacts.put("acme", "cust-1", "wecom", {"address": "wm-openid-1", "locale": "zh-Hans"})
    service = SurveyService(rig.store, rig.tickets, rig.ticket_store, rig.contacts,
                            {"email": rig.email, "wecom": wecom}, rig.staff, rig.sentiment, rig.clock,
                            SurveyLinks(SECRET, "https://api.example.com/v1"))
    _, event = rig.closed_complaint()
    service.on_ticket_event(event)
    rig.clock.advance(minutes=61)
    assert service.sweep().sent == 1 and "wm-openid-1" in wecom and len(rig.email) == 0
    assert rig.store.surveys[("acme", next(iter(rig.store.surveys))[1])].sent_channel == "wecom"
