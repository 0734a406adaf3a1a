"""The real LDNOOBW lexicons (tests/fixtures/moderation, CC-BY-4.0): the package ships them
unchanged; every entry written alone is found, also in full-width, spaced or stretched form,
except the ones the platform lifts on purpose; the zh list's single characters do not block
ordinary product text; every default allow-list phrase lifts at least one listed entry."""

from __future__ import annotations

from importlib import resources

import pytest

from aftersales.moderation import defaults
from aftersales.moderation.lexicon import Lexicon, default_lexicon
from aftersales.moderation.matcher import Matcher
from aftersales.moderation.normalise import is_han_char, normalise
from tests.support.fixture_files import load, raw
from tests.support.review_texts import ORDINARY_ZH

EN = load("moderation/ldnoobw_en.json")
ZH = load("moderation/ldnoobw_zh.json")
LIFTED = set(defaults.DEFAULT_ALLOW)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(default_lexicon("acme"))


@pytest.fixture(scope="module")
def unlifted() -> Matcher:
    """The lists alone: no allow-list, no evasions."""
    return Matcher(Lexicon(tenant_id="acme", version=1, use_defaults=False,
                           terms=[{"text": t} for t in dict.fromkeys(EN + ZH) if t != "13."]))


def terms(matcher: Matcher, text: str) -> set[str]:
    return {f.term for f in matcher.find(normalise(text), text)}


@pytest.mark.parametrize("name", ["ldnoobw_en.json", "ldnoobw_zh.json", "LICENSE.naughty-words"])
def test_the_package_ships_the_lists_unchanged(name):
    shipped = resources.files("aftersales.moderation").joinpath("lexicons").joinpath(name).read_bytes()
    assert shipped == raw(f"moderation/{name}")


def test_the_lists_are_what_the_fixture_notes_say():
    singles = [t for t in ZH if len(t) == 1]
    assert len(EN) >= 400 and len(ZH) >= 300
    assert {"乳", "奶", "性", "幹", "爛", "逼"} <= set(singles) and len(singles) >= 20


@pytest.mark.parametrize("entry", sorted(set(EN + ZH) - LIFTED - {"13."}))
def test_every_entry_written_alone_is_found(matcher, entry):
    assert terms(matcher, entry) & {entry, *(t for t, n in _SAME.items() if n == _key(entry))}, entry


def _key(entry: str) -> str:
    return normalise(entry).text


_SAME = {t: _key(t) for t in set(EN + ZH)}  # entries equal once normalised (仆街 twice, 他妈 / 他媽 ...)


@pytest.mark.parametrize("entry", [t for t in EN if t.isalpha() and len(t) >= 4 and t not in LIFTED][:60])
def test_english_entries_are_found_in_full_width_spaced_and_stretched_forms(matcher, entry):
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in entry.upper())
    spaced = " ".join(entry)
    stretched = entry[:-1] + entry[-1] * 4
    for written in (full_width, spaced, f"so {stretched} here"):
        assert entry in terms(matcher, written), written


@pytest.mark.parametrize("entry", [t for t in ZH if len(t) >= 2 and all(map(is_han_char, t)) and t not in LIFTED])
def test_chinese_entries_are_found_with_separators_between_their_characters(matcher, entry):
    written = "这" + entry[0] + " *\u200b " + "\u200b".join(entry[1:]) + "了"  # 这傻 *​ 逼了
    assert terms(matcher, written), written


def test_the_single_characters_do_not_block_ordinary_product_text(matcher):
    singles = [t for t in ZH if len(t) == 1]
    for text in ORDINARY_ZH:
        assert not terms(matcher, text) & set(singles), text


def test_without_the_platforms_rules_the_raw_lists_would_block_ordinary_text(unlifted):
    """Why the allow-list exists: the lists alone flag these ordinary sentences."""
    blocked = [text for text in ORDINARY_ZH if terms(unlifted, text)]
    assert len(blocked) >= 5


@pytest.fixture(scope="module")
def single_characters_anywhere() -> Matcher:
    return Matcher(Lexicon(tenant_id="acme", version=1, use_defaults=False,
                           terms=[{"text": t, "mode": "anywhere"} for t in ZH if len(t) == 1]))


@pytest.mark.parametrize("phrase", defaults.DEFAULT_ALLOW)
def test_every_allow_list_phrase_lifts_a_listed_entry(unlifted, single_characters_anywhere, phrase):
    """A listed entry matches inside it (a single character as if matched anywhere)."""
    assert terms(unlifted, phrase) or terms(single_characters_anywhere, phrase), phrase
