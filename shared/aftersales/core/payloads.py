"""The one JSON reader for provider bodies (webhooks, pushes): what json.loads would take but no
provider means is refused here with a ValueError, which each context turns into its own 400.

Refused: bytes that are not UTF-8; text that is not JSON; NaN / Infinity (not JSON, but json.loads
takes them); integers beyond Python's digit limit (json.loads raises a bare ValueError); nesting
deeper than MAX_DEPTH (json.loads would raise RecursionError at ~1000); strings holding lone UTF-16
surrogates ("\\udcff" is valid JSON, but cannot be written to DynamoDB, a log or a queue as UTF-8).
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode_json(raw: bytes | str) -> Any:
    try:
        value = json.loads(raw, parse_constant=_no_constants)
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise ValueError("not JSON") from exc
    _check(value)
    return value


def _check(value: Any) -> None:
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _utf8(item)
        elif isinstance(item, (dict, list)):
            if depth >= MAX_DEPTH:
                raise ValueError("JSON nested too deeply")
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
        raise ValueError("JSON string is not Unicode text") from exc
