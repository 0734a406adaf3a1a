"""What the survey service needs from outside."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from aftersales.dispatch.model import Agent
from aftersales.sentiment.model import SentimentResult
from aftersales.tickets.domain import Actor, OpenTicket, Ticket
from aftersales.tickets.ports import StoredOrder

from .model import ContactHistory, FigureChange, Survey, SurveyRules, Tally


class SurveyStore(Protocol):
    """Surveys with their due index (a sparse GSI keyed by time bucket), each customer's contact
    history, the tenant's settings, the figure counters and the sweep's cursor."""

    def settings(self, tenant_id: str) -> SurveyRules:
        """The tenant's settings, or the defaults when it saved none."""
        ...

    def save_settings(self, settings: SurveyRules) -> None: ...

    def create(self, survey: Survey, bucket: str) -> bool:
        """Stores a new survey (version 1) indexed under `bucket`, and points its ticket (if any) at it;
        False when a survey with this id exists (a redelivered trigger)."""
        ...

    def get(self, tenant_id: str, survey_id: str) -> Survey | None: ...

    def for_ticket(self, tenant_id: str, ticket_id: str) -> Survey | None:
        """The ticket's latest survey."""
        ...

    def due_in_bucket(self, bucket: str) -> Iterator[tuple[str, str]]:
        """(tenant, survey id) of the surveys indexed under `bucket`."""
        ...

    def save(self, survey: Survey, expected_version: int, bucket: str | None, *,
             history: ContactHistory | None = None, figures: FigureChange | None = None) -> Survey:
        """Writes `survey` at expected_version + 1 (indexed under `bucket`, None = out of the index),
        with `history` at its version + 1 and the figure counters moved by `figures`, in one
        transaction; ConcurrentModification when the survey or the history moved on."""
        ...

    def history(self, tenant_id: str, customer_id: str) -> ContactHistory: ...

    def save_history(self, history: ContactHistory) -> ContactHistory:
        """Writes the history at its version + 1; ConcurrentModification when it moved on."""
        ...

    def figures(self, tenant_id: str, dimension: str, period: str) -> dict[str, Tally]:
        """The counters of every value of `dimension` in `period` (one query)."""
        ...

    def last_swept(self) -> datetime | None: ...

    def set_last_swept(self, at: datetime) -> None: ...


class Contacts(Protocol):
    def contacts(self, tenant_id: str, customer_id: str) -> dict[str, dict[str, Any]]:
        """channel -> contact (`address`, `locale`, optional `time_zone`)."""
        ...


class SurveySender(Protocol):
    """A notification channel (the notifications context's senders: SES e-mail, WeCom)."""

    def ready(self, tenant_id: str) -> bool: ...

    def send(self, tenant_id: str, contact: Mapping[str, Any], subject: str, body: str, *,
             idempotency_key: str) -> str: ...


class Tickets(Protocol):
    def get(self, tenant_id: str, ticket_id: str, actor: Actor) -> Ticket: ...

    def open(self, tenant_id: str, request: OpenTicket, actor: Actor) -> Ticket: ...

    def assign(self, tenant_id: str, ticket_id: str, assignee_id: str, actor: Actor, *,
               reason: str | None = None, expected_version: int | None = None) -> Ticket: ...

    def note(self, tenant_id: str, ticket_id: str, event: str, actor: Actor, *,
             reason: str | None = None, data: dict[str, Any] | None = None) -> Ticket: ...


class Orders(Protocol):
    def get_order(self, tenant_id: str, order_id: str) -> StoredOrder | None: ...


class Staff(Protocol):
    """The dispatch context's agents (team and supervisor flag)."""

    def agents(self, tenant_id: str) -> list[tuple[Agent, frozenset[str]]]: ...


class SentimentAnalyzer(Protocol):
    def analyse(self, texts: Sequence[str]) -> list[SentimentResult]: ...


class FollowUpOpener(Protocol):
    def open_follow_up(self, survey: Survey, reason: str, settings: SurveyRules) -> str:
        """The id of the follow-up ticket of an unhappy answer (opened, or the one opened before)."""
        ...
