from __future__ import annotations

from collections.abc import Callable

import pytest

from aftersales.approvals.facts import TicketFacts
from tests.support.approvals import build_facts


@pytest.fixture
def make_facts() -> Callable[..., TicketFacts]:
    return build_facts
