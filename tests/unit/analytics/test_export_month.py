"""An export's month is four ASCII digits from 2000 and a month: year 0 or other scripts' digits are
refused by the model (422 at the API), never a 5xx from the date parser."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from aftersales.analytics.exports import ExportRequest


@pytest.mark.parametrize("month", ["0000-01", "1999-12", "２０２６-01", "٢٠٢٦-01", "2026-13", "2026-1"])
def test_months_that_cannot_be_exported_are_refused(month):
    with pytest.raises(ValidationError):
        ExportRequest(month=month)


def test_a_month_is_taken():
    assert ExportRequest(month="2026-11").month == "2026-11"
