"""EventBridge-style pattern matching, used for Lambda FilterCriteria on stream and SQS sources.

Supports: exact values (lists are OR), nested objects, null, `prefix`, `suffix`,
`anything-but` (value, list or {prefix}), `exists`, `numeric`, `equals-ignore-case`, `wildcard`.
"""

from __future__ import annotations

import fnmatch
import json
import operator
from typing import Any

_MISSING = object()

_NUMERIC_OPS = {"<": operator.lt, "<=": operator.le, "=": operator.eq, ">": operator.gt, ">=": operator.ge}


def matches(pattern: dict[str, Any], event: Any) -> bool:
    """True when `event` satisfies every field of `pattern`."""
    if not isinstance(event, dict):
        return False
    for key, expected in pattern.items():
        actual = event.get(key, _MISSING)
        if isinstance(expected, dict):
            if actual is _MISSING or not isinstance(actual, dict):
                return False
            if not matches(expected, actual):
                return False
        elif isinstance(expected, list):
            if not _field_matches(expected, actual):
                return False
        else:
            raise TypeError(f"pattern value for {key!r} must be an object or a list, got {expected!r}")
    return True


def matches_any(patterns: list[dict[str, Any]], event: Any) -> bool:
    """Lambda FilterCriteria semantics: no filters pass everything, otherwise any filter may match."""
    return not patterns or any(matches(p, event) for p in patterns)


def sqs_filter_view(record: dict[str, Any]) -> dict[str, Any]:
    """Lambda filters SQS records with `body` parsed as JSON when it is a JSON object."""
    view = dict(record)
    try:
        body = json.loads(record.get("body", ""))
        if isinstance(body, dict):
            view["body"] = body
    except (TypeError, ValueError):
        pass
    return view


def _field_matches(rules: list[Any], actual: Any) -> bool:
    values = actual if isinstance(actual, list) else [actual]
    if actual is not _MISSING and isinstance(actual, list) and not actual:
        values = []
    return any(_rule_matches(rule, v, actual is _MISSING) for rule in rules for v in (values or [_MISSING]))


def _rule_matches(rule: Any, value: Any, missing: bool) -> bool:
    if not isinstance(rule, dict):
        if missing or value is _MISSING:
            return False
        if rule is None:
            return value is None
        return _num_eq(rule, value) or (type(value) is type(rule) and value == rule)
    (op, arg), = rule.items()
    if op == "exists":
        return (not missing) == bool(arg)
    if missing or value is _MISSING:
        return False
    if op == "prefix":
        if isinstance(arg, dict):
            return isinstance(value, str) and value.lower().startswith(arg["equals-ignore-case"].lower())
        return isinstance(value, str) and value.startswith(arg)
    if op == "suffix":
        if isinstance(arg, dict):
            return isinstance(value, str) and value.lower().endswith(arg["equals-ignore-case"].lower())
        return isinstance(value, str) and value.endswith(arg)
    if op == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == arg.lower()
    if op == "wildcard":
        return isinstance(value, str) and fnmatch.fnmatchcase(value, arg)
    if op == "anything-but":
        if isinstance(arg, dict):
            return not any(_rule_matches({k: v}, value, False) for k, v in arg.items())
        excluded = arg if isinstance(arg, list) else [arg]
        return not any(_rule_matches(x, value, False) for x in excluded)
    if op == "numeric":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        pairs = zip(arg[0::2], arg[1::2], strict=True)
        return all(_NUMERIC_OPS[o](value, bound) for o, bound in pairs)
    raise ValueError(f"unsupported pattern operator {op!r}")


def _num_eq(rule: Any, value: Any) -> bool:
    numbers = (int, float)
    return (
        isinstance(rule, numbers) and isinstance(value, numbers)
        and not isinstance(rule, bool) and not isinstance(value, bool) and rule == value
    )
