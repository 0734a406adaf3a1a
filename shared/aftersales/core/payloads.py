"""The one JSON reader for bodies from outside (API clients, webhooks, pushes): what json.loads
would take but nobody means is refused here with JsonRefused (a ValueError), which each entry point
turns into its own 400.

Always refused: bytes that are not UTF-8; text that is not JSON; NaN / Infinity (not JSON, but
json.loads takes them); integers beyond Python's digit limit (json.loads raises a bare ValueError);
nesting deeper than MAX_DEPTH, DynamoDB's limit for nested attributes (json.loads would raise
RecursionError at ~1000); strings holding lone UTF-16 surrogates ("\\udcff" is valid JSON, but cannot
be written to DynamoDB, a log or a queue as UTF-8).

With `i_json=True`, also what our own API clients must follow (I-JSON, RFC 7493, with an int64
bound): integers within int64, finite numbers, unique member names. Provider bodies are read without
it: a provider's out-of-range number loses that field, not the whole event.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 32
INT64 = 2**63 - 1


class JsonRefused(ValueError):
    def __init__(self, reason: str, *, too_deep: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.too_deep = too_deep


def _no_constants(name: str) -> Any:
    raise JsonRefused(f"{name} is not JSON")


def _int64(text: str) -> int:
    value = int(text)
    if not -INT64 - 1 <= value <= INT64:
        raise JsonRefused("an integer outside int64")
    return value


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonRefused("a number too large for a double")
    return value


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise JsonRefused("a member name appears twice")
    return result


def decode_json(raw: bytes | str, *, i_json: bool = False) -> Any:
    strict: dict[str, Any] = (
        {"parse_int": _int64, "parse_float": _finite, "object_pairs_hook": _unique} if i_json else {})
    try:
        value = json.loads(raw, parse_constant=_no_constants, **strict)
    except JsonRefused:
        raise
    except RecursionError as exc:  # the C scanner gives up long before the stack does
        raise JsonRefused("JSON nested too deeply", too_deep=True) from exc
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, int() past the digit limit
        raise JsonRefused("not JSON") from exc
    _check(value)
    return value


def _check(value: Any) -> None:
    """Depth and strings of a parsed document, walked without recursion."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _utf8(item)
        elif isinstance(item, (dict, list)):
            if depth >= MAX_DEPTH:
                raise JsonRefused("JSON nested too deeply", too_deep=True)
            if isinstance(item, dict):
                for key in item:
                    _utf8(key)
                stack.extend((v, depth + 1) for v in item.values())
            else:
                stack.extend((v, depth + 1) for v in item)


def _utf8(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise JsonRefused("a lone surrogate") from exc
