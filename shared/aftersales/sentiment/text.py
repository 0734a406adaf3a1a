"""Normalisation (NFKC + lower, with a map back to the original offsets) and model features."""

from __future__ import annotations

import re
import unicodedata
from zlib import crc32

# English words that turn the meaning of the words after them, up to the next punctuation mark.
NEGATORS = frozenset({
    "not", "no", "never", "nothing", "nobody", "none", "neither", "nor", "nowhere", "without", "cannot",
    "hardly", "barely", "scarcely", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent", "wont",
    "wouldnt", "couldnt", "shouldnt", "cant", "aint", "havent", "hasnt", "hadnt",
})
_EN_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[!?]|[.,;:]")
_SCOPE_END = frozenset(".,;:!?")
_ZH_DROP = re.compile(r"\s+")


def normalise(text: str) -> tuple[str, list[int]]:
    """NFKC + lower; `offsets[i]` is the index in `text` that normalised character i came from."""
    if unicodedata.is_normalized("NFKC", text):
        folded = text.lower()
        if len(folded) == len(text):
            return folded, list(range(len(text)))
    out: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        piece = unicodedata.normalize("NFKC", char).lower()
        out.append(piece)
        offsets.extend([index] * len(piece))
    return "".join(out), offsets


def normalised(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def bucket(feature: str, bits: int) -> int:
    return crc32(feature.encode("utf-8")) & ((1 << bits) - 1)


def zh_features(text: str, bits: int) -> set[int]:
    """Hashed character 1-3-grams of the normalised text, whitespace removed, with edge marks.

    Each character is 4 bytes of UTF-32, so an n-gram is a byte slice and hashing needs no encoding.
    """
    data = ("^" + _ZH_DROP.sub("", normalised(text)) + "$").encode("utf-32-le")
    mask = (1 << bits) - 1
    size = len(data)
    return {crc32(data[i:j]) & mask for i in range(0, size, 4) for j in (i + 4, i + 8, i + 12) if j <= size}


def en_tokens(text: str) -> list[str]:
    """Word tokens with apostrophes dropped ("don't" -> "dont"); negated words carry a "~" prefix."""
    tokens: list[str] = []
    negated = False
    for raw in _EN_TOKEN.findall(normalised(text).replace("\u2019", "'")):
        if raw in _SCOPE_END:
            negated = False
            tokens.append(raw)
            continue
        word = raw.replace("'", "")
        if word in NEGATORS or raw.endswith("n't"):
            negated = True
            tokens.append(word)
            continue
        tokens.append("~" + word if negated else word)
    return tokens


def en_features(tokens: list[str], bits: int) -> set[int]:
    """Hashed word unigrams (negation marked) and bigrams."""
    mask = (1 << bits) - 1
    found = {crc32(b"^") & mask}
    for i, token in enumerate(tokens):
        found.add(crc32(token.encode("utf-8")) & mask)
        if i + 1 < len(tokens):
            found.add(crc32(f"{token} {tokens[i + 1]}".encode()) & mask)
    return found


def lexicon_features(tokens: list[str], lexicon: dict[str, float]) -> tuple[float, float]:
    """Sums of positive and negative lexicon valence (negated words flip, as VADER's -0.74), scaled to ~[0, 1]."""
    positive = negative = 0.0
    for token in tokens:
        negated = token.startswith("~")
        valence = lexicon.get(token[1:] if negated else token)
        if valence is None:
            continue
        if negated:
            valence *= -0.74
        if valence > 0:
            positive += valence
        else:
            negative -= valence
    return positive / 4.0, negative / 4.0
