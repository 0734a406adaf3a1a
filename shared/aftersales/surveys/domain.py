"""Survey rules (pure: every instant comes in as an argument).

- when a survey is due: its trigger plus the tenant's delay for its kind;
- quiet hours in the customer's time zone: nothing is sent in [quiet_start, quiet_end) local time,
  a send or reminder falling there moves to the next quiet_end;
- throttling at send time, against what the customer was actually sent: one survey of any kind per
  customer window, one per kind per kind window, one service survey per ticket type per its window;
  an unsubscribed customer gets nothing;
- at most one reminder, `reminder_after_hours` after the send, if unanswered;
- an answer: the first one counts; another within the edit window replaces it (the counters move
  by the difference), after the window it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aftersales.core.errors import Conflict, InvalidRequest

from .model import (
    Answer,
    ContactHistory,
    FigureChange,
    SentRecord,
    Survey,
    SurveyRules,
    SurveyStatus,
    Tally,
)

PROMOTER_MIN, DETRACTOR_MAX = 9, 6
UNHAPPY_CSAT_MAX = 2


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return at


def zone(name: str | None, fallback: str) -> ZoneInfo:
    """The customer's zone, or the tenant's when the contact names none (or an unknown one)."""
    for candidate in (name, fallback):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


# ---------------------------------------------------------------------- scheduling and quiet hours
def due_at(triggered_at: datetime, kind: str, settings: SurveyRules) -> datetime:
    return _aware(triggered_at) + timedelta(minutes=settings.delay_minutes(kind))  # type: ignore[arg-type]


def _quiet(local: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end  # the window crosses midnight (21:00-09:00)


def in_quiet_hours(at: datetime, tz: ZoneInfo, settings: SurveyRules) -> bool:
    local = _aware(at).astimezone(tz)
    return _quiet(local.time().replace(tzinfo=None), settings.quiet_start, settings.quiet_end)


def next_allowed(at: datetime, tz: ZoneInfo, settings: SurveyRules) -> datetime:
    """`at` itself when outside quiet hours, else the end of this quiet period (local), in UTC."""
    if not in_quiet_hours(at, tz, settings):
        return at
    local = _aware(at).astimezone(tz)
    end = datetime.combine(local.date(), settings.quiet_end, tzinfo=tz)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), settings.quiet_end, tzinfo=tz)
    # a zone's transition can land quiet_end in a gap: step forward until it is allowed
    result = end.astimezone(UTC)
    while in_quiet_hours(result, tz, settings):
        result += timedelta(minutes=15)
    return result


# ---------------------------------------------------------------------- throttling
def throttle_reason(history: ContactHistory, survey: Survey, at: datetime, settings: SurveyRules) -> str | None:
    """Why `survey` may not be sent at `at`, or None."""
    if history.unsubscribed_at is not None:
        return "unsubscribed"
    for sent in history.sends:
        if sent.survey_id == survey.survey_id:
            continue
        age = _aware(at) - sent.at
        if age < timedelta(days=settings.customer_window_days):
            return "customer_window"
        if sent.kind == survey.kind and age < timedelta(days=settings.kind_window_days(survey.kind)):
            return "kind_window"
        if (survey.kind == "service" and sent.kind == "service" and survey.ticket_type
                and sent.ticket_type == survey.ticket_type
                and age < timedelta(days=settings.ticket_type_window_days)):
            return "ticket_type_window"
    return None


def record_send(history: ContactHistory, survey: Survey, at: datetime, settings: SurveyRules) -> ContactHistory:
    """The history after sending `survey` at `at`, forgetting sends older than every window."""
    horizon = at - timedelta(days=settings.longest_window_days())
    kept = [s for s in history.sends if s.at >= horizon and s.survey_id != survey.survey_id]
    kept.append(SentRecord(survey_id=survey.survey_id, kind=survey.kind, ticket_type=survey.ticket_type, at=at))
    return history.model_copy(update={"sends": kept})


def forget_send(history: ContactHistory, survey_id: str) -> ContactHistory:
    """The history without a send that did not happen (every channel failed)."""
    return history.model_copy(update={"sends": [s for s in history.sends if s.survey_id != survey_id]})


# ---------------------------------------------------------------------- what the sweep does with a survey
@dataclass(frozen=True)
class Step:
    action: Literal["send", "remind", "postpone", "suppress", "drop", "wait"]
    at: datetime | None = None  # postpone / wait: when to look again
    reason: str | None = None


def reminder_at(survey: Survey, settings: SurveyRules) -> datetime | None:
    if settings.reminder_after_hours == 0 or survey.sent_at is None or survey.reminded_at is not None:
        return None
    return survey.sent_at + timedelta(hours=settings.reminder_after_hours)


def next_step(survey: Survey, history: ContactHistory, settings: SurveyRules, tz: ZoneInfo,
              now: datetime) -> Step:
    if survey.status is SurveyStatus.SCHEDULED:
        if now < survey.due_at:
            return Step("wait", at=survey.due_at)
        if history.unsubscribed_at is not None:
            return Step("suppress", reason="unsubscribed")
        allowed = next_allowed(now, tz, settings)
        if allowed > now:
            return Step("postpone", at=allowed, reason="quiet_hours")
        reason = throttle_reason(history, survey, now, settings)
        return Step("suppress", reason=reason) if reason else Step("send")
    if survey.status is SurveyStatus.SENT:
        when = reminder_at(survey, settings)
        if when is None or (survey.expires_at is not None and now >= survey.expires_at):
            return Step("drop")  # nothing left to do: out of the due index
        if history.unsubscribed_at is not None:
            return Step("drop", reason="unsubscribed")
        if now < when:
            return Step("wait", at=when)
        allowed = next_allowed(now, tz, settings)
        if allowed > now:
            return Step("postpone", at=allowed, reason="quiet_hours")
        return Step("remind")
    return Step("drop")


def index_at(survey: Survey, settings: SurveyRules) -> datetime | None:
    """When the sweep must look at the survey next (None = out of the due index)."""
    if survey.status is SurveyStatus.SCHEDULED:
        return survey.due_at
    if survey.status is SurveyStatus.SENT:
        when = reminder_at(survey, settings)
        if when is not None and (survey.expires_at is None or when < survey.expires_at):
            return when
    return None


# ---------------------------------------------------------------------- answers and figures
def classify_nps(score: int) -> Literal["promoter", "passive", "detractor"]:
    if score >= PROMOTER_MIN:
        return "promoter"
    return "detractor" if score <= DETRACTOR_MAX else "passive"


def tally_of(answer: Answer | None) -> Tally:
    if answer is None:
        return Tally()
    nps = classify_nps(answer.nps) if answer.nps is not None else None
    return Tally(answered=1, promoters=int(nps == "promoter"), passives=int(nps == "passive"),
                 detractors=int(nps == "detractor"), csat_answers=int(answer.csat is not None),
                 csat_satisfied=int(answer.csat is not None and answer.csat >= 4), csat_sum=answer.csat or 0)


def period_keys(at: datetime) -> tuple[str, str]:
    """The UTC month and day a survey counts in (the day it was sent)."""
    utc = _aware(at).astimezone(UTC)
    return utc.strftime("%Y-%m"), utc.strftime("%Y-%m-%d")


def figure_change(survey: Survey, delta: Tally) -> FigureChange:
    if delta.is_zero() or survey.sent_at is None:
        return FigureChange()
    cells = {(dim, value, period): delta for dim, value in survey.dimensions().items()
             for period in period_keys(survey.sent_at)}
    return FigureChange(cells=cells)


def answer(survey: Survey, *, nps: int | None, csat: int | None, comment: str | None, now: datetime,
           settings: SurveyRules) -> tuple[Survey, Tally]:
    """The survey with this answer, and the counter delta it makes (zero for an unchanged edit)."""
    if nps is None and csat is None:
        raise InvalidRequest("error.survey_score_required", field="nps")
    if csat is not None and survey.kind != "service":
        raise InvalidRequest("error.survey_no_csat", field="csat")
    if survey.status not in (SurveyStatus.SENT, SurveyStatus.ANSWERED):
        raise Conflict("error.survey_closed", status=survey.status.value)
    comment = (comment or "").strip() or None
    previous = survey.answer
    if previous is None:
        new = Answer(nps=nps, csat=csat, comment=comment, answered_at=now)
    else:
        if now > previous.answered_at + timedelta(hours=settings.edit_window_hours):
            raise Conflict("error.survey_already_answered")
        new = previous.model_copy(update={"nps": nps, "csat": csat, "comment": comment, "edited_at": now,
                                          "edits": previous.edits + 1,
                                          "sentiment": previous.sentiment if comment == previous.comment
                                          else None})
    updated = survey.model_copy(update={"status": SurveyStatus.ANSWERED, "answer": new})
    return updated, tally_of(new) - tally_of(previous)


def needs_follow_up(survey: Survey, settings: SurveyRules) -> Literal["detractor", "unhappy", "passive"] | None:
    """Why an answered survey goes back to service, or None."""
    a = survey.answer
    if a is None:
        return None
    if a.nps is not None and a.nps <= DETRACTOR_MAX:
        return "detractor"
    if a.csat is not None and a.csat <= UNHAPPY_CSAT_MAX:
        return "unhappy"
    if settings.passive_follow_up and a.nps is not None and classify_nps(a.nps) == "passive":
        return "passive"
    return None
