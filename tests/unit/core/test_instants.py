"""Points in time a client tells us: with a zone, in UTC, within the years the platform can have seen."""

import pytest
from pydantic import TypeAdapter, ValidationError

from aftersales.core.clock import Instant


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "1999-12-31T23:59:59Z",
                                   "2100-01-01T00:00:00Z", "2026-11-18T10:00:00"])
def test_instants_outside_the_platforms_years_or_without_zone_are_refused(value):
    with pytest.raises(ValidationError):
        TypeAdapter(Instant).validate_python(value)


def test_instants_are_normalised_to_utc():
    assert TypeAdapter(Instant).validate_python("2026-11-18T10:00:00+08:00").isoformat() == "2026-11-18T02:00:00+00:00"
