"""API Gateway REST routing and authorizer-policy evaluation, as pure functions (unit-testable).

Routing follows API Gateway's precedence: a literal segment beats `{param}`, which beats the
greedy `{proxy+}`; an explicit method beats ANY. `{proxy+}` needs at least one segment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .template import Route


@dataclass
class Match:
    route: Route
    path_parameters: dict[str, str]


def _segments(path: str) -> list[str]:
    return [s for s in path.strip("/").split("/") if s != ""]


def match_path(template: str, path: str) -> dict[str, str] | None:
    """Path parameters when `path` fits the route template, else None."""
    tpl, got = _segments(template), _segments(path)
    params: dict[str, str] = {}
    for i, seg in enumerate(tpl):
        greedy = re.fullmatch(r"\{(\w+)\+\}", seg)
        if greedy:
            if i >= len(got):
                return None
            params[greedy.group(1)] = "/".join(got[i:])
            return params
        if i >= len(got):
            return None
        param = re.fullmatch(r"\{(\w+)\}", seg)
        if param:
            params[param.group(1)] = got[i]
        elif seg != got[i]:
            return None
    return params if len(got) == len(tpl) else None


def _rank(route: Route) -> tuple[Any, ...]:
    kinds = []
    for seg in _segments(route.path):
        kinds.append(2 if seg.endswith("+}") else 1 if seg.startswith("{") else 0)
    # Lower is more specific: compare segment kinds left to right, longer literal paths first.
    return (tuple(kinds) + (3,), route.method == "ANY")


def find_route(routes: list[Route], method: str, path: str) -> Match | None:
    candidates = []
    for route in routes:
        if route.method not in (method.upper(), "ANY"):
            continue
        params = match_path(route.path, path)
        if params is not None:
            candidates.append((_rank(route), Match(route, params)))
    if not candidates:
        return None
    candidates.sort(key=lambda c: c[0])
    return candidates[0][1]


def method_arn(region: str, account: str, api_id: str, stage: str, method: str, path: str) -> str:
    return f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{method.upper()}/{path.lstrip('/')}"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _wildcard(pattern: str, value: str) -> bool:
    """IAM wildcards: `*` any run of characters, `?` one character; nothing else is special."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def _action_matches(actions: Any) -> bool:
    return any(_wildcard(str(a).lower(), "execute-api:invoke") for a in _as_list(actions))


def evaluate_policy(policy: dict[str, Any] | None, arn: str) -> str:
    """'allow', 'deny' (explicit Deny matched) or 'implicit-deny' (no Allow matched)."""
    allowed = False
    for st in _as_list((policy or {}).get("Statement") or []):
        if not isinstance(st, dict) or not _action_matches(st.get("Action", [])):
            continue
        if not any(_wildcard(str(r), arn) for r in _as_list(st.get("Resource", []))):
            continue
        effect = str(st.get("Effect", "")).lower()
        if effect == "deny":
            return "deny"
        if effect == "allow":
            allowed = True
    return "allow" if allowed else "implicit-deny"
