"""Moderation use cases: moderate one review's text (the reviews context's consumer calls it),
screen a text against a lexicon without storing anything, and edit / publish / roll back a tenant's
moderation settings (its lexicon and verdict tuning, one versioned document).

A tenant's published settings are read at most once per `refresh` per container; the automaton is
built once per version (matcher.Matchers) and the tuned verdict policy once per read. A publish or
roll back therefore takes effect within `refresh` everywhere, at once in the container that made it.
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
from .lexicon import LEXICON, Lexicon
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
        self._drafts = Drafts(lexicons, LEXICON)
        self._signatures = signatures
        self._clock = clock
        self._matchers = matchers or Matchers()
        self._hasher = hasher
        self._policy = policy
        self._refresh = refresh
        self._current: dict[str, tuple[Lexicon, Policy, datetime]] = {}

    # ------------------------------------------------------------------ review text
    def moderate(self, tenant_id: str, review_id: str, text: str, signals: Signals) -> Moderation:
        """Checks the text, records its signature for later reviews of the tenant, and decides."""
        _bounded(text)
        lexicon, policy = self._settings(tenant_id)
        normalised = normalise.normalise(text)
        findings = self._matchers.for_lexicon(lexicon).find(normalised, text)
        duplicate = None
        signature = self._minhash().signature(normalised.text)
        if signature is not None:
            candidates = self._signatures.candidates(tenant_id, signature.bands)
            duplicate = closest(signature, candidates, review_id)
            self._signatures.put(tenant_id, review_id, signature, self._clock.now())
        verdict = decide(findings, duplicate, signals, policy)
        return Moderation(verdict, tuple(findings), duplicate, lexicon.version)

    def screen(self, tenant_id: str, text: str, draft: bool = False) -> list[Finding]:
        """Prohibited terms in a text under the published lexicon (or the draft): nothing is stored."""
        _bounded(text)
        # a draft changes under its version number: built for this call, never cached
        matcher = Matcher(self._drafts.draft(tenant_id)[0]) if draft else self._matchers.for_lexicon(
            self._settings(tenant_id)[0])
        return matcher.find(normalise.normalise(text), text)

    def trial(self, tenant_id: str, text: str, signals: Signals, draft: bool = True) -> Moderation:
        """What the draft (or the published settings) would decide on a text and signals, without the
        duplicate check: nothing is stored."""
        _bounded(text)
        if draft:
            lexicon = self._drafts.draft(tenant_id)[0]
            matcher, policy = Matcher(lexicon), lexicon.verdict.apply(self._policy)
        else:
            lexicon, policy = self._settings(tenant_id)
            matcher = self._matchers.for_lexicon(lexicon)
        findings = matcher.find(normalise.normalise(text), text)
        return Moderation(decide(findings, None, signals, policy), tuple(findings), None, lexicon.version)

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
        return self._remember(self._drafts.publish(tenant_id))

    def lexicon_version(self, tenant_id: str, version: int) -> Lexicon:
        return self._drafts.version(tenant_id, version)

    def lexicon_versions(self, tenant_id: str, limit: int) -> list[int]:
        return self._drafts.versions(tenant_id, limit)

    def roll_back(self, tenant_id: str, version: int) -> Lexicon:
        """Publishes a copy of an earlier version (0: the shipped defaults) as the next version."""
        return self._remember(self._drafts.roll_back(tenant_id, version))

    def policy(self, tenant_id: str) -> Policy:
        """The verdict policy the tenant's reviews are decided with now."""
        return self._settings(tenant_id)[1]

    def _remember(self, published: Lexicon) -> Lexicon:
        self._current[published.tenant_id] = (published, published.verdict.apply(self._policy), self._clock.now())
        return published

    def _settings(self, tenant_id: str) -> tuple[Lexicon, Policy]:
        cached = self._current.get(tenant_id)
        if cached is None or self._clock.now() - cached[2] >= self._refresh:
            self._remember(self._drafts.published(tenant_id))
            cached = self._current[tenant_id]
        return cached[0], cached[1]

    def _minhash(self) -> MinHasher:
        if self._hasher is None:
            self._hasher = MinHasher()
        return self._hasher


def _bounded(text: str) -> None:
    if len(text) > MAX_TEXT:
        raise InvalidRequest("moderation.text_too_long", field="text", max=MAX_TEXT)
