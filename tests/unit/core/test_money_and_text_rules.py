"""The central input rules: circulating ISO 4217 currencies, bounded amounts, text without control
characters."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from aftersales.core.money import CURRENCIES, MAX_AMOUNT, Money
from aftersales.core.text import Description, label


def test_currencies_cover_every_legal_tender_cldr_knows_today():
    # GIVEN Babel's CLDR territory data WHEN we collect every territory's tender currency today
    from babel.core import get_global
    from babel.numbers import get_territory_currencies

    tenders = {c for territory in get_global("territory_currencies")
               for c in get_territory_currencies(territory, date(2026, 12, 1), tender=True)}
    # THEN each is accepted, and nothing outside ISO 4217's three letters is
    assert tenders <= CURRENCIES
    assert all(len(c) == 3 and c.isalpha() and c.isupper() for c in CURRENCIES)


@pytest.mark.parametrize("code", ["XXX", "XTS", "XAU", "XDR", "ABC", "US", "usdx"])
def test_codes_that_are_no_money_are_refused(code):
    # GIVEN "no currency", the testing code, gold, SDRs or made-up codes WHEN money is built THEN it is refused
    with pytest.raises(ValidationError) as exc:
        Money(amount=1, currency=code)
    assert exc.value.errors()[0]["loc"] == ("currency",)


def test_amounts_stop_at_what_one_provider_payment_carries():
    # GIVEN the largest amount WHEN one more minor unit is asked for THEN it is refused (no 10^30 prices)
    assert Money(amount=MAX_AMOUNT, currency="IDR").amount == MAX_AMOUNT
    for amount in (MAX_AMOUNT + 1, 10**30, 2**63):
        with pytest.raises(ValidationError):
            Money(amount=amount, currency="USD")
    with pytest.raises(ValidationError):
        Money(amount="100", currency="USD")  # a string is not an amount


class _Note(BaseModel):
    text: Description
    name: label(64) = "x"


@pytest.mark.parametrize("bad", ["nul\x00", "bell\x07", "cr\r", "esc\x1b[31m", "del\x7f", "c1\x85", "csi\x9b"])
def test_control_characters_are_refused_in_free_text(bad):
    # GIVEN a description with a control character WHEN validated THEN 422-style error at that field
    with pytest.raises(ValidationError) as exc:
        _Note(text=bad)
    assert exc.value.errors()[0]["loc"] == ("text",)


def test_free_text_keeps_line_breaks_tabs_and_any_script_but_labels_are_one_line():
    assert _Note(text="第一行\n\tsecond 👍🏽").text == "第一行\n\tsecond 👍🏽"
    with pytest.raises(ValidationError):
        _Note(text="ok", name="two\nlines")


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))))
def test_text_without_control_characters_is_accepted(text):
    assert _Note(text=text[:4000]).text == text[:4000]
