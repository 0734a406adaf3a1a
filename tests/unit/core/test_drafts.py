"""core.drafts.Drafts on the in-memory draft store, for each kind of versioned document (approval
policy, intake rules, moderation settings): a draft is validated with its field path, published as
the next version, listed, read back, and an earlier version (or the default) is published again."""

from __future__ import annotations

import pytest

from aftersales.approvals.defaults import POLICY
from aftersales.core.drafts import Drafts
from aftersales.core.errors import ConcurrentModification, Conflict, InvalidRequest, NotFound
from aftersales.eligibility.defaults import RULES
from aftersales.moderation.lexicon import LEXICON
from tests.support.fakes.drafts import InMemoryDraftStore

# a valid edit and an invalid one (with the path the refusal names) per kind
CASES = {
    "approvals": (POLICY, {"default_route": "single_review", "rules": []},
                  {"rules": [{"id": "x", "route": "sideways"}]}, "rules.0.route"),
    "eligibility": (RULES, {"rules": [{"id": "all", "return_window_days": 60}]},
                    {"rules": [{"id": "all", "return_window_days": -1}]}, "rules.0.return_window_days"),
    "moderation": (LEXICON, {"terms": [{"text": "cheapbags", "severity": "low"}], "allow": ["good bag"]},
                   {"terms": [{"text": "ok"}, {"text": "!!!"}]}, "terms.1.text"),
}


@pytest.fixture(params=sorted(CASES))
def case(request):
    kind, valid, invalid, path = CASES[request.param]
    store = InMemoryDraftStore(kind)
    return Drafts(store, kind), store, kind, valid, invalid, path


def test_a_draft_becomes_the_next_version_and_the_versions_list_newest_first(case):
    drafts, _store, kind, valid, _invalid, _path = case
    default = kind.default("acme")
    assert drafts.published("acme") == default and drafts.versions("acme", 10) == []
    draft, revision = drafts.put_draft("acme", valid, None)
    assert (draft.version, draft.status, revision) == (default.version + 1, "draft", 1)
    with pytest.raises(ConcurrentModification):
        drafts.put_draft("acme", valid, 5)
    first = drafts.publish("acme")
    assert first.status == "published" and drafts.published("acme") == first
    with pytest.raises(Conflict):
        drafts.publish("acme")  # the draft is that version now
    drafts.put_draft("acme", valid, 1)
    second = drafts.publish("acme")
    assert second.version == first.version + 1
    assert drafts.versions("acme", 10) == [second.version, first.version]
    assert drafts.versions("acme", 1) == [second.version]
    assert drafts.version("acme", first.version) == first
    assert drafts.version("acme", default.version) == default
    assert drafts.versions("other", 10) == []  # tenants never see each other's


def test_an_invalid_draft_names_its_field_and_stores_nothing(case):
    drafts, store, kind, _valid, invalid, path = case
    with pytest.raises(InvalidRequest) as refused:
        drafts.put_draft("acme", invalid, None)
    assert refused.value.message_id == kind.message("invalid")
    assert refused.value.details["field"] == path and refused.value.details["problem"]
    assert store.draft("acme") is None and len(store) == 0


def test_rolling_back_publishes_a_copy_of_the_earlier_version_as_the_next(case):
    drafts, store, kind, valid, _invalid, _path = case
    default = kind.default("acme")
    drafts.put_draft("acme", valid, None)
    first = drafts.publish("acme")
    restored = drafts.roll_back("acme", default.version)
    assert restored.version == first.version + 1 and restored.status == "published"
    assert restored.model_copy(update={"version": default.version}) == default
    assert drafts.published("acme") == restored and ("acme", restored.version) in store
    again = drafts.roll_back("acme", first.version)
    assert again.version == first.version + 2
    assert again.model_copy(update={"version": first.version}) == first
    assert drafts.roll_back("acme", again.version) == again  # already published: nothing new
    assert len(store) == 3


def test_an_unknown_version_is_not_found(case):
    drafts, _store, kind, _valid, _invalid, _path = case
    with pytest.raises(NotFound) as missing:
        drafts.roll_back("acme", 42)
    assert missing.value.message_id == kind.message("version_not_found")
    with pytest.raises(NotFound):
        drafts.version("acme", 42)
