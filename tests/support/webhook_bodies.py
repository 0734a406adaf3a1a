"""Hypothesis strategies for webhook bodies: the providers' real payloads (tests/fixtures), mutated.

A mutation replaces a value somewhere in the document (huge and negative numbers, 5,000-character
strings, non-ASCII digits, control characters, arrays, objects, null, NaN), deletes a key, or drops
the whole document for another JSON shape; `raw_bodies` adds what is not JSON at all (non-UTF-8
bytes, truncated text). The caller signs whatever comes out with the provider's real scheme.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

LONG_CHARS = ("A", "9", "٣", "界", "\u202e", "\x00", "/")
NASTY_NUMBERS = (99999999999999, 99999999999999999999, 10**30, -(10**30), -1, 0, 2**63, 2**64 + 1,
                 253402300800, -62135596801, 1.5e308, 1e-320)
NASTY_STRINGS = ("", " ", "null", "NaN", "١٢٣٤٥٦٧٨٩٠", "９９９９", "²³", "𝟗𝟗", "9" * 40, "2026-13-45T25:61:00Z",
                 "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "\udcff", "<xml>", "]]>",
                 "\ufeff{}", "%s%n", "../../etc/passwd")


def long_strings() -> st.SearchStrategy[str]:
    return st.builds(lambda char, n: char * n, st.sampled_from(LONG_CHARS), st.integers(1_000, 6_000))


def scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(NASTY_NUMBERS), st.sampled_from(NASTY_STRINGS), long_strings(),
        st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(),
        st.text(max_size=40),
    )


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    return st.recursive(scalars(), lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
        max_leaves=max_leaves)


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            out += _paths(value, (*prefix, index))
    return out


def _apply(doc: Any, path: tuple, op: str, value: Any) -> Any:
    if not path:
        return value if op == "set" else doc
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    if op == "delete" and isinstance(parent, dict):
        del parent[path[-1]]
    elif op == "delete" and isinstance(parent, list):
        parent.pop(path[-1])
    else:
        parent[path[-1]] = value
    return doc


def _leaves(doc: Any) -> list[tuple]:
    return [p for p in _paths(doc) if p and not isinstance(_get(doc, p), (dict, list))]


def _get(doc: Any, path: tuple) -> Any:
    for part in path:
        doc = doc[part]
    return doc


@st.composite
def mutated(draw, base: Any, *, max_mutations: int = 3) -> Any:
    """`base` with 1..max_mutations changes (each on the current document): a value replaced, a key
    deleted, or one nasty scalar flooded into every leaf of the same JSON type (so the one field that
    matters, a tracking number or a time, is hit whatever its path)."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, max_mutations))):
        paths = _paths(doc)
        op = draw(st.sampled_from(("set", "set", "set", "delete", "flood")))
        if op == "flood":
            value = draw(scalars())
            kind = (int, float) if isinstance(value, (int, float)) and not isinstance(value, bool) else type(value)
            for path in _leaves(doc):
                current = _get(doc, path)
                if (isinstance(current, kind) and not isinstance(current, bool)) or current is None:
                    doc = _apply(doc, path, "set", value)
            continue
        path = draw(st.sampled_from(paths[1:] or paths))
        doc = _apply(doc, path, op, draw(json_values()) if op == "set" else None)
    return doc


@st.composite
def json_documents(draw, *bases: Any) -> Any:
    """A mutated real payload most of the time; else a real one wrapped in an array, or any JSON."""
    base = draw(st.sampled_from(bases))
    return draw(st.one_of(
        mutated(base), mutated(base), mutated(base),
        st.just([copy.deepcopy(base)]), json_values(max_leaves=20)))


def encode(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")


def raw_bodies() -> st.SearchStrategy[bytes]:
    """Bodies that are not (valid UTF-8) JSON."""
    return st.one_of(st.binary(max_size=200), st.sampled_from((b"", b"{", b"[1,", b"\xff\xfe{}", b"\xc3\x28",
                                                               b'{"a": "\xed\xa0\x80"}', b"null", b"[]", b"{}")))


def bodies(*bases: Any) -> st.SearchStrategy[bytes]:
    return st.one_of(json_documents(*bases).map(encode), json_documents(*bases).map(encode), raw_bodies())
