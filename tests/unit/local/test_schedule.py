"""Schedule expressions and the scheduled-event shape."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from infra.local.pumps import AppClock, failed_items, scheduled_event
from infra.local.schedule import Cron, rate_seconds
from infra.local.template import Schedule, Target


@pytest.mark.parametrize(("expr", "seconds"), [("rate(1 minute)", 60), ("rate(5 minutes)", 300),
                                               ("rate(2 hours)", 7200), ("rate(1 day)", 86400),
                                               ("cron(0 * * * ? *)", None)])
def test_rate(expr, seconds):
    assert rate_seconds(expr) == seconds


def test_cron_next_after():
    t = datetime(2025, 1, 6, 10, 7, tzinfo=UTC)  # a Monday
    assert Cron("cron(0/15 * * * ? *)").next_after(t) == datetime(2025, 1, 6, 10, 15, tzinfo=UTC)
    assert Cron("cron(30 9 ? * MON-FRI *)").next_after(t) == datetime(2025, 1, 7, 9, 30, tzinfo=UTC)
    assert Cron("cron(0 0 1 * ? *)").next_after(t) == datetime(2025, 2, 1, 0, 0, tzinfo=UTC)
    assert Cron("cron(0 12 L * ? *)").next_after(t) == datetime(2025, 1, 31, 12, 0, tzinfo=UTC)


def test_accelerated_clock_runs_faster():
    clock = AppClock(origin=0.0, speed=2.0)
    assert clock.now() > datetime.now(UTC)


def test_scheduled_event_shape():
    s = Schedule("Fn.Tick", "rate(1 minute)", Target("function", "Fn"),
                 rule_arn="arn:aws:events:us-east-1:123456789012:rule/r")
    ev = scheduled_event(s, datetime(2025, 1, 1, tzinfo=UTC))
    assert ev["source"] == "aws.events" and ev["detail-type"] == "Scheduled Event"
    assert ev["resources"] == ["arn:aws:events:us-east-1:123456789012:rule/r"]
    assert ev["time"] == "2025-01-01T00:00:00Z" and ev["account"] == "123456789012" and ev["detail"] == {}


def test_partial_batch_response():
    assert failed_items(None, {"a"}) == set()
    assert failed_items({"batchItemFailures": []}, {"a"}) == set()
    assert failed_items({"batchItemFailures": [{"itemIdentifier": "a"}]}, {"a", "b"}) == {"a"}
    assert failed_items({"batchItemFailures": [{"itemIdentifier": ""}]}, {"a"}) is None  # whole batch fails
    assert failed_items({"batchItemFailures": [{"itemIdentifier": "zz"}]}, {"a"}) is None
