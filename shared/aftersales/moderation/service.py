"""Moderation use cases: moderate one review's text (the reviews context's consumer calls it),
screen a text against a lexicon without storing anything, and edit / publish a tenant's lexicon.

A tenant's published lexicon is read at most once per `refresh` per container; its automaton is
built once per version (matcher.Matchers). A publish therefore takes effect within `refresh`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aftersales.core.clock import Clock
from aftersales.core.drafts import Drafts
from aftersales.core.errors import InvalidRequest

from . import duplicates, normalise
from .duplicates import DuplicateOf, MinHasher, closest
from .lexicon import Lexicon, default_lexicon
from .matcher import Finding, Matcher, Matchers
from .ports import LexiconStore, SignatureIndex
from .verdict import DEFAULT_POLICY, Policy, Signals, Verdict, decide

MAX_TEXT = 5000


@dataclass(frozen=True, slots=True)
class Moderation:
    verdict: Verdict
    findings: tuple[Finding, ...]
    duplicate_of: DuplicateOf | None
    lexicon_version: int
    normaliser_version: int = normalise.VERSION
    signature_version: int = duplicates.VERSION

    def to_json(self) -> dict[str, Any]:
        """What a review keeps of its moderation (the reasons name terms; no personal data)."""
        return {**self.verdict.to_json(),
                "findings": [{"term": f.term, "matched": f.matched, "start": f.start, "end": f.end,
                              "severity": f.severity, "category": f.category, "source": f.source}
                             for f in self.findings],
                "duplicate_of": (None if self.duplicate_of is None else
                                 {"review_id": self.duplicate_of.review_id,
                                  "similarity": self.duplicate_of.similarity}),
                "lexicon_version": self.lexicon_version, "normaliser_version": self.normaliser_version,
                "signature_version": self.signature_version}


class ModerationService:
    def __init__(self, lexicons: LexiconStore, signatures: SignatureIndex, clock: Clock,
                 matchers: Matchers | None = None, hasher: MinHasher | None = None,
                 policy: Policy = DEFAULT_POLICY, refresh: timedelta = timedelta(seconds=60)) -> None:
        self._drafts = Drafts(lexicons, Lexicon.model_validate, default_lexicon, "moderation.no_draft")
        self._signatures = signatures
        self._clock = clock
        self._matchers = matchers or Matchers()
        self._hasher = hasher
        self._policy = policy
        self._refresh = refresh
        self._current: dict[str, tuple[Lexicon, datetime]] = {}

    # ------------------------------------------------------------------ review text
    def moderate(self, tenant_id: str, review_id: str, text: str, signals: Signals) -> Moderation:
        """Checks the text, records its signature for later reviews of the tenant, and decides."""
        _bounded(text)
        lexicon = self._lexicon(tenant_id)
        normalised = normalise.normalise(text)
        findings = self._matchers.for_lexicon(lexicon).find(normalised, text)
        duplicate = None
        signature = self._minhash().signature(normalised.text)
        if signature is not None:
            candidates = self._signatures.candidates(tenant_id, signature.bands)
            duplicate = closest(signature, candidates, review_id)
            self._signatures.put(tenant_id, review_id, signature, self._clock.now())
        verdict = decide(findings, duplicate, signals, self._policy)
        return Moderation(verdict, tuple(findings), duplicate, lexicon.version)

    def screen(self, tenant_id: str, text: str, draft: bool = False) -> list[Finding]:
        """Prohibited terms in a text under the published lexicon (or the draft): nothing is stored."""
        _bounded(text)
        # a draft changes under its version number: built for this call, never cached
        matcher = Matcher(self._drafts.draft(tenant_id)[0]) if draft else self._matchers.for_lexicon(
            self._lexicon(tenant_id))
        return matcher.find(normalise.normalise(text), text)

    # ------------------------------------------------------------------ lexicon
    def lexicon(self, tenant_id: str) -> Lexicon:
        return self._drafts.published(tenant_id)

    def draft(self, tenant_id: str) -> tuple[Lexicon, int]:
        return self._drafts.draft(tenant_id)

    def put_draft(self, tenant_id: str, document: dict[str, Any], expected_revision: int | None
                  ) -> tuple[Lexicon, int]:
        """Validates (pydantic ValidationError for the route to map) and stores the draft."""
        return self._drafts.put_draft(tenant_id, document, expected_revision)

    def publish(self, tenant_id: str) -> Lexicon:
        published = self._drafts.publish(tenant_id)
        self._current[tenant_id] = (published, self._clock.now())
        return published

    def _lexicon(self, tenant_id: str) -> Lexicon:
        now = self._clock.now()
        cached = self._current.get(tenant_id)
        if cached is None or now - cached[1] >= self._refresh:
            cached = self._current[tenant_id] = (self._drafts.published(tenant_id), now)
        return cached[0]

    def _minhash(self) -> MinHasher:
        if self._hasher is None:
            self._hasher = MinHasher()
        return self._hasher


def _bounded(text: str) -> None:
    if len(text) > MAX_TEXT:
        raise InvalidRequest("moderation.text_too_long", field="text", max=MAX_TEXT)
