"""Review text normalised for matching: full-width forms, case, Traditional characters, separators
and zero-width characters inserted between characters, repeats, and the map back to the original."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.moderation.normalise import normalise


@pytest.mark.parametrize(("written", "normalised"), [
    ("ＦＵＣＫ ｙｏｕ", "fuck you"),                 # full-width letters
    ("Fuck YOU", "fuck you"),                       # case
    ("Café crème", "cafe creme"),                   # diacritics off Latin letters
    ("這個產品質量很爛", "这个产品质量很烂"),           # Traditional -> Simplified
    ("乾隆年間", "乾隆年间"),                          # phrase-aware: 乾隆 keeps 乾
    ("f u c k", "fuck"),                            # spaces between single letters
    ("s.h.i.t happens", "shit hapens"),             # punctuation inside a word; pp is one p run 2
    ("f\u200bu\u200cc\u200dk", "fuck"),             # zero-width characters
    ("傻 逼", "傻逼"), ("傻*逼", "傻逼"), ("傻\u200b逼", "傻逼"), ("傻　逼", "傻逼"),  # between Chinese characters
    ("fuuuuuck", "fuck"),                           # repeats collapse, run lengths kept
    ("good  stuff!!", "god stuf"),
    ("iPhone 13. Great", "iphone 13 great"),
    ("薴麻", "苎麻"),                                # OpenCC mappings that chain are followed to the end
    ("\ud800傻\udfff逼", "傻逼"),                    # lone surrogates (valid JSON escapes) are dropped
    ("", ""), ("   ...  ", ""),
])
def test_written_forms_normalise_to_one_text(written, normalised):
    assert normalise(written).text == normalised


def test_repeats_keep_their_run_lengths_so_ass_is_not_as():
    assert normalise("ass").runs == (1, 2)
    assert normalise("as").runs == (1, 1)
    assert normalise("fuuuuuck").runs == (1, 5, 1, 1)


def test_each_normalised_character_maps_back_to_the_original_text():
    written = "Ｈｅｌｌｏ,  傻 逼!! 這個"
    n = normalise(written)
    assert [written[n.origin[i]:n.until[i]] for i in range(len(n.text))] == [
        "Ｈ", "ｅ", "ｌｌ", "ｏ", ",  ", "傻", "逼", "這", "個"]  # "!! " between Chinese characters goes
    start, end = n.span(5, 7)
    assert written[start:end] == "傻 逼"


@given(st.text(max_size=80))
def test_spans_stay_inside_the_original_and_in_order(text):
    n = normalise(text)
    assert len(n.text) == len(n.runs) == len(n.origin) == len(n.until)
    for i in range(len(n.text)):
        assert 0 <= n.origin[i] <= n.until[i] <= len(text)
        if i:
            assert n.origin[i - 1] <= n.origin[i]


@given(st.text(st.characters(exclude_categories=()), max_size=80))
def test_normalising_twice_changes_nothing_more(text):
    once = normalise(text).text
    assert normalise(once).text == once
