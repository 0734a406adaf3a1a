"""Replay tickets through a (draft) policy before publishing it. Pure and linear in the tickets."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from pydantic import ConfigDict

from aftersales.core.model import DomainModel
from aftersales.core.money import Money

from .facts import TicketFacts
from .policy import ApprovalPolicy, Route
from .routing import route


class SimulationReport(DomainModel):
    model_config = ConfigDict(frozen=True)

    policy_version: int
    total: int
    by_route: dict[Route, int]
    auto_approved: dict[str, Money]  # per currency
    rule_hits: dict[str, int]  # every rule id, zero when never hit
    default_hits: int
    abuse_upgrades: int
    finance_required: int
    examples: dict[Route, tuple[str, ...]]  # ticket ids, a few per route


def simulate(policy: ApprovalPolicy, tickets: Iterable[TicketFacts], examples_per_route: int = 3
             ) -> SimulationReport:
    by_route: Counter[Route] = Counter()
    rule_hits: Counter[str] = Counter({rule.id: 0 for rule in policy.rules})
    auto_minor: Counter[str] = Counter()
    examples: defaultdict[Route, list[str]] = defaultdict(list)
    default_hits = abuse_upgrades = finance_required = 0
    for facts in tickets:
        decision = route(policy, facts)
        by_route[decision.route] += 1
        if decision.rule_id is None:
            default_hits += 1
        else:
            rule_hits[decision.rule_id] += 1
        if decision.route is Route.AUTO_APPROVE:
            auto_minor[facts.amount.currency] += facts.amount.amount
        abuse_upgrades += any(r.code == "suspected_abuse_needs_human" for r in decision.reasons)
        finance_required += decision.requires_finance
        if len(examples[decision.route]) < examples_per_route:
            examples[decision.route].append(facts.ticket_id)
    return SimulationReport(
        policy_version=policy.version,
        total=sum(by_route.values()),
        by_route={r: by_route[r] for r in Route},
        auto_approved={cur: Money(amount=minor, currency=cur) for cur, minor in sorted(auto_minor.items())},
        rule_hits=dict(rule_hits),
        default_hits=default_hits,
        abuse_upgrades=abuse_upgrades,
        finance_required=finance_required,
        examples={r: tuple(ids) for r, ids in examples.items()},
    )
