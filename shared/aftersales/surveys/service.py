"""Survey use cases: schedule on a trigger (ticket closed or resolved, order delivered), cancel on
reopen, the sweep over the due index (send, remind, postpone for quiet hours, suppress when
throttled), the answer through the signed link (counted once, edited within its window),
unsubscribe, the figures and the tenant's settings.

A send first claims the customer's contact history and the survey in one transaction (conditional
on both versions), then hands the message to a channel: two sweeps can never both send a survey
to one customer within the window. A send that fails is taken back (history, counters)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger

from aftersales.core.clock import Clock, parse_iso
from aftersales.core.errors import ConcurrentModification, InvalidRequest, NotFound
from aftersales.core.i18n import negotiate, translate
from aftersales.notifications.errors import RecipientUnreachable
from aftersales.sla.due_index import buckets_between, due_bucket, index_bucket
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tickets.model import Role, Status

from . import domain, tokens
from .model import DIMENSIONS, ContactHistory, Sentiment, Survey, SurveyRules, SurveyStatus, Tally
from .ports import Contacts, FollowUpOpener, Orders, SentimentAnalyzer, Staff, SurveySender, SurveyStore, Tickets

logger = Logger(child=True)

SYSTEM = Actor(id="survey-engine", roles=frozenset({Role.SYSTEM}))
TRIGGERS = frozenset({"ticket.closed", "ticket.resolved"})  # the service is over for the customer
REOPENED = "ticket.reopened"
ENDED = frozenset({Status.CLOSED, Status.RESOLVED})
FIRST_SWEEP_LOOKBACK = timedelta(hours=1)
CHANNEL_ORDER = ("email", "wecom", "sms")
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")


@dataclass(frozen=True)
class SurveyLinks:
    """Where links point (the API's public base URL) and the key that signs them."""

    secret: str
    base_url: str

    def token(self, survey: Survey) -> str:
        assert survey.expires_at is not None
        return tokens.issue(self.secret, survey.tenant_id, survey.survey_id, survey.expires_at)

    def page(self, token: str) -> str:
        if not self.base_url:
            raise ValueError("survey links need SURVEY_LINK_BASE_URL (the sweeper's environment)")
        return f"{self.base_url.rstrip('/')}/surveys/{token}"


@dataclass
class SweepReport:
    buckets: list[str]
    items_read: int = 0
    sent: int = 0
    reminded: int = 0
    postponed: int = 0
    suppressed: int = 0
    unreachable: int = 0
    follow_ups: int = 0
    failures: int = 0
    sent_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OpenedSurvey:
    survey: Survey
    settings: SurveyRules
    token: str


def survey_id_for(tenant_id: str, source: str, key: str) -> str:
    """Deterministic: a redelivered trigger finds the survey it created."""
    digest = hashlib.sha256(f"{tenant_id}\x1f{source}\x1f{key}".encode()).hexdigest()[:26]
    return f"svy_{digest}"


class SurveyService:
    def __init__(self, store: SurveyStore, tickets: Tickets, orders: Orders, contacts: Contacts,
                 senders: Mapping[str, SurveySender], staff: Staff, sentiment: SentimentAnalyzer, clock: Clock,
                 links: SurveyLinks, follow_ups: FollowUpOpener | None = None,
                 id_for: Callable[[str, str, str], str] = survey_id_for) -> None:
        self._store, self._tickets, self._orders, self._contacts = store, tickets, orders, contacts
        self._senders, self._staff, self._sentiment, self._clock = senders, staff, sentiment, clock
        self._links, self._follow_ups, self._id_for = links, follow_ups, id_for

    # ------------------------------------------------------------------ settings
    def settings(self, tenant_id: str) -> SurveyRules:
        return self._store.settings(tenant_id)

    def save_settings(self, settings: SurveyRules) -> SurveyRules:
        self._store.save_settings(settings)
        return settings

    # ------------------------------------------------------------------ triggers
    def on_ticket_event(self, detail: Mapping[str, Any]) -> str:
        """A ticket domain event: closed/resolved schedules a service survey, reopened cancels it."""
        event, tenant_id, ticket_id = detail.get("event"), detail["tenant_id"], detail["ticket_id"]
        if event == REOPENED:
            return self._cancel_for_ticket(tenant_id, ticket_id)
        if event not in TRIGGERS:
            return "ignored"
        settings = self._store.settings(tenant_id)
        if not settings.enabled:
            return "disabled"
        existing = self._store.for_ticket(tenant_id, ticket_id)
        if existing is not None and existing.status is not SurveyStatus.CANCELLED:
            return "already_scheduled"  # resolved, then closed: one survey
        ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
        at = parse_iso(detail["at"]) if detail.get("at") else self._clock.now()
        survey = Survey(survey_id=self._id_for(tenant_id, f"ticket:{ticket_id}", str(detail.get("seq"))),
                        tenant_id=tenant_id, kind="service", customer_id=ticket.customer_id,
                        order_id=ticket.order_id, ticket_id=ticket.id, ticket_type=ticket.type.value,
                        agent_id=ticket.assignee_id, team_id=self._team_of(tenant_id, ticket.assignee_id),
                        channel=ticket.channel.value, product=ticket.lines[0].sku if ticket.lines else None,
                        locale=negotiate(ticket.locale), triggered_at=at, due_at=domain.due_at(at, "service", settings))
        return self._schedule(survey)

    def on_order_delivered(self, tenant_id: str, order_id: str, delivered_at: datetime) -> str:
        settings = self._store.settings(tenant_id)
        if not settings.enabled:
            return "disabled"
        stored = self._orders.get_order(tenant_id, order_id)
        if stored is None:
            return "no_order"
        order = stored.order
        contacts = self._contacts.contacts(tenant_id, order.customer.id)
        locale = next((c.get("locale") for c in contacts.values() if c.get("locale")), None) or settings.locale
        survey = Survey(survey_id=self._id_for(tenant_id, f"order:{order_id}", "delivered"), tenant_id=tenant_id,
                        kind="delivery", customer_id=order.customer.id, order_id=order_id,
                        channel=order.channel.value, product=order.lines[0].sku, locale=negotiate(locale),
                        triggered_at=delivered_at, due_at=domain.due_at(delivered_at, "delivery", settings))
        return self._schedule(survey)

    def _schedule(self, survey: Survey) -> str:
        created = self._store.create(survey.model_copy(update={"version": 1}),
                                     index_bucket(survey.due_at, self._clock.now()))
        logger.info("survey scheduled" if created else "survey trigger redelivered",
                    extra={"survey_id": survey.survey_id, "kind": survey.kind})
        return "scheduled" if created else "duplicate"

    def _cancel_for_ticket(self, tenant_id: str, ticket_id: str) -> str:
        survey = self._store.for_ticket(tenant_id, ticket_id)
        if survey is None or survey.status not in (SurveyStatus.SCHEDULED, SurveyStatus.SENT):
            return "nothing_to_cancel"
        self._store.save(survey.model_copy(update={"status": SurveyStatus.CANCELLED, "reason": "ticket_reopened"}),
                         survey.version, None)
        return "cancelled"

    def _team_of(self, tenant_id: str, agent_id: str | None) -> str | None:
        if agent_id is None:
            return None
        return next((a.team_id for a, _roles in self._staff.agents(tenant_id) if a.agent_id == agent_id), None)

    # ------------------------------------------------------------------ the sweep
    def sweep(self) -> SweepReport:
        now = self._clock.now()
        last = self._store.last_swept() or now - FIRST_SWEEP_LOOKBACK
        report = SweepReport(buckets=buckets_between(last, now))
        settings: dict[str, SurveyRules] = {}
        for bucket in report.buckets:
            for tenant_id, survey_id in list(self._store.due_in_bucket(bucket)):
                report.items_read += 1
                try:
                    if tenant_id not in settings:
                        settings[tenant_id] = self._store.settings(tenant_id)
                    self._visit(tenant_id, survey_id, settings[tenant_id], now, report)
                except Exception:  # one survey must not stop the sweep; it stays indexed
                    report.failures += 1
                    logger.exception("survey step failed", extra={"survey_id": survey_id})
        self._store.set_last_swept(now)
        logger.info("survey sweep", extra={"buckets": len(report.buckets), "items_read": report.items_read,
                                           "sent": report.sent, "reminded": report.reminded,
                                           "failures": report.failures})
        return report

    def _visit(self, tenant_id: str, survey_id: str, settings: SurveyRules, now: datetime,
               report: SweepReport) -> None:
        survey = self._store.get(tenant_id, survey_id)  # the index is eventually consistent: read the item
        if survey is None:
            return
        if survey.status is SurveyStatus.ANSWERED:
            report.follow_ups += self._follow_up(survey, settings)
            return
        if survey.status not in (SurveyStatus.SCHEDULED, SurveyStatus.SENT):
            self._store.save(survey, survey.version, None)  # stale index entry
            return
        if survey.kind == "service" and survey.ticket_id and not self._ticket_ended(survey):
            self._store.save(survey.model_copy(update={"status": SurveyStatus.CANCELLED, "reason": "ticket_reopened"}),
                             survey.version, None)
            return
        history = self._store.history(tenant_id, survey.customer_id)
        contacts = self._contacts.contacts(tenant_id, survey.customer_id)
        tz = domain.zone(next((c.get("time_zone") for c in contacts.values() if c.get("time_zone")), None),
                         settings.time_zone)
        step = domain.next_step(survey, history, settings, tz, now)
        if step.action in ("wait", "postpone"):
            assert step.at is not None
            if due_bucket(step.at) > due_bucket(now):  # else the next sweep reads this bucket again
                self._store.save(survey, survey.version, index_bucket(step.at, now))
            report.postponed += step.action == "postpone"
        elif step.action == "suppress":
            self._store.save(survey.model_copy(update={"status": SurveyStatus.SUPPRESSED, "reason": step.reason}),
                             survey.version, None)
            report.suppressed += 1
        elif step.action == "drop":
            self._store.save(survey, survey.version, None)
        elif step.action == "send":
            self._send(survey, history, contacts, settings, now, report)
        elif step.action == "remind":
            self._remind(survey, contacts, now, report)

    def _ticket_ended(self, survey: Survey) -> bool:
        assert survey.ticket_id is not None
        try:
            ticket: Ticket = self._tickets.get(survey.tenant_id, survey.ticket_id, SYSTEM)
        except NotFound:
            return False
        return ticket.status in ENDED

    def _channels(self, survey: Survey, contacts: Mapping[str, Mapping[str, Any]]) -> list[str]:
        ordered = dict.fromkeys(c for c in (survey.channel, *CHANNEL_ORDER) if c)
        return [c for c in ordered if c in contacts and c in self._senders and self._senders[c].ready(survey.tenant_id)]

    def _send(self, survey: Survey, history: ContactHistory, contacts: Mapping[str, Mapping[str, Any]],
              settings: SurveyRules, now: datetime, report: SweepReport) -> None:
        channels = self._channels(survey, contacts)
        if not channels:
            self._store.save(survey.model_copy(update={"status": SurveyStatus.UNREACHABLE, "reason": "no_contact"}),
                             survey.version, None)
            report.unreachable += 1
            return
        sent = survey.model_copy(update={"status": SurveyStatus.SENT, "sent_at": now, "sent_channel": channels[0],
                                         "expires_at": now + timedelta(days=settings.link_valid_days)})
        claimed_history = domain.record_send(history, survey, now, settings)
        claimed = self._store.save(sent, survey.version, self._bucket(sent, settings, now), history=claimed_history,
                                   figures=domain.figure_change(sent, Tally(sent=1)))
        try:
            channel = self._deliver(claimed, contacts, channels, "invite")
        except Exception:
            self._take_back(claimed, history.version + 1, SurveyStatus.SCHEDULED, None, now)
            raise
        if channel is None:
            self._take_back(claimed, history.version + 1, SurveyStatus.UNREACHABLE, "unreachable", now)
            report.unreachable += 1
            return
        if channel != claimed.sent_channel:
            self._store.save(claimed.model_copy(update={"sent_channel": channel}), claimed.version,
                             self._bucket(claimed, settings, now))
        report.sent += 1
        report.sent_ids.append(survey.survey_id)
        logger.info("survey sent", extra={"survey_id": survey.survey_id, "channel": channel, "kind": survey.kind})

    def _take_back(self, claimed: Survey, history_version: int, status: SurveyStatus, reason: str | None,
                   now: datetime) -> None:
        """Nothing went out: the claim on the customer's history and the sent counter are undone."""
        history = self._store.history(claimed.tenant_id, claimed.customer_id)
        if history.version != history_version:
            raise ConcurrentModification("error.concurrent_modification")
        back = claimed.model_copy(update={"status": status, "reason": reason, "sent_at": None, "expires_at": None,
                                          "sent_channel": None})
        self._store.save(back, claimed.version, index_bucket(now, now) if status is SurveyStatus.SCHEDULED else None,
                         history=domain.forget_send(history, claimed.survey_id),
                         figures=domain.figure_change(claimed, Tally(sent=-1)))

    def _remind(self, survey: Survey, contacts: Mapping[str, Mapping[str, Any]], now: datetime,
                report: SweepReport) -> None:
        reminded = survey.model_copy(update={"reminded_at": now})
        saved = self._store.save(reminded, survey.version, None)  # claimed first: at most one reminder
        channels = [c for c in self._channels(survey, contacts) if c == survey.sent_channel] or \
            self._channels(survey, contacts)
        if self._deliver(saved, contacts, channels, "reminder") is not None:
            report.reminded += 1

    def _bucket(self, survey: Survey, settings: SurveyRules, now: datetime) -> str | None:
        at = domain.index_at(survey, settings)
        return index_bucket(at, now) if at is not None else None

    def _deliver(self, survey: Survey, contacts: Mapping[str, Mapping[str, Any]], channels: list[str],
                 purpose: str) -> str | None:
        """The channel that took the message, or None when none can reach the customer."""
        link = self._links.page(self._links.token(survey))
        subject = translate(f"survey.{purpose}.subject", survey.locale)
        body = (translate(f"survey.{purpose}.body.{survey.kind}", survey.locale, link=link) + "\n\n"
                + translate("survey.unsubscribe_line", survey.locale, link=f"{link}/unsubscribe"))
        # a text message carries one short line and the link; the number's STOP reply is the opt-out
        text = translate(f"survey.sms.{purpose}", survey.locale, link=link)
        for channel in channels:
            try:
                self._senders[channel].send(survey.tenant_id, contacts[channel], subject,
                                            text if channel == "sms" else body,
                                            idempotency_key=f"{survey.survey_id}:{purpose}:{channel}")
                return channel
            except RecipientUnreachable as exc:
                logger.warning("survey recipient unreachable", extra={"channel": channel,
                                                                      "reason": exc.details.get("reason")})
        return None

    # ------------------------------------------------------------------ the link
    def open_link(self, token: str) -> OpenedSurvey:
        claim = tokens.verify(self._links.secret, token, self._clock.now())
        survey = self._store.get(claim.tenant_id, claim.survey_id)
        if survey is None:
            raise tokens.TokenRefused("error.survey_link_invalid", reason="unknown")
        return OpenedSurvey(survey, self._store.settings(claim.tenant_id), token)

    def answer(self, token: str, *, nps: int | None, csat: int | None, comment: str | None) -> OpenedSurvey:
        opened = self.open_link(token)
        survey, settings, now = opened.survey, opened.settings, self._clock.now()
        updated, delta = domain.answer(survey, nps=nps, csat=csat, comment=comment, now=now, settings=settings)
        assert updated.answer is not None
        if updated.answer.comment and updated.answer.sentiment is None:
            sentiment = self._analyse(updated.answer.comment)
            updated = updated.model_copy(update={"answer": updated.answer.model_copy(update={"sentiment": sentiment})})
        pending = (domain.needs_follow_up(updated, settings) is not None and updated.follow_up_ticket_id is None
                   and self._follow_ups is not None)
        saved = self._store.save(updated, survey.version, index_bucket(now, now) if pending else None,
                                 figures=domain.figure_change(updated, delta))
        if pending:
            try:
                self._follow_up(saved, settings)
            except Exception:  # the answer is kept; the sweep opens the follow-up (the survey stays indexed)
                logger.exception("survey follow-up failed", extra={"survey_id": saved.survey_id})
            saved = self._store.get(saved.tenant_id, saved.survey_id) or saved
        return OpenedSurvey(saved, settings, token)

    def _analyse(self, comment: str) -> Sentiment | None:
        """The comment's sentiment and causes; None when the analyser fails (the answer is kept)."""
        try:
            result = self._sentiment.analyse([comment])[0]
        except Exception:
            logger.exception("survey comment not analysed")
            return None
        return Sentiment(label=result.polarity.value, score=round(result.confidence, 4),
                         causes=[c.code for c in result.causes], model_version=result.model_version)

    def _follow_up(self, survey: Survey, settings: SurveyRules) -> bool:
        """Opens the follow-up ticket an unhappy answer needs (once) and takes the survey out of the due
        index; True when a ticket was opened now."""
        reason = domain.needs_follow_up(survey, settings)
        ticket_id = survey.follow_up_ticket_id
        if reason is not None and ticket_id is None and self._follow_ups is not None:
            ticket_id = self._follow_ups.open_follow_up(survey, reason, settings)
        self._store.save(survey.model_copy(update={"follow_up_ticket_id": ticket_id}), survey.version, None)
        return ticket_id is not None and survey.follow_up_ticket_id is None

    def unsubscribe(self, token: str) -> OpenedSurvey:
        opened = self.open_link(token)
        survey = opened.survey
        for _ in range(3):
            history = self._store.history(survey.tenant_id, survey.customer_id)
            if history.unsubscribed_at is not None:
                break
            try:
                self._store.save_history(history.model_copy(update={"unsubscribed_at": self._clock.now()}))
                break
            except ConcurrentModification:
                continue
        logger.info("survey unsubscribe", extra={"survey_id": survey.survey_id})
        return opened

    def is_unsubscribed(self, tenant_id: str, customer_id: str) -> bool:
        return self._store.history(tenant_id, customer_id).unsubscribed_at is not None

    # ------------------------------------------------------------------ figures
    def figures(self, tenant_id: str, dimension: str, period: str) -> dict[str, Tally]:
        if dimension not in DIMENSIONS:
            raise InvalidRequest("error.survey_dimension_unknown", field="query.dimension", allowed=list(DIMENSIONS))
        if not PERIOD.match(period):
            raise InvalidRequest("error.survey_period_invalid", field="query.period")
        return self._store.figures(tenant_id, dimension, period)

