"""Survey rules (pure): quiet hours in the customer's zone, throttling windows, at most one
reminder, answers counted once and edited within their window, NPS/CSAT arithmetic.

The property that matters most: whatever surveys are triggered for one customer and whenever the
sweep runs, no two are sent within the customer window, none in quiet hours, none after unsubscribe."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.core.errors import Conflict, InvalidRequest
from aftersales.surveys import domain
from aftersales.surveys.model import Answer, ContactHistory, Survey, SurveyRules, SurveyStatus, Tally

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")
SETTINGS = SurveyRules(tenant_id="acme")
ZONES = ["Asia/Shanghai", "Europe/London", "America/New_York", "Pacific/Auckland", "Asia/Kolkata", "UTC"]


def _survey(survey_id: str = "s1", kind: str = "service", ticket_type: str | None = "return_refund",
            due: datetime = NOW, **kw) -> Survey:
    return Survey(survey_id=survey_id, tenant_id="acme", kind=kind, customer_id="c1", order_id="O-1",
                  ticket_type=ticket_type if kind == "service" else None, triggered_at=due, due_at=due, **kw)


def _history(*sends: tuple[str, str, str | None, datetime], unsubscribed: datetime | None = None) -> ContactHistory:
    history = ContactHistory(tenant_id="acme", customer_id="c1", unsubscribed_at=unsubscribed)
    for survey_id, kind, ticket_type, at in sends:
        history = domain.record_send(history, _survey(survey_id, kind, ticket_type), at, SETTINGS)
    return history


# ---------------------------------------------------------------------- quiet hours
def test_quiet_hours_are_local_time_and_postpone_to_nine_the_next_morning():
    late = datetime(2026, 12, 2, 14, 30, tzinfo=UTC)  # 22:30 in Shanghai
    assert domain.in_quiet_hours(late, SHANGHAI, SETTINGS)
    assert domain.next_allowed(late, SHANGHAI, SETTINGS) == datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 09:00 +08
    early = datetime(2026, 12, 2, 23, 0, tzinfo=UTC)  # 07:00 on the 3rd in Shanghai
    assert domain.next_allowed(early, SHANGHAI, SETTINGS) == datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
    noon = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
    assert domain.next_allowed(noon, SHANGHAI, SETTINGS) == noon
    # the same instant is daytime in London
    assert not domain.in_quiet_hours(late, ZoneInfo("Europe/London"), SETTINGS)


def test_an_unknown_customer_zone_falls_back_to_the_tenant_zone():
    assert domain.zone("Mars/Olympus", "Asia/Shanghai") == SHANGHAI
    assert domain.zone(None, "Europe/London") == ZoneInfo("Europe/London")


@given(at=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)),
       zone_name=st.sampled_from(ZONES),
       start=st.integers(0, 23), end=st.integers(0, 23))
def test_next_allowed_is_never_quiet_never_earlier_and_within_a_day(at, zone_name, start, end):
    rules = SETTINGS.model_copy(update={"quiet_start": time(start), "quiet_end": time(end)})
    tz = ZoneInfo(zone_name)
    allowed = domain.next_allowed(at, tz, rules)
    assert allowed >= at
    assert not domain.in_quiet_hours(allowed, tz, rules)
    assert allowed - at <= timedelta(hours=25)


# ---------------------------------------------------------------------- throttling
def test_one_survey_per_customer_window_of_any_kind():
    history = _history(("s0", "delivery", None, NOW - timedelta(days=29)))
    assert domain.throttle_reason(history, _survey(), NOW, SETTINGS) == "customer_window"
    history = _history(("s0", "delivery", None, NOW - timedelta(days=31)))
    assert domain.throttle_reason(history, _survey(), NOW, SETTINGS) is None


def test_per_kind_and_per_ticket_type_windows():
    rules = SETTINGS.model_copy(update={"customer_window_days": 7})
    history = _history(("s0", "delivery", None, NOW - timedelta(days=60)))
    assert domain.throttle_reason(history, _survey(kind="delivery"), NOW, rules) == "kind_window"  # 90 days
    assert domain.throttle_reason(history, _survey(kind="service"), NOW, rules) is None
    rules = rules.model_copy(update={"service_window_days": 7})
    history = _history(("s0", "service", "repair", NOW - timedelta(days=40)))
    assert domain.throttle_reason(history, _survey(ticket_type="repair"), NOW, rules) == "ticket_type_window"
    assert domain.throttle_reason(history, _survey(ticket_type="exchange"), NOW, rules) is None


def test_unsubscribed_customers_get_nothing_and_the_history_forgets_old_sends():
    assert domain.throttle_reason(_history(unsubscribed=NOW), _survey(), NOW, SETTINGS) == "unsubscribed"
    history = _history(("old", "service", None, NOW - timedelta(days=400)), ("s0", "delivery", None, NOW))
    assert [s.survey_id for s in history.sends] == ["s0"]


# ---------------------------------------------------------------------- the sweep's steps
def test_a_due_survey_waits_postpones_in_quiet_hours_sends_then_reminds_once():
    survey = _survey(due=NOW)
    empty = _history()
    assert domain.next_step(survey, empty, SETTINGS, SHANGHAI, NOW - timedelta(minutes=1)).action == "wait"
    night = datetime(2026, 12, 2, 14, 30, tzinfo=UTC)
    step = domain.next_step(survey.model_copy(update={"due_at": night}), empty, SETTINGS, SHANGHAI, night)
    assert (step.action, step.at) == ("postpone", datetime(2026, 12, 3, 1, 0, tzinfo=UTC))
    assert domain.next_step(survey, empty, SETTINGS, SHANGHAI, NOW).action == "send"
    sent = survey.model_copy(update={"status": SurveyStatus.SENT, "sent_at": NOW,
                                     "expires_at": NOW + timedelta(days=14)})
    assert domain.index_at(sent, SETTINGS) == NOW + timedelta(hours=72)
    assert domain.next_step(sent, empty, SETTINGS, SHANGHAI, NOW + timedelta(hours=73)).action == "remind"
    reminded = sent.model_copy(update={"reminded_at": NOW + timedelta(hours=73)})
    assert domain.index_at(reminded, SETTINGS) is None
    assert domain.next_step(reminded, empty, SETTINGS, SHANGHAI, NOW + timedelta(hours=200)).action == "drop"


def test_no_reminder_when_switched_off_or_unsubscribed():
    sent = _survey().model_copy(update={"status": SurveyStatus.SENT, "sent_at": NOW})
    rules = SETTINGS.model_copy(update={"reminder_after_hours": 0})
    assert domain.index_at(sent, rules) is None
    later = NOW + timedelta(hours=80)
    assert domain.next_step(sent, _history(unsubscribed=NOW), SETTINGS, SHANGHAI, later).action == "drop"


Trigger = st.tuples(st.sampled_from(["service", "delivery"]),
                    st.sampled_from(["return_refund", "exchange", "repair"]),
                    st.integers(min_value=0, max_value=200 * 24 * 60))  # minutes after the start


@settings(max_examples=150, deadline=None)
@given(triggers=st.lists(Trigger, min_size=1, max_size=12), zone_name=st.sampled_from(ZONES),
       sweep_minutes=st.sampled_from([1, 5, 17, 60]), window=st.integers(min_value=1, max_value=45),
       unsubscribe_after=st.one_of(st.none(), st.integers(min_value=0, max_value=200 * 24 * 60)))
def test_never_two_surveys_to_one_customer_within_the_window(triggers, zone_name, sweep_minutes, window,
                                                              unsubscribe_after):
    """Sweeps run every `sweep_minutes` over 200 days of triggers; each pending survey takes the step
    the rules give it. Every send is outside quiet hours, at least `window` days after the previous
    one, and none is sent after the customer unsubscribed."""
    rules = SETTINGS.model_copy(update={"customer_window_days": window, "service_delay_minutes": 30})
    tz = ZoneInfo(zone_name)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    pending = [_survey(f"s{i}", kind, ticket_type,
                       domain.due_at(start + timedelta(minutes=minute), kind, rules))
               for i, (kind, ticket_type, minute) in enumerate(triggers)]
    history = _history()
    unsubscribed = start + timedelta(minutes=unsubscribe_after) if unsubscribe_after is not None else None
    sends: list[datetime] = []
    now, end = start, start + timedelta(days=262)
    while pending and now <= end:
        if unsubscribed is not None and now >= unsubscribed and history.unsubscribed_at is None:
            history = history.model_copy(update={"unsubscribed_at": now})
        still = []
        for survey in pending:
            step = domain.next_step(survey, history, rules, tz, now)
            if step.action == "send":
                history = domain.record_send(history, survey, now, rules)
                sends.append(now)
            elif step.action in ("wait", "postpone"):
                still.append(survey)
        pending = still
        now += timedelta(minutes=sweep_minutes)
    for earlier, later in itertools.pairwise(sends):
        assert later - earlier >= timedelta(days=window)
    assert not any(domain.in_quiet_hours(at, tz, rules) for at in sends)
    if unsubscribed is not None:
        assert all(at < unsubscribed for at in sends)


# ---------------------------------------------------------------------- answers and figures
def _sent(kind: str = "service") -> Survey:
    return _survey(kind=kind).model_copy(update={"status": SurveyStatus.SENT, "sent_at": NOW, "product": "MUG"})


def test_the_first_answer_counts_and_an_edit_within_the_window_moves_the_counters_by_the_difference():
    first, delta = domain.answer(_sent(), nps=3, csat=2, comment="slow", now=NOW, settings=SETTINGS)
    assert first.status is SurveyStatus.ANSWERED
    assert delta == Tally(answered=1, detractors=1, csat_answers=1, csat_sum=2)
    edited, delta = domain.answer(first, nps=10, csat=5, comment="ok now", now=NOW + timedelta(hours=2),
                                  settings=SETTINGS)
    assert delta == Tally(detractors=-1, promoters=1, csat_satisfied=1, csat_sum=3)
    assert edited.answer.edits == 1 and edited.answer.answered_at == NOW
    with pytest.raises(Conflict):
        domain.answer(edited, nps=1, csat=1, comment=None, now=NOW + timedelta(hours=25), settings=SETTINGS)


@given(scores=st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 10)), st.one_of(st.none(), st.integers(1, 5)))
                       .filter(lambda s: s != (None, None)), min_size=1, max_size=8))
def test_however_often_an_answer_is_edited_it_counts_once(scores):
    survey, total = _sent(), Tally()
    for i, (nps, csat) in enumerate(scores):
        survey, delta = domain.answer(survey, nps=nps, csat=csat, comment=None, now=NOW + timedelta(minutes=i),
                                      settings=SETTINGS)
        total = total + delta
    assert total == domain.tally_of(survey.answer)
    assert total.answered == 1 and total.nps_answers == int(scores[-1][0] is not None)


def test_answers_are_refused_without_a_score_csat_on_a_delivery_survey_or_before_sending():
    with pytest.raises(InvalidRequest):
        domain.answer(_sent(), nps=None, csat=None, comment="x", now=NOW, settings=SETTINGS)
    with pytest.raises(InvalidRequest):
        domain.answer(_sent("delivery"), nps=8, csat=4, comment=None, now=NOW, settings=SETTINGS)
    with pytest.raises(Conflict):
        domain.answer(_survey(), nps=8, csat=None, comment=None, now=NOW, settings=SETTINGS)


def test_nps_csat_and_response_rate_arithmetic():
    tally = Tally(sent=10, answered=4, promoters=2, passives=1, detractors=1, csat_answers=4, csat_satisfied=3)
    assert (tally.nps, tally.csat, tally.response_rate) == (25.0, 75.0, 40.0)
    assert Tally().nps is None and Tally().response_rate is None


def test_follow_up_reasons():
    def answered(nps, csat):
        return _sent().model_copy(update={"answer": Answer(nps=nps, csat=csat, answered_at=NOW)})
    assert domain.needs_follow_up(answered(6, 5), SETTINGS) == "detractor"
    assert domain.needs_follow_up(answered(9, 2), SETTINGS) == "unhappy"
    assert domain.needs_follow_up(answered(7, 4), SETTINGS) is None
    lighter = SETTINGS.model_copy(update={"passive_follow_up": True})
    assert domain.needs_follow_up(answered(8, None), lighter) == "passive"


def test_figures_count_in_every_dimension_and_the_sent_day_and_month():
    survey = _sent().model_copy(update={"agent_id": "agent-1", "team_id": "t1", "channel": "app"})
    cells = domain.figure_change(survey, Tally(sent=1)).cells
    assert ("agent", "agent-1", "2026-12") in cells and ("product", "MUG", "2026-12-02") in cells
    assert ("all", "all", "2026-12") in cells and ("ticket_type", "return_refund", "2026-12-02") in cells
    assert len(cells) == 12
