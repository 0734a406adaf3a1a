"""Money, dates and relative times per customer locale (aftersales.core.formatting, Babel/CLDR),
and stored language tags read as supported locales."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import TypeAdapter, ValidationError

from aftersales.core import formatting
from aftersales.core.i18n import LanguageTag, supported
from aftersales.core.money import Money

NBSP = "\xa0"


@pytest.mark.parametrize("locale,amount,currency,expected", [
    ("de", 3000, "EUR", f"30,00{NBSP}€"), ("de-AT", 3000, "EUR", f"30,00{NBSP}€"), ("en", 3000, "EUR", "€30.00"),
    ("fr", 123456, "EUR", "1\u202f234,56\xa0€"), ("ja", 1234, "JPY", "￥1,234"), ("en", 1234, "JPY", "¥1,234"),
    ("zh-Hans", 12950, "CNY", "¥129.50"), ("ko", 50000, "KRW", "₩50,000"), ("es", 990, "USD", f"9,90{NBSP}US$"),
    ("en", 1234, "KWD", "KWD1.234"),  # three minor digits (ISO), none rounded away
])
def test_money_from_minor_units_by_the_currencys_exponent(locale, amount, currency, expected):
    assert formatting.money(Money(amount=amount, currency=currency), locale) == expected


def test_a_stored_amount_is_formatted_and_anything_else_is_empty():
    assert formatting.money_of({"amount": 3000, "currency": "EUR"}, "de") == f"30,00{NBSP}€"
    assert formatting.money_of({"amount": 3000}, "de") == "" and formatting.money_of(None, "de") == ""


def test_times_in_the_customers_zone_named_and_to_the_minute():
    at = datetime(2026, 12, 5, 8, 0, 30, tzinfo=UTC)
    assert formatting.moment_with_zone(at, "de", "Europe/Berlin") == "05.12.2026, 09:00 MEZ"
    assert formatting.moment_with_zone(at, "de", None) == "05.12.2026, 08:00 UTC"
    assert formatting.moment_with_zone(at, "de", "Not/AZone") == "05.12.2026, 08:00 UTC"  # unknown: UTC
    assert formatting.moment(at, "zh-Hans", "Asia/Shanghai") == "2026年12月5日 16:00"
    assert formatting.moment(at.isoformat(), "ja") == "2026/12/05 8:00"
    with pytest.raises(ValueError):
        formatting.moment(datetime(2026, 12, 5, 8, 0), "de")  # naive: refused, never guessed


def test_the_day_is_the_customers_day():
    late = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)
    assert formatting.day(late, "de", "Asia/Shanghai") == "4. Dezember 2026"
    assert formatting.day(late, "en") == "December 3, 2026"
    assert formatting.day(date(2026, 12, 3), "fr") == "3 décembre 2026"


@pytest.mark.parametrize("locale,delta,expected", [
    ("de", timedelta(days=2), "in 2 Tagen"), ("de", timedelta(hours=-3), "vor 3 Stunden"),
    ("en", timedelta(days=2), "in 2 days"), ("zh-Hans", timedelta(days=2), "2天后"),
    ("zh-Hant", timedelta(days=2), "2 天後"),
    ("es", timedelta(days=2), "dentro de 2 días"), ("fr", timedelta(days=2), "dans 2 jours"),
])
def test_relative_times(locale, delta, expected):
    assert formatting.relative(delta, locale) == expected


@pytest.mark.parametrize("tag,expected", [
    ("de-AT", "de"), ("de-CH", "de"), ("zh-TW", "zh-Hant"), ("zh-hk", "zh-Hant"), ("zh-CN", "zh-Hans"),
    ("es-419", "es"), ("fr-CA", "fr"), ("ja-JP", "ja"), ("ko-KR", "ko"), ("en-GB", "en"),
])
def test_a_stored_tag_reads_its_languages_catalog(tag, expected):
    assert supported(tag) == expected
    assert TypeAdapter(LanguageTag).validate_python(tag) == expected


@pytest.mark.parametrize("tag", ["pt-BR", "x", "de_DE", "", "de-" + "a" * 40])
def test_an_unsupported_or_malformed_stored_tag_is_refused(tag):
    with pytest.raises(ValidationError):
        TypeAdapter(LanguageTag).validate_python(tag)
