"""One Aho-Corasick automaton (pyahocorasick) per lexicon version: the tenant's terms, the shipped
defaults, their evasions and every allow-list phrase, normalised like review text and searched in
one pass. Built once per container and version (`Matchers`), never per review.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from . import defaults
from .lexicon import Lexicon, usable
from .normalise import EMOJI, HAN, Normalised, char_class, is_han_char, normalise

Source = Literal["default", "tenant", "evasion"]


@dataclass(frozen=True, slots=True)
class Finding:
    """A prohibited term found in a review: `matched` is the original text at [start, end)."""

    term: str
    matched: str
    start: int
    end: int
    severity: str
    category: str
    source: Source


@dataclass(frozen=True, slots=True)
class _Pattern:
    term: str
    length: int
    runs: tuple[int, ...]
    mode: Literal["word", "alone", "anywhere"]
    severity: str
    category: str
    source: Source
    allow: bool


def _runs_match(text_runs: tuple[int, ...], pattern_runs: tuple[int, ...], exact: bool) -> bool:
    """Each character repeated as in the pattern, or (a term, not an allowed phrase) visibly
    stretched: three or more."""
    if exact:
        return text_runs == pattern_runs
    return all(t == p or t >= max(3, p) for t, p in zip(text_runs, pattern_runs, strict=True))


class Matcher:
    def __init__(self, lexicon: Lexicon) -> None:
        import ahocorasick  # first build only

        self.lexicon_version = lexicon.version
        self.skipped: list[str] = []  # listed entries with nothing left to match once normalised
        patterns: dict[str, list[_Pattern]] = {}
        for text, pattern in self._patterns(lexicon):
            patterns.setdefault(text, []).append(pattern)
        automaton = ahocorasick.Automaton()
        for text, found in patterns.items():
            automaton.add_word(text, tuple(found))
        if patterns:
            automaton.make_automaton()
        self._automaton: Any = automaton if patterns else None
        self.size = len(patterns)

    def _patterns(self, lexicon: Lexicon) -> Iterable[tuple[str, _Pattern]]:
        if lexicon.use_defaults:
            for language in sorted(lexicon.languages):
                for entry in defaults.listed_terms(language):
                    if not usable(entry):
                        self.skipped.append(entry)
                        continue
                    anywhere = entry in defaults.ANYWHERE_CHARACTERS
                    yield self._pattern(entry, entry, "anywhere" if anywhere else None,
                                        "high" if anywhere else None, "profanity", "default")
            for variant, term in defaults.EVASIONS.items():
                if ("zh" if any(map(is_han_char, term)) else "en") not in lexicon.languages:
                    continue  # an evasion belongs to the language of the term it stands for
                yield self._pattern(variant, term, None, "low" if variant in defaults.LOW_EVASIONS else "high",
                                    "profanity", "evasion")
            for phrase in defaults.DEFAULT_ALLOW:
                yield self._pattern(phrase, phrase, "anywhere", "low", "allow", "default", allow=True)
        for term in lexicon.terms:
            yield self._pattern(term.text, term.text, term.mode, term.severity, term.category, "tenant")
        for phrase in lexicon.allow:
            yield self._pattern(phrase, phrase, "anywhere", "low", "allow", "tenant", allow=True)

    @staticmethod
    def _pattern(written: str, term: str, mode: str | None, severity: str | None, category: str,
                 source: Source, allow: bool = False) -> tuple[str, _Pattern]:
        normalised = normalise(written)
        text = normalised.text
        han = [char_class(c) == HAN for c in text]
        single_han = len(text) == 1 and han[0] and normalised.runs[0] == 1  # 鸡鸡 is two characters
        if mode is None:
            mode = "anywhere" if (any(han) and len(text) > 1) or char_class(text[0]) == EMOJI else "word"
        if mode == "word" and single_han:
            mode = "alone"
        if severity is None:
            severity = "low" if single_han else "high"
        return text, _Pattern(term, len(text), normalised.runs, mode, severity, category,  # type: ignore[arg-type]
                              source, allow)

    def find(self, normalised: Normalised, original: str) -> list[Finding]:
        if self._automaton is None or not normalised.text:
            return []
        hits: list[tuple[int, int, _Pattern]] = []
        allowed: list[tuple[int, int]] = []
        for last, found in self._automaton.iter(normalised.text):
            for pattern in found:
                start, end = last - pattern.length + 1, last + 1
                if not _runs_match(normalised.runs[start:end], pattern.runs, pattern.allow):
                    continue
                if pattern.mode == "word" and (normalised.is_word(start - 1) or normalised.is_word(end)):
                    continue
                if pattern.mode == "alone" and (normalised.is_han(start - 1) or normalised.is_han(end)):
                    continue
                if pattern.allow:
                    allowed.append((start, end))
                else:
                    hits.append((start, end, pattern))
        kept: list[tuple[int, int, _Pattern]] = []
        runs = normalised.runs
        for start, end, pattern in sorted(hits, key=lambda h: (h[0], -h[1], runs[h[0]:h[1]] != h[2].runs)):
            if any(a <= start and end <= b for a, b in allowed):
                continue
            if any(s <= start and end <= e for s, e, _ in kept):
                continue  # inside a longer match (他妈 within 他妈的), or the same text a closer term took
            kept.append((start, end, pattern))
        findings: dict[tuple[str, int, int], Finding] = {}
        for start, end, pattern in kept:
            first, stop = normalised.span(start, end)
            key = (pattern.term, first, stop)
            if key not in findings:
                findings[key] = Finding(pattern.term, original[first:stop], first, stop, pattern.severity,
                                        pattern.category, pattern.source)
        return list(findings.values())


class Matchers:
    """The container's automata, one per lexicon version (least recently used dropped past `size`)."""

    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._built: OrderedDict[tuple[str, int], Matcher] = OrderedDict()

    def __len__(self) -> int:
        return len(self._built)

    def __contains__(self, key: object) -> bool:
        return key in self._built

    def for_lexicon(self, lexicon: Lexicon) -> Matcher:
        key = lexicon.cache_key
        found = self._built.get(key)
        if found is None:
            found = self._built[key] = Matcher(lexicon)
            while len(self._built) > self._size:
                self._built.popitem(last=False)
        else:
            self._built.move_to_end(key)
        return found
