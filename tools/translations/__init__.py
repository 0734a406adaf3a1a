"""Translations of the customer-facing messages beyond the two source columns of tools/messages.py.

Format (one module per locale, written by people, read by the catalog generator):

    tools/translations/<module>.py   ja.py, ko.py, es.py, fr.py, de.py
        TEXT: dict[str, str] = {"status.approved": "...", ...}

- Keys are msgids of tools.messages.MESSAGES; every msgid that does NOT start with
  `workbench.` needs an entry (the staff workbench stays en + zh-Hans: its users are the
  merchant's agents, whose UI languages are en and zh-Hans; see docs/decisions.md).
- Placeholders (`{ticket}`, `{when}`, ...) must be exactly the English ones: same names, same
  count. The text around them is free (word order may change).
- zh-Hant is not a hand-written module: it is converted from the zh-Hans column with OpenCC
  (tools/translations/zh_hant.py, with a small override dict for customer-service terms).
- A msgid missing from a module falls back to English in the compiled catalog;
  tests/unit/test_translations_complete.py fails while any is missing.
"""

from __future__ import annotations

import importlib
import string
from collections.abc import Mapping
from types import MappingProxyType

# Catalog locale (BCP 47, as aftersales.core.i18n.SUPPORTED) -> module in this package.
MODULES: Mapping[str, str] = MappingProxyType({"ja": "ja", "ko": "ko", "es": "es", "de": "de", "fr": "fr"})
# Message ids only the staff workbench shows: kept in en + zh-Hans, not translated here.
STAFF_ONLY_PREFIX = "workbench."


def customer_facing(msgid: str) -> bool:
    """True for a msgid that every customer locale must translate."""
    return not msgid.startswith(STAFF_ONLY_PREFIX)


def load(locale: str) -> dict[str, str]:
    """The hand-written translations of one locale (msgid -> text).

    A locale whose module does not exist yet gives an empty dict (its catalog then falls back
    to English), so the generator keeps working while translations are being written."""
    module_name = MODULES[locale]
    try:
        module = importlib.import_module(f"{__name__}.{module_name}")
    except ModuleNotFoundError as missing:
        if missing.name != f"{__name__}.{module_name}":
            raise
        return {}
    return dict(module.TEXT)


def placeholders(text: str) -> list[str]:
    """The `{name}` fields of a str.format text, sorted (the order may differ between languages)."""
    return sorted(field for _, field, _, _ in string.Formatter().parse(text) if field is not None)
