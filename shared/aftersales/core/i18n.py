"""Accept-Language negotiation and gettext catalogs (compiled from locales/*/messages.po).

Message ids are stable keys ("status.approved", "error.not_found"), so clients can rely on
codes while people read translated text.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field

SUPPORTED = ("en", "zh-Hans", "zh-Hant", "ja", "ko", "es", "de", "fr")
DEFAULT = "en"
_LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
# Tags (lower case) that mean a supported locale; a longer tag is tried before its prefixes, so
# zh-Hant-TW -> zh-hant, de-CH-1996 -> de-ch -> de. Regional variants read the one catalog of
# their language (es-419/es-MX read es, fr-CA reads fr, de-AT/de-CH read de); Traditional Chinese
# (Taiwan, Hong Kong, Macau) reads zh-Hant, Simplified (mainland, Singapore) zh-Hans.
_ALIASES = {
    "en": "en",
    "zh": "zh-Hans", "zh-hans": "zh-Hans", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "zh-my": "zh-Hans",
    "zh-hant": "zh-Hant", "zh-tw": "zh-Hant", "zh-hk": "zh-Hant", "zh-mo": "zh-Hant",
    "ja": "ja", "ko": "ko", "es": "es", "de": "de", "fr": "fr",
}


def supported(locale: str | None, default: str = DEFAULT) -> str:
    """A stored language tag (a contact's, a ticket's, a tenant's) as a supported locale, else
    `default`: "de-AT" -> "de", "zh-TW" -> "zh-Hant", "zh-Hans" -> "zh-Hans"."""
    if not locale:
        return default
    for candidate in _prefixes(locale.strip().lower()):
        if candidate in _ALIASES:
            return _ALIASES[candidate]
    return default


def _known(tag: str) -> str:
    locale = supported(tag, "")
    if not locale:
        raise ValueError(f"not a supported language; one of {', '.join(SUPPORTED)} (or a regional tag of one)")
    return locale


# A language a client stores for a customer ("de-AT", "zh-TW", "fr"), kept as the supported locale
# it reads ("de", "zh-Hant", "fr"); anything else is 422 at its field.
LanguageTag = Annotated[str, Field(min_length=2, max_length=35, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
                                   examples=["de", "zh-Hant", "es-MX"]), AfterValidator(_known)]


def negotiate(accept_language: str | None, default: str = DEFAULT) -> str:
    """Pick the best supported locale for an Accept-Language header (RFC 9110 q-values)."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag == "*":
            return default
        for candidate in _prefixes(tag):
            if candidate in _ALIASES:
                return _ALIASES[candidate]
    return default


def _prefixes(tag: str) -> list[str]:
    parts = tag.split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


@lru_cache(maxsize=len(SUPPORTED))
def _catalog(locale: str) -> gettext.NullTranslations:
    folder = locale.replace("-", "_")
    try:
        with open(_LOCALES_DIR / folder / "LC_MESSAGES" / "messages.mo", "rb") as fh:
            return gettext.GNUTranslations(fh)
    except FileNotFoundError:
        return gettext.NullTranslations()


def translate(message_id: str, locale: str = DEFAULT, /, **params: Any) -> str:
    text = _catalog(locale).gettext(message_id)
    if text == message_id and locale != DEFAULT:
        text = _catalog(DEFAULT).gettext(message_id)
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):
        return text


def label(kind: str, value: str, locale: str = DEFAULT) -> str:
    return translate(f"{kind}.{value}", locale)
