"""Surveys, the tenant's survey settings, a customer's contact history and the figure counters."""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ConfigDict, Field, field_validator

from aftersales.core.model import DomainModel

SurveyKind = Literal["service", "delivery"]  # service: after a ticket closes (CSAT + NPS); delivery: NPS
KINDS: tuple[SurveyKind, ...] = ("service", "delivery")
DIMENSIONS = ("all", "product", "channel", "agent", "team", "ticket_type")
MAX_COMMENT = 2000


class SurveyStatus(StrEnum):
    SCHEDULED = "scheduled"  # waiting in the due index for its send time
    SENT = "sent"  # the link went out; in the due index until its reminder (if any)
    ANSWERED = "answered"
    CANCELLED = "cancelled"  # the ticket reopened before the survey was answered
    SUPPRESSED = "suppressed"  # throttled or unsubscribed at send time
    UNREACHABLE = "unreachable"  # no channel could reach the customer


OPEN_STATUSES = frozenset({SurveyStatus.SCHEDULED, SurveyStatus.SENT})


class SurveyRules(DomainModel):
    """A tenant's survey rules; every field has the default a tenant gets without settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: str
    enabled: bool = True
    service_delay_minutes: int = Field(default=60, ge=0, le=60 * 24 * 30)
    delivery_delay_minutes: int = Field(default=3 * 24 * 60, ge=0, le=60 * 24 * 60)
    customer_window_days: int = Field(default=30, ge=0, le=730, description="No second survey of any kind")
    service_window_days: int = Field(default=30, ge=0, le=730)
    delivery_window_days: int = Field(default=90, ge=0, le=730)
    ticket_type_window_days: int = Field(default=90, ge=0, le=730,
                                         description="No second service survey about the same ticket type")
    quiet_start: time = time(21, 0)
    quiet_end: time = time(9, 0)
    time_zone: str = Field(default="Asia/Shanghai", description="For customers whose contact names none")
    locale: str = "zh-Hans"
    reminder_after_hours: int = Field(default=72, ge=0, le=24 * 30, description="0 = no reminder")
    link_valid_days: int = Field(default=14, ge=1, le=90)
    edit_window_hours: int = Field(default=24, ge=0, le=24 * 30)
    passive_follow_up: bool = False
    follow_up_owner: str | None = Field(default=None, description="Agent who owns follow-ups when the "
                                        "closed ticket's agent has no team lead")

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not an IANA time zone") from None
        return value

    def delay_minutes(self, kind: SurveyKind) -> int:
        return self.service_delay_minutes if kind == "service" else self.delivery_delay_minutes

    def kind_window_days(self, kind: SurveyKind) -> int:
        return self.service_window_days if kind == "service" else self.delivery_window_days

    def longest_window_days(self) -> int:
        return max(self.customer_window_days, self.service_window_days, self.delivery_window_days,
                   self.ticket_type_window_days)


class Sentiment(DomainModel):
    label: str
    score: float
    causes: list[str] = Field(default_factory=list)
    model_version: str


class Answer(DomainModel):
    nps: int | None = Field(default=None, ge=0, le=10)
    csat: int | None = Field(default=None, ge=1, le=5)
    comment: str | None = Field(default=None, max_length=MAX_COMMENT)
    answered_at: datetime
    edited_at: datetime | None = None
    edits: int = 0
    sentiment: Sentiment | None = None


class Survey(DomainModel):
    survey_id: str
    tenant_id: str
    kind: SurveyKind
    customer_id: str
    order_id: str
    ticket_id: str | None = None
    ticket_type: str | None = None
    agent_id: str | None = None
    team_id: str | None = None
    channel: str | None = None
    product: str | None = None
    locale: str = "en"
    status: SurveyStatus = SurveyStatus.SCHEDULED
    version: int = 0
    triggered_at: datetime
    due_at: datetime
    sent_at: datetime | None = None
    sent_channel: str | None = None
    reminded_at: datetime | None = None
    expires_at: datetime | None = None
    reason: str | None = None  # why suppressed / cancelled / unreachable
    answer: Answer | None = None
    follow_up_ticket_id: str | None = None

    def dimensions(self) -> dict[str, str]:
        """The figure dimensions this survey counts in (those it has a value for); the channel is the
        one the ticket or order came from, fixed when the survey is made, so a send and its answer
        always count in the same cells."""
        values = {"all": "all", "product": self.product, "channel": self.channel,
                  "agent": self.agent_id, "team": self.team_id, "ticket_type": self.ticket_type}
        return {name: value for name, value in values.items() if value}


class SentRecord(DomainModel):
    model_config = ConfigDict(frozen=True)

    survey_id: str
    kind: SurveyKind
    ticket_type: str | None = None
    at: datetime


class ContactHistory(DomainModel):
    """What one customer was sent (within the longest throttle window) and whether they opted out."""

    tenant_id: str
    customer_id: str
    sends: list[SentRecord] = Field(default_factory=list)
    unsubscribed_at: datetime | None = None
    version: int = 0


class Tally(DomainModel):
    """Counters of one figure cell (dimension value x period)."""

    model_config = ConfigDict(frozen=True)

    sent: int = 0
    answered: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    csat_answers: int = 0
    csat_satisfied: int = 0  # 4 or 5
    csat_sum: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(**{f: getattr(self, f) + getattr(other, f) for f in Tally.model_fields})

    def __sub__(self, other: Tally) -> Tally:
        return Tally(**{f: getattr(self, f) - getattr(other, f) for f in Tally.model_fields})

    def is_zero(self) -> bool:
        return not any(getattr(self, f) for f in Tally.model_fields)

    @property
    def nps_answers(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def nps(self) -> float | None:
        """% promoters − % detractors, −100..100; None without NPS answers."""
        n = self.nps_answers
        return None if n == 0 else round(100 * (self.promoters - self.detractors) / n, 1)

    @property
    def csat(self) -> float | None:
        """% of CSAT answers that are 4 or 5."""
        return None if self.csat_answers == 0 else round(100 * self.csat_satisfied / self.csat_answers, 1)

    @property
    def response_rate(self) -> float | None:
        return None if self.sent == 0 else round(100 * self.answered / self.sent, 1)


class FigureChange(DomainModel):
    """Counter deltas to apply: (dimension, value, period) -> Tally."""

    cells: dict[tuple[str, str, str], Tally] = Field(default_factory=dict)
