"""Every message id the domain raises has a catalog entry in en and zh-Hans, with the same
placeholders, and the compiled catalogs are up to date with tools/messages.py."""

from __future__ import annotations

import string

from tests.support.catalog import raised_message_ids
from tools.messages import MESSAGES


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


def test_each_message_id_is_written_once():
    """A second entry for an id would silently replace the first's texts in the catalogs."""
    seen: dict[str, int] = {}
    for message_id, _en, _zh in MESSAGES:
        seen[message_id] = seen.get(message_id, 0) + 1
    assert {i: n for i, n in seen.items() if n > 1} == {}
