"""Every customer-facing message (every msgid but the staff workbench's `workbench.*`) is translated
in each of the eight compiled catalogs, with exactly the English placeholders."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest

from aftersales.core.i18n import SUPPORTED
from tools.messages import MESSAGES
from tools.translations import customer_facing, placeholders

LOCALES_DIR = Path(__file__).resolve().parents[3] / "shared" / "aftersales" / "locales"
ENGLISH = {msgid: en for msgid, en, _ in MESSAGES}


def compiled(locale: str) -> gettext.GNUTranslations:
    with open(LOCALES_DIR / locale.replace("-", "_") / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        return gettext.GNUTranslations(fh)


@pytest.mark.parametrize("locale", SUPPORTED)
def test_every_customer_facing_message_is_translated_with_the_english_placeholders(locale):
    catalog = compiled(locale)
    missing, wrong = [], {}
    for msgid, english in ENGLISH.items():
        if not customer_facing(msgid):
            continue
        text = catalog.gettext(msgid)
        if text == msgid or not text.strip():
            missing.append(msgid)
        elif placeholders(text) != placeholders(english):
            wrong[msgid] = (placeholders(english), placeholders(text))
    assert not missing, f"{locale}: {len(missing)} untranslated (add to tools/translations, `make i18n`): {missing}"
    assert not wrong, f"{locale}: placeholders differ from English: {wrong}"


def test_the_eight_customer_locales_and_only_the_workbench_stays_in_two():
    from tools.workbench_messages import LOCALES as WORKBENCH

    assert set(SUPPORTED) == {"en", "zh-Hans", "zh-Hant", "ja", "ko", "es", "de", "fr"}
    assert WORKBENCH == ("en", "zh-Hans")
    assert compiled("de").gettext("workbench.nav.queue") == "workbench.nav.queue"  # not translated, by decision


def test_placeholders_are_compared_by_name_and_count_not_order():
    assert placeholders("{a} then {b}") == placeholders("{b} vor {a}")
    assert placeholders("{a} {a}") != placeholders("{a}")
    assert placeholders("Status: {status}") != placeholders("Status: {state}")
