from __future__ import annotations

from aftersales.approvals.defaults import default_policy
from aftersales.approvals.policy import Route
from aftersales.approvals.simulation import simulate
from aftersales.core.money import Money
from tests.support.approvals import build_facts


def test_simulation_counts_routes_rules_and_auto_approved_money():
    """GIVEN a mix of tickets WHEN simulated THEN routes, rule hits and auto-approved money add up."""
    tickets = [
        build_facts(5_000, ticket_id="small-cny"),
        build_facts(9_000, "USD", ticket_id="small-usd"),
        build_facts(1_000, ticket_id="abusive", suspected_abuse=True),
        build_facts(300_000, ticket_id="big"),
        build_facts(2_000_000, ticket_id="huge"),
        build_facts(50_000, ticket_id="mid"),
        build_facts(100, ticket_id="risky", risk_score=95),
    ]
    report = simulate(default_policy("t1"), tickets)
    assert report.total == 7
    assert report.by_route == {Route.AUTO_APPROVE: 2, Route.SINGLE_REVIEW: 2, Route.DUAL_REVIEW: 2,
                               Route.SUPERVISOR: 0, Route.BLOCK: 1}
    assert report.auto_approved == {"CNY": Money(amount=5_000, currency="CNY"),
                                    "USD": Money(amount=9_000, currency="USD")}
    assert report.rule_hits["auto-small-cny"] == 2  # the abusive ticket matched, then was upgraded
    assert report.rule_hits["supervisor-keep-item-usd"] == 0
    assert (report.default_hits, report.abuse_upgrades, report.finance_required) == (1, 1, 1)
    assert report.examples[Route.DUAL_REVIEW] == ("big", "huge")


def test_simulation_keeps_a_few_examples_per_route():
    """GIVEN 10,000 tickets from a generator WHEN simulated THEN all are counted and examples stay capped."""
    tickets = (build_facts(n % 300_000, ticket_id=f"t{n}", risk_score=n % 100) for n in range(10_000))
    report = simulate(default_policy("t1"), tickets, examples_per_route=2)
    assert report.total == 10_000
    assert sum(report.by_route.values()) == 10_000
    assert sum(report.rule_hits.values()) + report.default_hits == 10_000
    assert all(len(ids) <= 2 for ids in report.examples.values())
