"""The replayed day's inputs (bench/day.py, bench/aws_prices.py): the generated day is the same for
the same seed and holds its promised mix, and the list-price arithmetic and DynamoDB sizing follow
the published rules. The replay itself runs in `make bench`, never here."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.aws_prices import Usage, cost, item_size, lambda_gb_seconds, per_thousand, read_units, write_units
from bench.day import generate


@settings(max_examples=15, deadline=None)
@given(tickets=st.integers(min_value=20, max_value=400), seed=st.integers(min_value=0, max_value=2**32))
def test_a_day_is_the_same_for_the_same_seed_and_keeps_its_mix(tickets, seed):
    """GIVEN a size and a seed WHEN the day is generated twice THEN both days are equal, have exactly
    that many tickets in arrival order, every abuse pattern present at a few per cent, each ticket on
    its own order, and abusive tickets are never the ones left unanswered."""
    day = generate(tickets, seed)
    assert day == generate(tickets, seed)
    assert len(day.tickets) == tickets
    assert [t.at_second for t in day.tickets] == sorted(t.at_second for t in day.tickets)
    assert {t.abuse for t in day.abusive} == {"scalper", "serial_refunder"}
    assert len(day.abusive) <= max(6, round(tickets * 0.06)) and len(day.abusive) >= 6
    assert len({t.order_id for t in day.tickets}) == tickets
    assert not any(t.unanswered for t in day.abusive)
    scalpers = [t.customer for t in day.tickets if t.abuse == "scalper"]
    assert len({c.id for c in scalpers}) == len(scalpers)  # many accounts ...
    assert len({c.device for c in scalpers}) < len(scalpers)  # ... sharing devices


def test_another_seed_gives_another_day():
    assert generate(50, 1) != generate(50, 2)


def test_cost_is_quantity_times_list_price():
    """GIVEN a million write units, 100,000 invocations of 1 GB for 0.1 s and 4,000 state transitions
    WHEN priced THEN 0.625 + 0.02 + 0.133334 + 0.10 = 0.878334 USD, the same per 1,000 of 1,000 tickets."""
    usage = Usage()
    usage.add("dynamodb_write_request_units", 1_000_000)
    usage.add("lambda_requests", 100_000)
    usage.add("lambda_gb_seconds_arm64", 100_000 * lambda_gb_seconds(0.1, 1024))
    usage.add("stepfunctions_state_transitions", 4_000)
    lines = cost(usage)
    assert lines["dynamodb_write_request_units"] == Decimal("0.625")
    assert lines["lambda_requests"] == Decimal("0.02")
    assert lines["lambda_gb_seconds_arm64"] == Decimal("0.133334")
    assert lines["stepfunctions_state_transitions"] == Decimal("0.1")
    assert lines["total"] == Decimal("0.878334")
    assert per_thousand(lines["total"], 1_000) == Decimal("0.878334")
    assert per_thousand(lines["total"], 0) == 0


def test_dynamodb_units_follow_the_sizing_rules():
    """GIVEN items of known size WHEN sized THEN a write unit per started KB, a read unit per started
    4 KB (half for an eventually consistent read), at least one of each."""
    small = {"pk": {"S": "t#1"}, "n": {"N": "12345"}, "ok": {"BOOL": True}}
    assert item_size(small) == (2 + 3) + (1 + 4) + (2 + 1)
    big = {"pk": {"S": "x" * 2000}}
    assert write_units(item_size(big)) == 2
    assert write_units(0) == 1
    assert read_units(item_size(big), consistent=True) == 1
    assert read_units(item_size(big), consistent=False) == 0.5
    assert read_units(9000, consistent=True) == 3
    nested = {"m": {"M": {"a": {"L": [{"S": "b"}]}}}}
    assert item_size(nested) == 1 + (3 + 1 + 1 + (3 + 1 + 1))
