"""Which warehouse a return goes to, the authorisation number, and what a declaration accepts (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from aftersales.crossborder.model import DeclaredLine, ReturnDestinations
from aftersales.crossborder.service import authorisation_number

HUBS = ReturnDestinations.model_validate({"warehouses": [
    {"id": "sz", "name": "Shenzhen", "country": "CN", "address_lines": ["1 Keji Road"], "default": True},
    {"id": "fra", "name": "Frankfurt", "country": "DE", "address_lines": ["Hafenstr. 5"], "serves": ["FR", "AT"]},
    {"id": "la", "name": "Los Angeles", "country": "US", "address_lines": ["5 Harbor Blvd"]}]})


@pytest.mark.parametrize("country, warehouse", [("FR", "fra"), ("DE", "fra"), ("US", "la"), ("CN", "sz"),
                                                ("BR", "sz")])
def test_a_return_goes_to_the_warehouse_serving_the_country_then_one_in_it_then_the_default(country, warehouse):
    assert HUBS.for_country(country).id == warehouse


def test_without_a_default_an_unserved_country_has_no_warehouse():
    no_default = ReturnDestinations(warehouses=[w.model_copy(update={"default": False}) for w in HUBS.warehouses])
    assert no_default.for_country("BR") is None


@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_the_authorisation_number_is_stable_short_and_per_ticket(tenant, ticket):
    number = authorisation_number(tenant, ticket)
    assert number == authorisation_number(tenant, ticket) and len(number) == 13 and number.startswith("RA-")
    assert number != authorisation_number(tenant, ticket + "x")


@pytest.mark.parametrize("code, stored", [("6912.00", "691200"), ("8516 71 00", "85167100"), ("851671", "851671")])
def test_hs_codes_keep_their_digits(code, stored):
    line = DeclaredLine(line_id="L1", quantity=1, hs_code=code, country_of_origin="CN",
                        declared_value={"amount": 100, "currency": "EUR"})
    assert line.hs_code == stored


@pytest.mark.parametrize("code", ["6912", "69120000001", "69A200", ""])
def test_an_hs_code_is_six_to_ten_digits(code):
    with pytest.raises(ValidationError):
        DeclaredLine(line_id="L1", quantity=1, hs_code=code, country_of_origin="CN",
                     declared_value={"amount": 100, "currency": "EUR"})
