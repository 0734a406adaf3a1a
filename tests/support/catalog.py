"""The message-catalog scanner: every DomainError subclass under shared/aftersales, and the message
ids passed to them."""

from __future__ import annotations

import ast
import re

from tests.support.environment import ROOT

SOURCE = ROOT / "shared" / "aftersales"
MESSAGE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
CALL = re.compile(r"\b(\w+)\(\s*\"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)\"")


def source_modules():
    """(path, tree or None, text) for every module; a file another change left unparsable for this
    interpreter is still scanned, by a regex over its text."""
    for path in sorted(SOURCE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        try:
            yield path, ast.parse(text), text
        except (SyntaxError, SystemError, ValueError, RecursionError):  # 3.11 quirks on 3.12-only syntax
            yield path, None, text


def error_classes() -> set[str]:
    """Names of DomainError and its subclasses anywhere under shared/aftersales (by class bases)."""
    bases: dict[str, set[str]] = {}
    for _path, tree, text in source_modules():
        if tree is None:
            for name, parents in re.findall(r"^class (\w+)\(([^)]*)\)", text, re.M):
                bases.setdefault(name, set()).update(p.strip().split(".")[-1] for p in parents.split(","))
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(
                    b.id if isinstance(b, ast.Name) else b.attr for b in node.bases
                    if isinstance(b, ast.Name | ast.Attribute))
    known = {"DomainError"}
    while True:
        more = {name for name, parents in bases.items() if parents & known} - known
        if not more:
            return known
        known |= more


def raised_message_ids() -> dict[str, str]:
    """message id -> first place it is passed to a DomainError subclass (first positional arg)."""
    classes = error_classes()
    found: dict[str, str] = {}
    for path, tree, text in source_modules():
        if tree is None:
            for match in CALL.finditer(text):
                if match.group(1) in classes:
                    line = text.count("\n", 0, match.start()) + 1
                    found.setdefault(match.group(2), f"{path.relative_to(ROOT)}:{line}")
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            first = node.args[0]
            if name in classes and isinstance(first, ast.Constant) and isinstance(first.value, str) \
                    and MESSAGE_ID.match(first.value):
                found.setdefault(first.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found
