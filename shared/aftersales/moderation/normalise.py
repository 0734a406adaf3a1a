"""Review text as the matcher sees it, with the way back to the original characters.

Steps, in order:
* NFKC (full-width letters and digits, compatibility forms), diacritics off Latin letters, casefold;
* Traditional -> Simplified Chinese (OpenCC `t2s`, phrase-aware; per character where a phrase
  would change the length);
* zero-width, format and combining characters dropped;
* separators (spaces, punctuation, symbols) dropped between two Chinese characters, inside a word
  ("fu.ck", "s-h-i-t") and between single-character tokens ("f u c k"); elsewhere one space;
* runs of one character collapsed to one, each kept with its run length (`runs`), so that a match
  can still tell "ass" from "as" and "fuuuck" from "fuck".

`origin[i]` / `until[i]` is the span [start, end) of the original text that normalised character i
comes from, so findings are reported against what the customer wrote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

VERSION = 1

HAN, WORD, EMOJI, SEP, GONE = 0, 1, 2, 3, 4
_DROPPED = frozenset({"Cf", "Mn", "Me", "Cs", "Co", "Cn"})
_SINGLES = re.compile(r"(?<!\S)\S(?: \S(?!\S))+")


@dataclass(frozen=True, slots=True)
class Normalised:
    text: str
    runs: tuple[int, ...]
    origin: tuple[int, ...]
    until: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of normalised characters [start, end)."""
        return self.origin[start], self.until[end - 1]

    def is_word(self, i: int) -> bool:
        return 0 <= i < len(self.text) and char_class(self.text[i]) == WORD

    def is_han(self, i: int) -> bool:
        return 0 <= i < len(self.text) and char_class(self.text[i]) == HAN


def is_han_char(ch: str) -> bool:
    cp = ord(ch)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x3FFFF
            or 0xF900 <= cp <= 0xFAFF or 0x3100 <= cp <= 0x312F or 0x3005 <= cp <= 0x3007)


_CLASSES: dict[str, int] = {}


def char_class(ch: str) -> int:
    found = _CLASSES.get(ch)
    if found is None:
        found = _CLASSES[ch] = _classify(ch)
    return found


def _classify(ch: str) -> int:
    if is_han_char(ch):
        return HAN
    if ch.isalnum():
        return WORD
    category = unicodedata.category(ch)
    if category in _DROPPED:
        return GONE
    if ord(ch) >= 0x1F000:
        return EMOJI
    return SEP


_FOLDED: dict[str, str] = {}


def _fold(ch: str) -> str:
    if unicodedata.category(ch) == "Cs":
        return ""  # a lone surrogate (valid in JSON "\\ud800", not in UTF-8): nothing to match
    out = []
    for c in unicodedata.normalize("NFKC", ch):
        parts = unicodedata.normalize("NFD", c)
        if len(parts) > 1 and parts[0].isascii() and parts[0].isalpha():
            c = parts[0]  # é -> e, ü -> u (the marks are Mn)
        out.append(c)
    return "".join(out).casefold()


@cache
def _converter() -> Any:
    import opencc  # first use only: the C++ dictionaries load once per container

    return opencc.OpenCC("t2s")


_SIMPLIFIED: dict[str, str] = {}


def _simplified(ch: str) -> str:
    found = _SIMPLIFIED.get(ch)
    if found is None:
        converted = _converter().convert(_converter().convert(ch))
        found = _SIMPLIFIED[ch] = converted if len(converted) == 1 else ch
    return found


def _to_simplified(text: str) -> str:
    """Twice where the first pass changed something: a few of OpenCC's mappings chain (薴 -> 苧 -> 苎)."""
    for _ in range(2):
        converted = _converter().convert(text)
        if converted == text:
            break
        text = converted if len(converted) == len(text) else "".join(_simplified(c) for c in text)
    return text


def normalise(text: str) -> Normalised:
    chars: list[str] = []
    sources: list[int] = []
    for i, c in enumerate(text):
        folded = _FOLDED.get(c)
        if folded is None:
            folded = _FOLDED[c] = _fold(c)
        if len(folded) == 1:
            chars.append(folded)
            sources.append(i)
        else:
            for f in folded:
                chars.append(f)
                sources.append(i)
    flat = "".join(chars)
    if flat and max(flat) >= "\u3000":
        flat = _to_simplified(flat)
    return _squeeze(flat, sources)


def _squeeze(flat: str, sources: list[int]) -> Normalised:
    out: list[str] = []
    runs: list[int] = []
    origin: list[int] = []
    until: list[int] = []
    previous = -1  # class of the last kept character
    gap = False  # separators since it
    spaced = False  # ... among them whitespace
    classes = _CLASSES
    for ch, source in zip(flat, sources, strict=True):
        k = classes.get(ch)
        if k is None:
            k = char_class(ch)
        if k == SEP:
            if previous >= 0:
                gap = True
                spaced = spaced or ch.isspace()
            continue
        if k == GONE:
            continue
        if gap:
            gap = False
            if not ((k == HAN and previous == HAN) or (k == WORD and previous == WORD and not spaced)):
                out.append(" ")
                runs.append(1)
                origin.append(until[-1])
                until.append(source)
            spaced = False
        if out and out[-1] == ch:
            runs[-1] += 1
            until[-1] = source + 1
        else:
            out.append(ch)
            runs.append(1)
            origin.append(source)
            until.append(source + 1)
        previous = k
    text = "".join(out)
    if " " in text and _SINGLES.search(text):
        return _join_singles(text, runs, origin, until)
    return Normalised(text, tuple(runs), tuple(origin), tuple(until))


def _join_singles(text: str, runs: list[int], origin: list[int], until: list[int]) -> Normalised:
    """'f u c k' -> 'fuck': drop the spaces between single-character tokens, then collapse again."""
    drop: set[int] = set()
    for found in _SINGLES.finditer(text):
        drop.update(i for i in range(found.start(), found.end()) if text[i] == " ")
    out: list[str] = []
    new_runs: list[int] = []
    new_origin: list[int] = []
    new_until: list[int] = []
    for i, ch in enumerate(text):
        if i in drop:
            continue
        if out and out[-1] == ch:
            new_runs[-1] += runs[i]
            new_until[-1] = until[i]
        else:
            out.append(ch)
            new_runs.append(runs[i])
            new_origin.append(origin[i])
            new_until.append(until[i])
    return Normalised("".join(out), tuple(new_runs), tuple(new_origin), tuple(new_until))
