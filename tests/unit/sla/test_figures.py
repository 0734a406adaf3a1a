"""Supervisor figures over SLA outcomes."""

from datetime import date, timedelta

from aftersales.sla.figures import SlaOutcome, compliance, daily_timeouts, responsible_ranking
from tests.support.sla import utc


def outcome(ticket, agent, team, *, breached=None, completed=None, metric="resolution", channel="web"):
    return SlaOutcome(
        tenant_id="t1",
        ticket_id=ticket,
        metric=metric,
        ticket_type="return",
        customer_tier="vip",
        channel=channel,
        agent_id=agent,
        team_id=team,
        started_at=utc(2026, 11, 23),
        breached_at=breached,
        completed_at=completed,
    )


OUTCOMES = [
    outcome(
        "a", "ann", "north", breached=utc(2026, 11, 23, 17), completed=utc(2026, 11, 24, 2)
    ),  # 24-11 local
    outcome("b", "ann", "north", completed=utc(2026, 11, 23, 4)),
    outcome("c", "bob", "south", breached=utc(2026, 11, 24, 3)),
    outcome("d", "bob", "south", completed=utc(2026, 11, 23, 2), metric="first_response"),
    outcome("e", "cyd", "south"),  # still open, not breached
]


def test_daily_timeouts_count_breaches_per_local_day():
    """GIVEN breaches at 17:00Z on the 23rd and 03:00Z on the 24th WHEN counted in Shanghai
    THEN both fall on the 24th."""
    [day] = daily_timeouts(OUTCOMES, "Asia/Shanghai")
    assert (day.day, day.metric, day.breaches) == (date(2026, 11, 24), "resolution", 2)


def test_ranking_puts_most_breaches_then_slowest_handling_first():
    """GIVEN ann and bob with one breach each, ann slower WHEN ranked by agent THEN ann, bob, cyd."""
    ranking = responsible_ranking(OUTCOMES, by="agent")
    assert [f.responsible_id for f in ranking] == ["ann", "bob", "cyd"]
    assert ranking[0].mean_handling_time == timedelta(hours=15)
    assert ranking[2].mean_handling_time is None


def test_ranking_by_team_aggregates_members():
    """GIVEN north (ann) and south (bob, cyd) WHEN ranked by team THEN each team sums its members."""
    assert [
        (f.responsible_id, f.breaches, f.completed) for f in responsible_ranking(OUTCOMES, by="team")
    ] == [("north", 1, 2), ("south", 1, 1)]


def test_compliance_counts_decided_outcomes_in_the_range():
    """GIVEN outcomes decided on the 23rd and 24th (UTC) WHEN compliance for the 23rd only
    THEN the met ones of that day count and the open one never does."""
    rows = compliance(OUTCOMES, date(2026, 11, 23), date(2026, 11, 23), "UTC")
    assert [(r.metric, r.met, r.breached, r.compliance_rate) for r in rows] == [
        ("first_response", 1, 0, 1.0),
        ("resolution", 1, 1, 0.5),
    ]
