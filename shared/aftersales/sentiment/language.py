"""Language of a review by its script, and a cheap check that Latin text is English.

Returns an ISO 639-1 code only when the script (or, for Latin text, common function words) says so;
anything else is UNDETERMINED, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Container

UNDETERMINED = "und"


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


_LATIN_WORD = re.compile(r"[a-zà-öø-ÿ']+")
# Function words; a word listed for two languages counts for neither.
_LISTED = {
    "en": _words("the and is it this that was for with not but are have has had you my of to very i me we they "
                 "them he she his her its our your their an or if on at by from be been were will would can could "
                 "should do does did what which who how than then there here all any some one just only also more "
                 "most again after before out up about really get got make made what's it's i'm don't doesn't "
                 "didn't can't won't isn't wasn't i've i'd would've every much many such these those as so in no"),
    "es": _words("el la los las es muy pero que una por para con del lo está esta estos son fue buena bueno"),
    "fr": _words("le la les est et une très mais pas avec pour des du ce je ne il elle sont était bon bien"),
    "de": _words("der die das ist und nicht sehr aber mit ein eine ich es zu auch sind war gut schlecht"),
    "it": _words("il lo è molto ma non che una per con del sono gli della questo buono"),
    "pt": _words("os as é muito mas não que uma para com do da isso são bom"),
}
_PERSIAN_URDU_LETTERS = frozenset("\u067e\u0686\u0698\u06af\u06a9\u06cc\u0679\u0688\u0691\u06ba\u06be\u06c1\u06d2")
_FUNCTION_WORDS = {lang: frozenset(w for w in words if not any(w in other for o, other in _LISTED.items() if o != lang))
                   for lang, words in _LISTED.items()}


def detect_language(text: str, english_words: Container[str] = frozenset()) -> str:
    """'zh', 'ja', 'ko', 'ar', 'th', 'en', 'es', 'fr', 'de', 'it', 'pt' or UNDETERMINED.

    A script shared by several languages decides nothing by itself: Cyrillic and Devanagari text is
    UNDETERMINED, Arabic-script text with a Persian or Urdu letter too. Latin text without a listed
    function word is English when one of its words is in `english_words` (the analyser passes its
    English lexicon) and every word is ASCII.
    """
    han = kana = hangul = arabic = thai = other = latin = 0
    not_arabic = False
    for char in text:
        code = ord(char)
        if code < 0x80:
            latin += char.isalpha()
        elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
            han += 1
        elif 0x3040 <= code <= 0x30FF:
            kana += 1
        elif 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF:
            hangul += 1
        elif 0x0600 <= code <= 0x06FF:
            arabic += 1
            not_arabic = not_arabic or char in _PERSIAN_URDU_LETTERS
        elif 0x0E00 <= code <= 0x0E7F:
            thai += 1
        elif 0x0400 <= code <= 0x04FF or 0x0900 <= code <= 0x097F:
            other += 1
        elif char.isalpha() and code <= 0x024F:
            latin += 1
    if kana:
        return "ja"
    scripts = {"zh": han, "ko": hangul, "ar": arabic, "th": thai, UNDETERMINED: other}
    best = max(scripts, key=scripts.__getitem__)
    if scripts[best] and scripts[best] >= latin / 4:
        return UNDETERMINED if best == "ar" and not_arabic else best
    return _latin_language(text, english_words) if latin else UNDETERMINED


def _latin_language(text: str, english_words: Container[str]) -> str:
    """The Latin-script language whose function words clearly outnumber the others', else UNDETERMINED."""
    words = _LATIN_WORD.findall(text.lower().replace("\u2019", "'"))
    hits = sorted(((sum(w in vocab for w in words), lang) for lang, vocab in _FUNCTION_WORDS.items()), reverse=True)
    (top, first), (second, _) = hits[0], hits[1]
    if top == 0:
        # No function word ("Great phone!"): English only if a word is a known English word.
        known = any(w in english_words or w.replace("'", "") in english_words for w in words)
        return "en" if known and all(w.isascii() for w in words) else UNDETERMINED
    return first if top > 2 * second else UNDETERMINED
