"""SMS numbers: checked against libphonenumber's plans and stored in E.164; anything else is a 422
naming the field, never an exception of another kind."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.core.contacts import valid_mobile
from aftersales.core.errors import InvalidRequest


@pytest.mark.parametrize(("raw", "e164"), [
    ("13800138000", "+8613800138000"),  # a Chinese national mobile number
    ("+86 138-0013-8000", "+8613800138000"),
    ("+44 7911 123456", "+447911123456"),  # a UK mobile
    ("+1 (415) 555-2671", "+14155552671"),  # the US plan does not tell mobile from fixed line
])
def test_mobile_numbers_are_stored_in_e164(raw, e164):
    assert valid_mobile(raw, "address") == e164


@pytest.mark.parametrize("raw", [
    "010-12345678",  # a Beijing landline: it cannot take a text
    "+86 138",  # too short
    "12345",
    "not a number",
    "+86138\x0000138000",  # a control character inside
    "",
])
def test_what_cannot_take_a_text_is_refused_naming_the_field(raw):
    with pytest.raises(InvalidRequest) as refused:
        valid_mobile(raw, "address")
    assert refused.value.details == {"field": "address"} and refused.value.message_id == "error.invalid_phone"


@given(st.text(max_size=40))
def test_any_text_is_a_number_in_e164_or_a_refusal(raw):
    try:
        number = valid_mobile(raw, "address")
    except InvalidRequest:
        return
    assert number.startswith("+") and number[1:].isdigit()
