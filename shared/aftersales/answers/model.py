"""The automatic-answers context's entities (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ConfigDict, Field

from aftersales.core.model import DomainModel

# Intents whose answer is computed from the customer's own ticket (message ids answers.<intent>.*)
REFUND_STATUS = "refund_status"
RETURN_ARRIVAL = "return_arrival"
RESHIPMENT_STATUS = "reshipment_status"
TICKET_STATUS = "ticket_status"
COMPUTED_INTENTS = (REFUND_STATUS, RETURN_ARRIVAL, RESHIPMENT_STATUS, TICKET_STATUS)
HANDOFF = "handoff"  # the customer asked for a person, or the bot may not answer this
KB_PREFIX = "kb:"  # a knowledge-base entry's intent is kb:<entry id>
MODEL_VERSION = "answers-tfidf-char-2026-12-03"

MAX_QUESTIONS = 20
MAX_QUESTION = 200
MAX_ANSWER = 2000
MAX_TAGS = 10
MAX_TAG = 40
MAX_ENTRIES = 500  # per tenant: one cached list, one matcher index


class KbEntry(DomainModel):
    """One knowledge-base entry of a tenant: several phrasings of a question, its answer per locale."""

    model_config = ConfigDict(frozen=True)

    entry_id: str
    questions: list[str] = Field(min_length=1, max_length=MAX_QUESTIONS)
    answers: dict[str, str] = Field(min_length=1)
    tags: list[str] = []
    enabled: bool = True
    created_at: str
    updated_at: str
    version: int = 1


@dataclass(frozen=True)
class Match:
    """The matcher's best guess for one message."""

    intent: str | None  # a computed intent, kb:<entry id>, or None (nothing close)
    confidence: float  # 0..1, the cosine similarity of the best phrasing
    runner_up: float = 0.0  # the best score of any other intent
    cue: str | None = None  # why it must go to a person: person_requested | needs_person


@dataclass(frozen=True)
class Reply:
    """A computed or knowledge-base answer in one locale (`params` already filled in)."""

    message_id: str  # the template's message id, or kb:<entry id>
    body: str
    locale: str


@dataclass(frozen=True)
class Decision:
    """What the bot did with one inbound message."""

    answered: bool
    intent: str | None
    confidence: float
    reason: str  # answered | person_requested | needs_person | low_confidence | ambiguous | not_supported |
    #              no_answer_in_locale | closed
    locale: str
    suggested: Reply | None = None
    data: dict[str, object] = field(default_factory=dict)
