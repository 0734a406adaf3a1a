"""The SLA figures' day buckets on the SLA table under moto: an outcome saved, saved again (breached,
then completed late) and repeated moves its day bucket in one transaction; an outcome saved before
the projection is counted by the backfill (in process, and by its function step after step),
once; a stale save is refused; each figure is one Query
of the range's buckets, whatever the number of outcomes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from aftersales.adapters.dynamo.sla import SlaItem
from aftersales.core.clock import iso
from aftersales.sla.figure_days import Contribution
from aftersales.sla.figures import SlaOutcome, compliance, daily_timeouts, responsible_ranking
from aftersales.sla.ports import OutcomeConflict
from aftersales.wiring import services
from bench.support import RequestCounter
from tests.support.lambdas import FakeContext, load_handler

ZONE = "Asia/Shanghai"  # the tenant has no calendar: the default zone of its days
FIRST, LAST = date(2026, 11, 20), date(2026, 11, 26)
START = datetime(2026, 11, 20, 20, tzinfo=UTC)  # 04:00 on the 21st in Shanghai


def outcome(ticket: str, agent: str, *, breached: datetime | None = None, completed: datetime | None = None,
            started: datetime = START) -> SlaOutcome:
    return SlaOutcome(tenant_id="acme", ticket_id=ticket, metric="resolution", ticket_type="return_refund",
                      customer_tier="vip", channel="web", agent_id=agent, team_id="north", started_at=started,
                      due_at=started + timedelta(hours=8), breached_at=breached, completed_at=completed)


def saved_before_the_projection(o: SlaOutcome) -> None:
    """An outcome item as the store wrote it before the day buckets (no version, not counted)."""
    decided = o.decided_at
    SlaItem(pk=f"acme#TKT#{o.ticket_id}", sk="OUT#resolution#1", doc=o.model_dump(mode="json"),
            gsi2pk=f"acme#OUT#{decided.date().isoformat()}", gsi2sk=f"{iso(decided)}#{o.ticket_id}#resolution#1").save()


@pytest.fixture
def sla(aws):
    svc = services()
    svc.tenants.create_tenant("acme", "Acme")
    return svc.sla


def test_saves_resaves_and_the_backfill_count_each_outcome_once(sla):
    """GIVEN a breach later completed, an outcome met in time, a repeated save, and one outcome saved
    before the projection WHEN the backfill runs (twice) THEN the figures read from the buckets are the
    figures of the final outcomes."""
    breached = outcome("t-1", "ann", breached=START + timedelta(hours=8))
    late = breached.model_copy(update={"completed_at": START + timedelta(hours=30)})
    met = outcome("t-2", "bob", completed=START + timedelta(hours=2))
    earlier = outcome("t-3", "ann", breached=START + timedelta(days=2))
    assert sla.record_outcome(breached, 1) and sla.record_outcome(late, 1)
    assert sla.record_outcome(met, 1) and not sla.record_outcome(met, 1)
    saved_before_the_projection(earlier)

    assert sla.backfill_figures("acme", FIRST, LAST) == 1
    assert sla.backfill_figures("acme", FIRST, LAST) == 0

    final = [late, met, earlier]
    assert sla.daily_timeouts("acme", FIRST, LAST).items == daily_timeouts(final, ZONE)
    assert sla.ranking("acme", FIRST, LAST, "agent").items == responsible_ranking(final, "agent")
    assert sla.compliance("acme", FIRST, LAST).items == compliance(final, FIRST, LAST, ZONE)
    assert sla.daily_timeouts("acme", FIRST, LAST).zone == ZONE


def test_a_save_over_a_changed_outcome_is_refused_and_moves_no_bucket(sla):
    """GIVEN a stored outcome WHEN a write still expects no outcome there (it read before the first
    save) THEN OutcomeConflict, and the bucket keeps the first save's counts."""
    store = services().sla_tables.deadlines
    first = outcome("t-1", "ann", breached=START + timedelta(hours=8))
    sla.record_outcome(first, 1)
    other = outcome("t-1", "ann", completed=START + timedelta(hours=1))
    with pytest.raises(OutcomeConflict):
        store.save_outcome(other, 1, Contribution(), {FIRST: {"t|resolution": 5}}, None)
    assert store.outcome("acme", "t-1", "resolution#1").outcome == first
    assert [r.breaches for r in sla.daily_timeouts("acme", FIRST, LAST).items] == [1]


def test_each_figure_is_one_query_whatever_the_number_of_outcomes(sla):
    """GIVEN 60 outcomes over a week WHEN each figure of the week is read THEN each read is one Query
    of the SLA table (the zone is known from the first read on)."""
    for n in range(60):
        started = START + timedelta(hours=n * 3)
        sla.record_outcome(outcome(f"t-{n}", f"agent-{n % 4}", started=started,
                                   breached=started + timedelta(hours=8) if n % 3 == 0 else None,
                                   completed=None if n % 3 == 0 else started + timedelta(hours=2)), 1)
    sla.daily_timeouts("acme", FIRST, LAST)
    table = SlaItem.Meta.table_name
    for read in (lambda: sla.daily_timeouts("acme", FIRST, LAST), lambda: sla.ranking("acme", FIRST, LAST, "team"),
                 lambda: sla.compliance("acme", FIRST, LAST)):
        counter = RequestCounter()
        with counter.counting():
            assert read().items
        assert dict(counter.calls) == {("dynamodb", "Query", table): 1}


def test_the_backfill_function_steps_through_the_days_until_done(sla, aws):
    """GIVEN two outcomes saved before the projection, on two UTC days WHEN the backfill function is
    invoked with its own answers until done THEN both are counted, and a second run counts none."""
    saved_before_the_projection(outcome("t-1", "ann", breached=START + timedelta(hours=8)))
    saved_before_the_projection(outcome("t-2", "bob", breached=START + timedelta(days=3)))
    handler = load_handler("sla_figures_backfill")

    def run() -> int:
        event, counted, steps = {"tenant_id": "acme", "first": FIRST.isoformat(), "last": LAST.isoformat()}, 0, 0
        while True:
            answer = handler.lambda_handler(event, FakeContext("sla_figures_backfill"))
            counted, steps = counted + answer["counted"], steps + 1
            if answer["done"]:
                assert steps == (LAST - FIRST).days + 1  # one step per UTC day (each a single page here)
                return counted
            event = answer

    assert (run(), run()) == (2, 0)
    assert sum(r.breaches for r in sla.daily_timeouts("acme", FIRST, LAST).items) == 2
