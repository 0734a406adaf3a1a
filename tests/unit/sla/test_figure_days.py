"""The SLA figures as per-day buckets: each outcome's contribution to its local day, the delta of a
re-save, the figures read back from buckets, and SlaService.record_outcome on the in-memory store
(conditional writes, retries, the backfill of outcomes saved before the projection). The property
test holds the buckets to the figures over the outcomes themselves (figures.py), its reference."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.core.clock import FixedClock
from aftersales.core.errors import ConcurrentModification, InvalidRequest
from aftersales.dispatch.service import DispatchService
from aftersales.events.ports import EventPublisher
from aftersales.sla.figure_days import (
    Contribution,
    DayBucket,
    bucket_delta,
    compliance_of,
    contribution,
    counter,
    ranking_of,
    timeouts_of,
)
from aftersales.sla.figures import SlaOutcome, compliance, daily_timeouts, responsible_ranking
from aftersales.sla.service import OUTCOME_ATTEMPTS, SlaService
from aftersales.tickets.service import TicketService
from tests.support.fakes.analytics import FixedZones
from tests.support.fakes.dispatch import InMemoryDispatchStore
from tests.support.fakes.sla import InMemorySlaStore
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.sla import utc

SHANGHAI = ZoneInfo("Asia/Shanghai")
BASE = utc(2026, 11, 20)


def outcome(ticket="t-1", *, agent="ann", team="north", breached=None, completed=None, metric="resolution",
            tier="vip", started=BASE):
    return SlaOutcome(tenant_id="acme", ticket_id=ticket, metric=metric, ticket_type="return_refund",
                      customer_tier=tier, channel="web", agent_id=agent, team_id=team, started_at=started,
                      due_at=started + timedelta(hours=8), breached_at=breached, completed_at=completed)


def engine(zone: str = "Asia/Shanghai") -> tuple[SlaService, InMemorySlaStore]:
    clock = FixedClock(BASE)
    tickets = TicketService(InMemoryTicketStore(), clock)
    store = InMemorySlaStore()
    publisher: EventPublisher = _NoEvents()
    return SlaService(store, tickets, DispatchService(InMemoryDispatchStore(), tickets, clock), publisher, clock,
                      approver=None, zones=FixedZones(default=zone)), store  # type: ignore[arg-type]


class _NoEvents:
    def publish(self, source, detail_type, detail) -> None:  # record_outcome publishes nothing
        raise AssertionError("no event expected")


# ---------------------------------------------------------------------- contributions
def test_a_breach_counts_on_the_local_day_of_the_breach():
    """GIVEN a breach at 17:30Z on the 23rd, open since WHEN its contribution in Shanghai is taken
    THEN it is the 24th's: a timeout of its metric, a breach of its agent and team, a breached
    compliance group, and no completion."""
    found = contribution(outcome(breached=utc(2026, 11, 23, 17, 30)), SHANGHAI)
    assert found.day == date(2026, 11, 24)
    assert found.counts == {"t|resolution": 1, "ab|ann": 1, "gb|north": 1,
                            "cb|return_refund|vip|web|resolution": 1}


def test_a_late_completion_adds_its_handling_time_to_the_breach_day():
    """GIVEN a breach at 23:00Z on the 20th completed the next day WHEN contributed in Shanghai THEN it
    stays on the breach's local day (the 21st) with one completion of its handling time in microseconds."""
    found = contribution(outcome(breached=utc(2026, 11, 20, 23), completed=utc(2026, 11, 21, 5, 0, 0, 250)),
                         SHANGHAI)
    handling = (utc(2026, 11, 21, 5, 0, 0, 250) - BASE) // timedelta(microseconds=1)
    assert found.day == date(2026, 11, 21)
    assert (found.counts["ac|ann"], found.counts["ah|ann"], found.counts["t|resolution"]) == (1, handling, 1)


def test_an_open_outcome_contributes_nothing_and_its_first_save_moves_no_bucket():
    assert contribution(outcome(), SHANGHAI) == Contribution()
    assert bucket_delta(None, contribution(outcome(), SHANGHAI)) == {}


def test_a_resave_moves_the_outcome_from_its_old_day_and_group_to_the_new():
    """GIVEN an outcome counted as met on the 20th WHEN it is saved again as breached on the 22nd THEN
    the delta takes it out of the 20th and adds the breach to the 22nd; counters that do not change
    are left out."""
    met = contribution(outcome(completed=utc(2026, 11, 20, 3)), SHANGHAI)
    breached = contribution(outcome(breached=utc(2026, 11, 22, 3)), SHANGHAI)
    delta = bucket_delta(met, breached)
    assert delta[date(2026, 11, 20)] == {k: -v for k, v in met.counts.items()}
    assert delta[date(2026, 11, 22)] == breached.counts
    assert bucket_delta(met, met) == {}


def test_ids_with_the_separator_stay_one_part():
    """GIVEN an agent and a tier whose names hold `|` and `%` WHEN counted and read back THEN the
    ranking and compliance name them as they are."""
    found = contribution(outcome(agent="a|b%7C", tier="金|卡", completed=utc(2026, 11, 20, 3)), SHANGHAI)
    assert counter("ac", "a|b%7C") in found.counts
    bucket = [DayBucket(found.day, found.counts)]
    assert [r.responsible_id for r in ranking_of(bucket, "agent")] == ["a|b%7C"]
    assert [r.customer_tier for r in compliance_of(bucket)] == ["金|卡"]


