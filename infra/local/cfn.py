"""CloudFormation plumbing: a YAML loader for short tags and an intrinsic-function resolver.

Kept apart from the typed model (template.py) so the resolver can be reused in two phases:
first with predicted physical names, then with the real attributes of created resources
(queue URLs and stream ARNs only exist after creation).
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"

_NO_VALUE = object()


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns `!Ref X` style tags into their long `{"Ref": X}` form."""


def _tag_constructor(loader: yaml.Loader, tag_suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if tag_suffix == "Ref" else ("Condition" if tag_suffix == "Condition" else f"Fn::{tag_suffix}")
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _tag_constructor)


def load_yaml(text: str) -> dict[str, Any]:
    """Parse template text (YAML or JSON) with CloudFormation short tags."""
    return yaml.load(text, Loader=_CfnLoader) or {}


def physical_name(stack_name: str, logical_id: str, max_len: int = 80) -> str:
    """Deterministic physical name `<stack>-<LogicalId>` (truncated with a hash when too long)."""
    name = f"{stack_name}-{logical_id}"
    if len(name) <= max_len:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: max_len - 9]}-{digest}"


def api_id_for(stack_name: str, logical_id: str) -> str:
    """A stable 10-character REST API id, like API Gateway's."""
    return hashlib.sha1(f"{stack_name}/{logical_id}".encode()).hexdigest()[:10]


@dataclass
class Resolver:
    """Resolves intrinsics against per-resource `refs` and `attrs` (overridable after creation)."""

    stack_name: str
    region: str = REGION
    account_id: str = ACCOUNT_ID
    parameters: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, Any] = field(default_factory=dict)
    attrs: dict[str, dict[str, Any]] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)
    mappings: dict[str, Any] = field(default_factory=dict)

    def pseudo(self, name: str) -> Any:
        return {
            "AWS::StackName": self.stack_name,
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/"
            f"{self.stack_name}/00000000-0000-0000-0000-000000000000",
            "AWS::NoValue": _NO_VALUE,
            "AWS::NotificationARNs": [],
        }.get(name)

    def ref(self, name: str) -> Any:
        if name.startswith("AWS::"):
            return self.pseudo(name)
        if name in self.parameters:
            return self.parameters[name]
        if name in self.refs:
            return self.refs[name]
        raise KeyError(f"Ref to unknown resource or parameter {name!r}")

    def get_att(self, logical_id: str, attr: str) -> Any:
        try:
            return self.attrs[logical_id][attr]
        except KeyError:
            raise KeyError(f"GetAtt {logical_id}.{attr} is not known") from None

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self.conditions[name])) if name in self.conditions else True

    def resolve(self, value: Any) -> Any:
        """Return `value` with every intrinsic function replaced by its value."""
        out = self.resolve_copy_free(copy.deepcopy(value))
        return None if out is _NO_VALUE else out

    def resolve_copy_free(self, value: Any) -> Any:
        """`resolve` on a value the caller already owns (the intrinsic functions' arguments): may
        return the value's own parts, and `_NO_VALUE` for AWS::NoValue."""
        if isinstance(value, list):
            items = [self.resolve_copy_free(v) for v in value]
            return [v for v in items if v is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            handler = _FUNCTIONS.get(key)
            if handler is not None:
                return handler(self, arg)
        out = {}
        for k, v in value.items():
            r = self.resolve_copy_free(v)
            if r is not _NO_VALUE:
                out[k] = r
        return out

    def sub(self, template: str, variables: dict[str, Any] | None = None) -> str:
        variables = variables or {}

        def repl(match: re.Match[str]) -> str:
            expr = match.group(1)
            if expr.startswith("!"):
                return "${" + expr[1:] + "}"
            if expr in variables:
                return str(variables[expr])
            if "." in expr and not expr.startswith("AWS::"):
                lid, attr = expr.split(".", 1)
                return str(self.get_att(lid, attr))
            return str(self.ref(expr))

        return re.sub(r"\$\{([^}]+)\}", repl, template)


def _fn_sub(r: Resolver, arg: Any) -> str:
    if isinstance(arg, list):
        template, variables = arg[0], r.resolve_copy_free(arg[1]) if len(arg) > 1 else {}
        return r.sub(template, variables)
    return r.sub(arg)


def _fn_get_att(r: Resolver, arg: Any) -> Any:
    if isinstance(arg, str):
        arg = arg.split(".", 1)
    return r.get_att(arg[0], r.resolve_copy_free(arg[1]))


def _fn_if(r: Resolver, arg: Any) -> Any:
    name, when_true, when_false = arg
    return r.resolve_copy_free(when_true if r.condition(name) else when_false)


def _fn_find_in_map(r: Resolver, arg: Any) -> Any:
    name, top, second = (r.resolve_copy_free(a) for a in arg[:3])
    return r.mappings[name][top][second]


_FUNCTIONS: dict[str, Any] = {
    "Ref": lambda r, a: r.ref(r.resolve_copy_free(a)),
    "Fn::GetAtt": _fn_get_att,
    "Fn::Sub": _fn_sub,
    "Fn::Join": lambda r, a: str(a[0]).join(str(x) for x in r.resolve_copy_free(a[1])),
    "Fn::Select": lambda r, a: r.resolve_copy_free(a[1])[int(r.resolve_copy_free(a[0]))],
    "Fn::Split": lambda r, a: r.resolve_copy_free(a[1]).split(a[0]),
    "Fn::If": _fn_if,
    "Fn::Equals": lambda r, a: r.resolve_copy_free(a[0]) == r.resolve_copy_free(a[1]),
    "Fn::Not": lambda r, a: not r.resolve_copy_free(a[0]),
    "Fn::And": lambda r, a: all(r.resolve_copy_free(x) for x in a),
    "Fn::Or": lambda r, a: any(r.resolve_copy_free(x) for x in a),
    "Condition": lambda r, a: r.condition(a),
    "Fn::FindInMap": _fn_find_in_map,
    "Fn::Base64": lambda r, a: __import__("base64").b64encode(str(r.resolve_copy_free(a)).encode()).decode(),
    "Fn::GetAZs": lambda r, a: [f"{r.region}{z}" for z in "abc"],
    "Fn::ImportValue": lambda r, a: f"imported:{r.resolve_copy_free(a)}",
    "Fn::ToJsonString": lambda r, a: __import__("json").dumps(r.resolve_copy_free(a)),
}
