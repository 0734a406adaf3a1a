"""The surveys context's ports over dicts, with the DynamoDB adapter's rules: a survey is created
once (conditional on its id), a save is conditional on the survey's version (and the contact
history's, written in the same transaction), the due index holds (tenant, survey) per bucket and a
survey sits in at most one bucket, figure counters move by deltas."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from aftersales.core.errors import ConcurrentModification
from aftersales.notifications.errors import RecipientUnreachable
from aftersales.surveys.model import ContactHistory, FigureChange, Survey, SurveyRules, Tally


def _conflict() -> ConcurrentModification:
    return ConcurrentModification("error.concurrent_modification")


class InMemorySurveyStore:
    def __init__(self) -> None:
        self.surveys: dict[tuple[str, str], Survey] = {}
        self.by_ticket: dict[tuple[str, str], str] = {}
        self.index: dict[tuple[str, str], str] = {}  # (tenant, survey) -> bucket
        self.histories: dict[tuple[str, str], ContactHistory] = {}
        self.tenant_settings: dict[str, SurveyRules] = {}
        self.counters: dict[tuple[str, str, str, str], Tally] = {}
        self.cursor: datetime | None = None
        self.bucket_reads = 0

    def __len__(self) -> int:
        return len(self.surveys)

    def __contains__(self, survey_id: object) -> bool:
        return any(key[1] == survey_id for key in self.surveys)

    def settings(self, tenant_id: str) -> SurveyRules:
        return self.tenant_settings.get(tenant_id) or SurveyRules(tenant_id=tenant_id)

    def save_settings(self, settings: SurveyRules) -> None:
        self.tenant_settings[settings.tenant_id] = settings

    def create(self, survey: Survey, bucket: str) -> bool:
        key = (survey.tenant_id, survey.survey_id)
        if key in self.surveys:
            return False
        self.surveys[key] = survey
        self.index[key] = bucket
        if survey.ticket_id:
            self.by_ticket[(survey.tenant_id, survey.ticket_id)] = survey.survey_id
        return True

    def get(self, tenant_id: str, survey_id: str) -> Survey | None:
        return self.surveys.get((tenant_id, survey_id))

    def for_ticket(self, tenant_id: str, ticket_id: str) -> Survey | None:
        survey_id = self.by_ticket.get((tenant_id, ticket_id))
        return self.surveys.get((tenant_id, survey_id)) if survey_id else None

    def due_in_bucket(self, bucket: str) -> Iterator[tuple[str, str]]:
        self.bucket_reads += 1
        return iter(sorted(key for key, b in self.index.items() if b == bucket))

    def save(self, survey: Survey, expected_version: int, bucket: str | None, *,
             history: ContactHistory | None = None, figures: FigureChange | None = None) -> Survey:
        key = (survey.tenant_id, survey.survey_id)
        stored = self.surveys.get(key)
        if stored is None or stored.version != expected_version:
            raise _conflict()
        if history is not None:
            current = self.history(history.tenant_id, history.customer_id)
            if current.version != history.version:
                raise _conflict()
        saved = survey.model_copy(update={"version": expected_version + 1})
        self.surveys[key] = saved
        if bucket is None:
            self.index.pop(key, None)
        else:
            self.index[key] = bucket
        if history is not None:
            self.histories[(history.tenant_id, history.customer_id)] = history.model_copy(
                update={"version": history.version + 1})
        for (dimension, value, period), delta in (figures.cells.items() if figures else ()):
            cell = (survey.tenant_id, dimension, period, value)
            self.counters[cell] = self.counters.get(cell, Tally()) + delta
        return saved

    def history(self, tenant_id: str, customer_id: str) -> ContactHistory:
        return self.histories.get((tenant_id, customer_id)) or ContactHistory(tenant_id=tenant_id,
                                                                               customer_id=customer_id)

    def save_history(self, history: ContactHistory) -> ContactHistory:
        if self.history(history.tenant_id, history.customer_id).version != history.version:
            raise _conflict()
        saved = history.model_copy(update={"version": history.version + 1})
        self.histories[(history.tenant_id, history.customer_id)] = saved
        return saved

    def figures(self, tenant_id: str, dimension: str, period: str) -> dict[str, Tally]:
        return {value: tally for (t, d, p, value), tally in sorted(self.counters.items())
                if (t, d, p) == (tenant_id, dimension, period)}

    def last_swept(self) -> datetime | None:
        return self.cursor

    def set_last_swept(self, at: datetime) -> None:
        self.cursor = at


class InMemoryContacts:
    def __init__(self) -> None:
        self.book: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}

    def __len__(self) -> int:
        return len(self.book)

    def __contains__(self, customer_id: object) -> bool:
        return any(key[1] == customer_id for key in self.book)

    def put(self, tenant_id: str, customer_id: str, channel: str, contact: dict[str, Any]) -> None:
        self.book.setdefault((tenant_id, customer_id), {})[channel] = contact

    def contacts(self, tenant_id: str, customer_id: str) -> dict[str, dict[str, Any]]:
        return dict(self.book.get((tenant_id, customer_id), {}))


class RecordingSender:
    """A channel that records what it was given; `unreachable` addresses are refused for good,
    `failing` makes every send raise (a provider outage)."""

    def __init__(self, *, unreachable: frozenset[str] = frozenset(), failing: bool = False) -> None:
        self.sent: list[dict[str, Any]] = []
        self.unreachable = unreachable
        self.failing = failing

    def __len__(self) -> int:
        return len(self.sent)

    def __contains__(self, address: object) -> bool:
        return any(m["address"] == address for m in self.sent)

    def ready(self, tenant_id: str) -> bool:
        return True

    def send(self, tenant_id: str, contact: Mapping[str, Any], subject: str, body: str, *,
             idempotency_key: str) -> str:
        if self.failing:
            raise RuntimeError("provider unavailable")
        if contact["address"] in self.unreachable:
            raise RecipientUnreachable("error.recipient_unreachable", reason="address_rejected")
        self.sent.append({"tenant_id": tenant_id, "address": contact["address"], "subject": subject, "body": body,
                          "key": idempotency_key})
        return f"msg-{len(self.sent)}"


class WordSentiment:
    """Negative when the text holds one of `negative_words` (cause "service"), else positive."""

    def __init__(self, negative_words: frozenset[str] = frozenset({"slow", "慢", "bad", "差"})) -> None:
        self.negative_words = negative_words
        self.calls: list[str] = []

    def __len__(self) -> int:
        return len(self.calls)

    def __contains__(self, text: object) -> bool:
        return text in self.calls

    def analyse(self, texts):
        from aftersales.sentiment.model import Cause, Polarity, SentimentResult

        self.calls += list(texts)
        negative = SentimentResult("en", Polarity.NEGATIVE, 0.9, "words-1", (Cause("service", ()),))
        positive = SentimentResult("en", Polarity.POSITIVE, 0.8, "words-1")
        return [negative if any(w in t for w in self.negative_words) else positive for t in texts]
