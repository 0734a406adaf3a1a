import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from aftersales.core.i18n import negotiate, translate
from aftersales.core.money import MAX_AMOUNT, CurrencyMismatch, Money


@pytest.mark.parametrize("header,expected", [
    (None, "en"), ("", "en"), ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans"), ("en-GB,en;q=0.9", "en"),
    ("fr-FR, zh-Hant-TW;q=0.5", "fr"), ("fr;q=0.1, zh-Hant-TW;q=0.5", "zh-Hant"), ("fr;q=1, en;q=0.1", "fr"),
    ("zh;q=0, en", "en"), ("de", "de"), ("*", "en"), ("en;q=0.2, zh-Hans;q=0.8", "zh-Hans"),
    ("zh-TW", "zh-Hant"), ("zh-HK,zh;q=0.8", "zh-Hant"), ("zh-MO", "zh-Hant"), ("zh-Hant", "zh-Hant"),
    ("zh-SG", "zh-Hans"), ("ja-JP", "ja"), ("ko-KR", "ko"), ("es-419", "es"), ("es-MX,en;q=0.5", "es"),
    ("de-AT", "de"), ("de-CH-1996", "de"), ("fr-CA", "fr"), ("it-IT, de;q=0.3, fr;q=0.7", "fr"),
    ("pt-BR, it", "en"), ("ja;q=0.5, ko;q=0.5", "ja"), ("de;q=abc, ko", "ko"),
])
def test_accept_language_negotiation(header, expected):
    assert negotiate(header) == expected


def test_catalogs_translate_and_fill_parameters():
    assert translate("status.refunded", "zh-Hans") == "已退款"
    assert translate("error.ticket_not_found", "en", ticket_id="tkt_1") == "Ticket tkt_1 was not found."
    assert translate("error.no_such_message", "zh-Hans") == "error.no_such_message"


def test_compiled_catalogs_match_their_source():
    from pathlib import Path

    from tools.messages import MESSAGES
    root = Path(__file__).resolve().parents[3] / "shared" / "aftersales" / "locales"
    for locale, column in (("en", 1), ("zh_Hans", 2)):
        po = (root / locale / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
        for row in MESSAGES:
            assert f'msgid "{row[0]}"' in po, f"{locale} catalog is stale: run make i18n"
        assert translate(MESSAGES[-1][0], locale.replace("_", "-")) == MESSAGES[-1][column]


@given(st.integers(0, MAX_AMOUNT // 2), st.integers(0, MAX_AMOUNT // 2))
def test_money_adds_in_minor_units(a, b):
    assert (Money(amount=a, currency="CNY") + Money(amount=b, currency="CNY")).amount == a + b


def test_money_refuses_floats_negatives_and_mixed_currencies():
    with pytest.raises(ValidationError):
        Money(amount=1.5, currency="USD")
    with pytest.raises(ValidationError):
        Money(amount=-1, currency="USD")
    with pytest.raises(CurrencyMismatch):
        Money(amount=1, currency="USD") + Money(amount=1, currency="CNY")
    assert Money(amount=1234, currency="JPY").display() == "1234 JPY"
    assert Money(amount=1234, currency="usd").display() == "12.34 USD"