def test_counters_that_fell_to_zero_count_nothing():
    buckets = [DayBucket(date(2026, 11, 20), {"t|resolution": 0, "ab|ann": 0, "ac|ann": 0, "ah|ann": 0,
                                              "cm|return_refund|vip|web|resolution": 0})]
    assert (timeouts_of(buckets), ranking_of(buckets, "agent"), compliance_of(buckets)) == ([], [], [])


# ---------------------------------------------------------------------- record_outcome
def test_saving_the_same_outcome_again_writes_nothing():
    sla, store = engine()
    decided = outcome(completed=utc(2026, 11, 20, 3))
    assert sla.record_outcome(decided, 1) is True
    assert sla.record_outcome(decided, 1) is False
    assert store.outcome("acme", "t-1", "resolution#1").version == 1
    assert store.buckets == {("acme", date(2026, 11, 20)): contribution(decided, SHANGHAI).counts}


def test_a_concurrent_change_is_retried_and_a_lasting_one_is_a_conflict():
    """GIVEN writes that find the outcome changed meanwhile WHEN fewer than the attempts THEN the save
    goes through once; WHEN as many as the attempts THEN ConcurrentModification and nothing counted."""
    sla, store = engine()
    store.busy = OUTCOME_ATTEMPTS - 1
    assert sla.record_outcome(outcome(breached=utc(2026, 11, 20, 9)), 1)
    assert store.buckets[("acme", date(2026, 11, 20))]["t|resolution"] == 1
    store.busy = OUTCOME_ATTEMPTS
    with pytest.raises(ConcurrentModification):
        sla.record_outcome(outcome("t-2", breached=utc(2026, 11, 20, 9)), 1)
    assert store.buckets[("acme", date(2026, 11, 20))]["t|resolution"] == 1


def test_the_figures_name_the_tenant_zone_and_refuse_a_bad_range():
    sla, _store = engine("Europe/Berlin")
    assert sla.daily_timeouts("acme", date(2026, 11, 1), date(2026, 11, 30)).zone == "Europe/Berlin"
    with pytest.raises(InvalidRequest) as reversed_range:
        sla.compliance("acme", date(2026, 11, 30), date(2026, 11, 1))
    with pytest.raises(InvalidRequest) as too_long:
        sla.ranking("acme", date(2026, 1, 1), date(2026, 11, 1), "agent")
    assert (reversed_range.value.message_id, too_long.value.message_id) == ("sla.bad_date_range",
                                                                            "sla.date_range_too_long")


# ---------------------------------------------------------------------- the property
moments = st.integers(min_value=-3 * 24 * 60, max_value=3 * 24 * 60).map(lambda m: BASE + timedelta(minutes=m))


@st.composite
def outcomes(draw):
    started = draw(moments)
    breached = draw(st.none() | st.integers(1, 2000).map(lambda m: started + timedelta(minutes=m)))
    completed = draw(st.none() | st.integers(0, 3000).map(lambda m: started + timedelta(minutes=m, seconds=7)))
    return outcome(draw(st.sampled_from(["t-1", "t-2", "t-3"])), metric=draw(st.sampled_from(["resolution", "first"])),
                   agent=draw(st.sampled_from(["ann", "bob", "a|b", None])), team=draw(st.sampled_from(["n", None])),
                   tier=draw(st.sampled_from(["vip", "standard"])), started=started, breached=breached,
                   completed=completed)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(zone=st.sampled_from(["Asia/Shanghai", "America/Los_Angeles", "UTC"]),
       earlier=st.lists(st.tuples(outcomes(), st.integers(1, 2)), max_size=4),
       saves=st.lists(st.tuples(outcomes(), st.integers(1, 2), st.integers(0, 2)), max_size=12),
       backfill_at=st.integers(0, 12), first=st.integers(-4, 3), length=st.integers(0, 8))
def test_figures_from_the_buckets_equal_the_figures_of_the_final_outcomes(zone, earlier, saves, backfill_at,
                                                                         first, length):
    """GIVEN outcomes saved before the projection, then any sequence of saves and re-saves (some
    meeting a concurrent change first) and the backfill at any point WHEN the figures of any range
    are read THEN they equal daily_timeouts / responsible_ranking / compliance over the last saved
    version of each outcome."""
    sla, store = engine(zone)
    final: dict[tuple[str, str, int], SlaOutcome] = {}
    for o, cycle in earlier:
        store.save_earlier_outcome(o, cycle)
        final[(o.ticket_id, o.metric, cycle)] = o
    for i, step in enumerate([*saves, None]):
        if i == min(backfill_at, len(saves)):
            sla.backfill_figures("acme", date(2026, 11, 10), date(2026, 11, 30))
        if step is None:
            break
        o, cycle, store.busy = step
        sla.record_outcome(o, cycle)
        final[(o.ticket_id, o.metric, cycle)] = o

    first_day = date(2026, 11, 20) + timedelta(days=first)
    last_day = first_day + timedelta(days=length)
    local = ZoneInfo(zone)
    outcomes_now = list(final.values())
    in_range = [o for o in outcomes_now
                if o.decided_at and first_day <= o.decided_at.astimezone(local).date() <= last_day]
    assert sla.daily_timeouts("acme", first_day, last_day).items == \
        [r for r in daily_timeouts(outcomes_now, zone) if first_day <= r.day <= last_day]
    for by in ("agent", "team"):
        assert sla.ranking("acme", first_day, last_day, by).items == responsible_ranking(in_range, by)
    assert sla.compliance("acme", first_day, last_day).items == compliance(outcomes_now, first_day, last_day, zone)
