"""Every message id the domain raises has a catalog entry in en and zh-Hans, with the same
placeholders, and the compiled catalogs are up to date with tools/messages.py."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from tools.messages import MESSAGES

ROOT = Path(__file__).resolve().parents[3]
SOURCE = ROOT / "shared" / "aftersales"
MESSAGE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
CALL = re.compile(r"\b(\w+)\(\s*\"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)\"")


def _trees():
    """(path, tree or None, text) for every module; a file another change left unparsable for this
    interpreter is still scanned, by a regex over its text."""
    for path in sorted(SOURCE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        try:
            yield path, ast.parse(text), text
        except (SyntaxError, SystemError, ValueError, RecursionError):  # 3.11 quirks on 3.12-only syntax
            yield path, None, text


def _error_classes() -> set[str]:
    """Names of DomainError and its subclasses anywhere under shared/aftersales (by class bases)."""
    bases: dict[str, set[str]] = {}
    for _path, tree, text in _trees():
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
    classes = _error_classes()
    found: dict[str, str] = {}
    for path, tree, text in _trees():
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


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_the_scanner_sees_the_money_path_errors():
    ids = raised_message_ids()
    assert {"approvals.review_not_found", "refunds.exceeds_captured", "risk.window_outside_retention",
            "error.ticket_not_found"} <= ids.keys()


def test_every_raised_message_id_has_an_english_and_a_chinese_message():
    """GIVEN every DomainError raised under shared/aftersales WHEN its message id is looked up in
    tools/messages.py THEN there is an entry with a non-empty en and zh-Hans text."""
    catalog = {msgid: (en, zh) for msgid, en, zh in MESSAGES}
    missing = {i: where for i, where in raised_message_ids().items() if i not in catalog}
    assert not missing, f"add to tools/messages.py and run `make i18n`: {missing}"
    assert all(en.strip() and zh.strip() for en, zh in catalog.values())


def test_catalog_ids_are_unique_and_both_languages_use_the_same_placeholders():
    ids = [m[0] for m in MESSAGES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert [m[0] for m in MESSAGES if _fields(m[1]) != _fields(m[2])] == []


def test_the_compiled_catalogs_match_tools_messages():
    """`make i18n` was run after the last edit of tools/messages.py."""
    from aftersales.core.i18n import translate

    for msgid, en, zh in MESSAGES:
        assert translate(msgid, "en") == en, msgid
        assert translate(msgid, "zh-Hans") == zh, msgid
