"""The tenant's knowledge base: staff keep entries (several phrasings of a question, the answer per
locale, tags); the bot matches messages against them. The entries and the matcher built over them
(with the built-in intents' phrasings) are cached per tenant in the container for `ttl` seconds,
like the integration settings; a write through this container refreshes its own copy at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from aftersales.answers.intents import builtin_phrasings
from aftersales.answers.matching import Matcher
from aftersales.answers.model import (
    KB_PREFIX,
    MAX_ANSWER,
    MAX_ENTRIES,
    MAX_QUESTION,
    MAX_QUESTIONS,
    MAX_TAG,
    MAX_TAGS,
    KbEntry,
)
from aftersales.answers.ports import KnowledgeStore
from aftersales.core.clock import Clock, iso
from aftersales.core.errors import Conflict, InvalidRequest, NotFound, PreconditionFailed
from aftersales.core.i18n import SUPPORTED
from aftersales.core.ids import new_id

DEFAULT_TTL_SECONDS = 60.0


@dataclass(frozen=True)
class EntryChanges:
    questions: list[str]
    answers: dict[str, str]
    tags: list[str]
    enabled: bool = True


@dataclass(frozen=True)
class Knowledge:
    """One tenant's entries and the matcher over them plus the built-in intents."""

    entries: dict[str, KbEntry]
    matcher: Matcher


def _clean(changes: EntryChanges) -> EntryChanges:
    questions = [" ".join(q.split()) for q in changes.questions]
    if not questions or len(questions) > MAX_QUESTIONS:
        raise InvalidRequest("knowledge.text_empty", field="questions")
    for index, question in enumerate(questions):
        if not question or len(question) > MAX_QUESTION:
            raise InvalidRequest("knowledge.text_empty", field=f"questions[{index}]")
    if not changes.answers:
        raise InvalidRequest("knowledge.text_empty", field="answers")
    answers: dict[str, str] = {}
    for locale, text in changes.answers.items():
        if locale not in SUPPORTED:
            raise InvalidRequest("knowledge.locale_unsupported", field=f"answers.{locale}", locale=locale)
        if not text.strip() or len(text) > MAX_ANSWER:
            raise InvalidRequest("knowledge.text_empty", field=f"answers.{locale}")
        answers[locale] = text.strip()
    tags = list(dict.fromkeys(t.strip().lower() for t in changes.tags))
    if len(tags) > MAX_TAGS or any(not t or len(t) > MAX_TAG for t in tags):
        raise InvalidRequest("knowledge.text_empty", field="tags")
    return EntryChanges(questions=questions, answers=answers, tags=tags, enabled=changes.enabled)


class KnowledgeBase:
    def __init__(self, store: KnowledgeStore, clock: Clock, *, ttl: float = DEFAULT_TTL_SECONDS,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._store, self._clock, self._ttl, self._monotonic = store, clock, ttl, monotonic
        self._cached: dict[str, tuple[float, Knowledge]] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ staff: CRUD
    def list(self, tenant_id: str) -> list[KbEntry]:
        return sorted(self._store.entries(tenant_id), key=lambda e: e.entry_id)

    def get(self, tenant_id: str, entry_id: str) -> KbEntry:
        entry = self._store.get(tenant_id, entry_id)
        if entry is None:
            raise NotFound("knowledge.entry_not_found", entry_id=entry_id)
        return entry

    def create(self, tenant_id: str, changes: EntryChanges) -> KbEntry:
        clean = _clean(changes)
        if len(self._store.entries(tenant_id)) >= MAX_ENTRIES:
            raise Conflict("knowledge.too_many_entries", limit=MAX_ENTRIES)
        now = self._clock.now()
        entry = KbEntry(entry_id=new_id("kb", now), questions=clean.questions, answers=clean.answers,
                        tags=clean.tags, enabled=clean.enabled, created_at=iso(now), updated_at=iso(now))
        self._store.put(tenant_id, entry, None)
        self._forget(tenant_id)
        return entry

    def replace(self, tenant_id: str, entry_id: str, changes: EntryChanges, if_match: int | None) -> KbEntry:
        """The entry's questions, answers, tags and flag replaced; `if_match` (the ETag's version) makes
        a concurrent edit a 412 instead of a lost update."""
        clean = _clean(changes)
        current = self.get(tenant_id, entry_id)
        if if_match is not None and if_match != current.version:
            raise PreconditionFailed("error.version_mismatch", expected=if_match, current=current.version)
        entry = current.model_copy(update={"questions": clean.questions, "answers": clean.answers,
                                           "tags": clean.tags, "enabled": clean.enabled,
                                           "updated_at": iso(self._clock.now()), "version": current.version + 1})
        self._store.put(tenant_id, entry, current.version)
        self._forget(tenant_id)
        return entry

    def delete(self, tenant_id: str, entry_id: str) -> None:
        if not self._store.delete(tenant_id, entry_id):
            raise NotFound("knowledge.entry_not_found", entry_id=entry_id)
        self._forget(tenant_id)

    # ------------------------------------------------------------------ the bot: cached knowledge
    def knowledge(self, tenant_id: str) -> Knowledge:
        """The tenant's enabled entries and the matcher over them (one Query per `ttl`)."""
        now = self._monotonic()
        with self._lock:
            cached = self._cached.get(tenant_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        entries = {e.entry_id: e for e in self._store.entries(tenant_id) if e.enabled}
        phrasings = builtin_phrasings() + [(KB_PREFIX + e.entry_id, q) for e in entries.values() for q in e.questions]
        built = Knowledge(entries=entries, matcher=Matcher(phrasings))
        if self._ttl > 0:
            with self._lock:
                self._cached[tenant_id] = (now + self._ttl, built)
        return built

    def _forget(self, tenant_id: str) -> None:
        with self._lock:
            self._cached.pop(tenant_id, None)
