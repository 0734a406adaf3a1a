"""The one header lookup is case-insensitive, as HTTP field names are."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from aftersales.core.headers import header

NAMES = st.sampled_from(["x-api-key", "authorization", "accept-language", "stripe-signature", "if-match"])


@given(name=NAMES, sent=st.data(), asked=st.data(), value=st.text(max_size=20))
def test_a_header_is_found_whatever_the_casing_on_either_side(name, sent, asked, value):
    """GIVEN a header sent in any casing WHEN it is read in any casing THEN its value comes back."""
    def cased(data):
        return "".join(c.upper() if data.draw(st.booleans()) else c for c in name)

    headers = {"Content-Type": "application/json", cased(sent): value}

    assert header(headers, cased(asked)) == value


def test_an_absent_header_or_no_headers_at_all_is_none():
    """GIVEN an event without the header, or without any headers (API Gateway sends null) THEN None."""
    assert header({"Accept": "*/*"}, "authorization") is None
    assert header(None, "authorization") is None
    assert header({}, "authorization") is None
