"""The tenant's knowledge base on its in-memory store: entries with questions, answers per locale and
tags; bad input is refused with its field; a replace needs the version read; the bot's copy of the
entries and matcher is one store read per TTL and a write through the service refreshes it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aftersales.answers.knowledge import EntryChanges, KnowledgeBase
from aftersales.answers.model import KB_PREFIX
from aftersales.core.clock import FixedClock
from aftersales.core.errors import Conflict, InvalidRequest, NotFound, PreconditionFailed
from tests.support.fakes.answers import InMemoryKnowledgeStore

RETURNS = EntryChanges(questions=["退货地址是什么", "where do I send my return"],
                       answers={"en": "Acme Returns, Shenzhen", "zh-Hans": "深圳 Acme 退货组"}, tags=["Returns "])


class Ticking:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def kb() -> tuple[KnowledgeBase, InMemoryKnowledgeStore, Ticking]:
    store, ticking = InMemoryKnowledgeStore(), Ticking()
    base = KnowledgeBase(store, FixedClock(datetime(2026, 12, 3, tzinfo=UTC)), ttl=60, monotonic=ticking)
    return base, store, ticking


def test_an_entry_is_created_read_replaced_and_deleted(kb):
    base, store, _ = kb
    entry = base.create("acme", RETURNS)
    assert ("acme", entry.entry_id) in store and entry.version == 1
    assert entry.tags == ["returns"] and entry.questions[1] == "where do I send my return"
    assert base.get("acme", entry.entry_id) == entry
    assert base.list("other") == []
    changed = base.replace("acme", entry.entry_id, EntryChanges(
        questions=["退货寄到哪"], answers={"zh-Hans": "深圳"}, tags=[], enabled=False), if_match=1)
    assert changed.version == 2 and changed.enabled is False and changed.answers == {"zh-Hans": "深圳"}
    base.delete("acme", entry.entry_id)
    assert len(store) == 0
    with pytest.raises(NotFound):
        base.delete("acme", entry.entry_id)


def test_a_replace_of_a_version_that_moved_on_is_refused(kb):
    base, _, _ = kb
    entry = base.create("acme", RETURNS)
    base.replace("acme", entry.entry_id, RETURNS, if_match=1)
    with pytest.raises(PreconditionFailed):
        base.replace("acme", entry.entry_id, RETURNS, if_match=1)


def test_the_store_refuses_a_lost_update_between_read_and_write(kb):
    _, store, _ = kb
    base = KnowledgeBase(store, FixedClock(datetime(2026, 12, 3, tzinfo=UTC)))
    entry = base.create("acme", RETURNS)
    store.put("acme", entry.model_copy(update={"version": 2}), 1)  # someone else's replace
    with pytest.raises(Conflict):
        store.put("acme", entry.model_copy(update={"version": 2}), 1)


@pytest.mark.parametrize(("changes", "field"), [
    (EntryChanges(questions=[], answers={"en": "x"}, tags=[]), "questions"),
    (EntryChanges(questions=["ok", "   "], answers={"en": "x"}, tags=[]), "questions[1]"),
    (EntryChanges(questions=["ok"], answers={"xx": "x"}, tags=[]), "answers.xx"),
    (EntryChanges(questions=["ok"], answers={"en": " "}, tags=[]), "answers.en"),
    (EntryChanges(questions=["ok"], answers={}, tags=[]), "answers"),
    (EntryChanges(questions=["ok"], answers={"en": "x"}, tags=["a" * 41]), "tags"),
])
def test_bad_entries_are_refused_with_their_field(kb, changes, field):
    base, store, _ = kb
    with pytest.raises(InvalidRequest) as refused:
        base.create("acme", changes)
    assert refused.value.details["field"] == field
    assert len(store) == 0


def test_the_bots_copy_is_one_read_per_ttl_and_a_write_refreshes_it(kb):
    base, store, ticking = kb
    first = base.create("acme", RETURNS)
    reads = store.queries
    knowledge = base.knowledge("acme")
    assert knowledge.matcher.match("退货地址是什么").intent == KB_PREFIX + first.entry_id
    base.knowledge("acme")
    assert store.queries == reads + 1  # cached
    ticking.now = 61
    base.knowledge("acme")
    assert store.queries == reads + 2  # expired
    second = base.create("acme", EntryChanges(questions=["能开发票吗"], answers={"zh-Hans": "可以"}, tags=[]))
    assert base.knowledge("acme").matcher.match("能开发票吗").intent == KB_PREFIX + second.entry_id


def test_a_disabled_entry_is_not_matched(kb):
    base, _, _ = kb
    entry = base.create("acme", EntryChanges(questions=["能开发票吗"], answers={"zh-Hans": "可以"}, tags=[],
                                             enabled=False))
    assert entry.entry_id not in base.knowledge("acme").entries
    assert base.knowledge("acme").matcher.match("能开发票吗").intent != KB_PREFIX + entry.entry_id
