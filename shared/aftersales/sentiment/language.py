"""Language of a review by its script, and a cheap check that Latin text is English.

Returns an ISO 639-1 code only when the script (or, for Latin text, common function words) says so;
anything else is UNDETERMINED, never a guess.
"""

from __future__ import annotations

import re

UNDETERMINED = "und"



def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


_LATIN_WORD = re.compile(r"[a-zà-öø-ÿ']+")
# Function words: frequent, short, and rarely shared with the other Latin-script languages here.
_FUNCTION_WORDS = {
    "en": _words("the and is it this that was for with not but are have you my of to very"),
    "es": _words("el la los las es muy pero que una por para con del lo no está"),
    "fr": _words("le la les est et une très mais pas avec pour des du ce je ne"),
    "de": _words("der die das ist und nicht sehr aber mit ein eine ich es zu auch"),
    "it": _words("il lo è molto ma non che una per con del sono gli"),
    "pt": _words("os as é muito mas não que uma para com do da"),
}


def detect_language(text: str) -> str:
    """'zh', 'ja', 'ko', 'ru', 'ar', 'hi', 'th', 'en', 'es', 'fr', 'de', 'it', 'pt' or UNDETERMINED."""
    han = kana = hangul = cyrillic = arabic = devanagari = thai = latin = 0
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
        elif 0x0400 <= code <= 0x04FF:
            cyrillic += 1
        elif 0x0600 <= code <= 0x06FF:
            arabic += 1
        elif 0x0900 <= code <= 0x097F:
            devanagari += 1
        elif 0x0E00 <= code <= 0x0E7F:
            thai += 1
        elif char.isalpha() and code <= 0x024F:
            latin += 1
    if kana:
        return "ja"
    scripts = {"zh": han, "ko": hangul, "ru": cyrillic, "ar": arabic, "hi": devanagari, "th": thai}
    best = max(scripts, key=scripts.__getitem__)
    if scripts[best] and scripts[best] >= latin / 4:
        return best
    return _latin_language(text) if latin else UNDETERMINED


def _latin_language(text: str) -> str:
    """The Latin-script language whose function words clearly outnumber the others', else UNDETERMINED."""
    words = _LATIN_WORD.findall(text.lower())
    hits = sorted(((sum(w in vocab for w in words), lang) for lang, vocab in _FUNCTION_WORDS.items()), reverse=True)
    (top, first), (second, _) = hits[0], hits[1]
    if top == 0:
        # No function word ("Great phone!"): English only if a common English review word is there.
        return "en" if words and all(w.isascii() for w in words) and _looks_english(words) else UNDETERMINED
    return first if top > 2 * second else UNDETERMINED


_EN_VOCABULARY = _words(
    "good great bad poor nice love hate excellent terrible awesome worst best works broke broken fast slow "
    "cheap quality product item recommend price waste money perfect fine ok okay thanks happy disappointed "
    "amazing horrible useless return returned small large size fit delivery shipping arrived")


def _looks_english(words: list[str]) -> bool:
    """Short text with no function word: English if some word is a common English review word."""
    return any(w.strip("'") in _EN_VOCABULARY for w in words)
