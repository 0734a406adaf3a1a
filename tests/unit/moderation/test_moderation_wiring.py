"""The container builds the moderation context from its settings on first use."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aftersales.core.clock import FixedClock
from aftersales.core.settings import SettingsMissing
from aftersales.moderation.service import ModerationService
from aftersales.wiring import Container


def test_moderation_needs_its_table_and_is_built_once():
    with pytest.raises(SettingsMissing, match="MODERATION_TABLE is not set"):
        _ = Container(env={}).moderation
    container = Container(env={"MODERATION_TABLE": "moderation"}, clock=FixedClock(datetime(2026, 12, 2, tzinfo=UTC)))
    assert isinstance(container.moderation, ModerationService)
    assert container.moderation is container.moderation
