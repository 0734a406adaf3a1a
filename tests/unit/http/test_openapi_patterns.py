"""Every `pattern` the OpenAPI document publishes is a regular expression every client can read:
no engine-specific syntax (Unicode property classes `\\p{…}` are Rust/ECMA-u only, not Python's re)."""

from __future__ import annotations

import json
import re


def _patterns(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield path, value
            else:
                yield from _patterns(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _patterns(value, f"{path}/{i}")


def test_every_published_pattern_compiles_in_pythons_re():
    from aftersales.http.app import app

    document = json.loads(app.get_openapi_json_schema(title="t", version="1"))
    patterns = list(_patterns(document))
    assert patterns, "the document publishes patterns (labels, credentials)"
    for where, pattern in patterns:
        re.compile(pattern)  # raises re.error naming the pattern
        assert "\\p{" not in pattern, where
