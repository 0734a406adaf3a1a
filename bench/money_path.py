"""Money path figures: routing time for a 200-rule policy (in-process), AWS requests and Step
Functions state transitions per refund (request to succeeded), simulator time for 10,000 tickets."""

from __future__ import annotations

import json
import time
from pathlib import Path

from bench.report import Section, p50_p99
from bench.support import ROOT, RequestCounter, local_aws


def _policy_200():
    from aftersales.approvals.policy import ApprovalPolicy

    rules = [{"id": f"r{i:03d}", "route": "single_review",
              "when": {"channels": [f"channel-{i}"], "amount": {"min": {"amount": i * 100, "currency": "CNY"}},
                       "risk_score": {"min": i % 50}}} for i in range(199)]
    rules.append({"id": "auto-small", "route": "auto_approve",
                  "when": {"amount": {"max": {"amount": 9999, "currency": "CNY"}}, "risk_score": {"max": 39}}})
    return ApprovalPolicy.model_validate({"tenant_id": "bench", "version": 1, "default_route": "single_review",
                                          "rules": rules})


def _facts(i: int):
    from aftersales.approvals.facts import HistoryWindow, RiskView, TicketFacts
    from aftersales.core.money import Money

    return TicketFacts(ticket_id=f"t{i}", requester_id="c", ticket_type="refund_only", channel="app",
                       customer_tier="standard", amount=Money(amount=1000 + (i * 37) % 50_000, currency="CNY"),
                       history=(HistoryWindow(days=30, count=i % 4, amount=Money(amount=0, currency="CNY")),),
                       risk=RiskView(score=(i * 7) % 100, suspected_abuse=(i % 17 == 0)))


def routing() -> Section:
    from aftersales.approvals.routing import route

    policy = _policy_200()
    facts = [_facts(i) for i in range(500)]
    samples = []
    for _ in range(4):
        for f in facts:
            started = time.perf_counter()
            route(policy, f)
            samples.append((time.perf_counter() - started) * 1e6)
    p50, p99 = p50_p99(samples)
    section = Section("Routing decision, 200-rule policy (in-process)", ["samples", "median µs", "p99 µs"])
    section.rows.append([len(samples), round(p50, 1), round(p99, 1)])
    section.notes.append("Worst case for first-match: 199 rules fail before the last one (or the default) decides.")
    return section


def simulator() -> Section:
    from aftersales.approvals.defaults import default_policy
    from aftersales.approvals.simulation import simulate

    facts = [_facts(i) for i in range(10_000)]
    section = Section("Policy simulator, 10,000 tickets (facts in memory)", ["policy", "seconds", "auto-approved"])
    for name, policy in (("default (7 rules)", default_policy("bench")), ("200 rules", _policy_200())):
        started = time.perf_counter()
        report = simulate(policy, facts)
        section.rows.append([name, round(time.perf_counter() - started, 3), report.by_route["auto_approve"]])
    section.notes.append("Through the API each ticket also costs its facts: 1 order read + 1 risk-counter read "
                         "+ 1 audit query (the API caps a simulation at 1,000 tickets).")
    return section


def _state_transitions(polls: int) -> int:
    """States entered by refund.asl.json from Grant to Complete for `polls` pending answers."""
    definition = json.loads(Path(ROOT / "infra/statemachines/refund.asl.json").read_text())
    expected = {"Grant", "Attempt", "Settled?", "WaitForProvider", "Poll", "CountPoll", "Complete"}
    assert expected <= set(definition["States"])
    return 3 + 4 * polls + 1  # Grant, Attempt, Settled? + (Wait, Poll, CountPoll, Settled?) x polls + Complete


def per_refund() -> Section:
    from aftersales.adapters.sandbox_payments import SandboxBehaviour, SandboxPaymentProvider
    from aftersales.orders.domain import Order
    from aftersales.refunds.service import grant_id_for
    from aftersales.tickets.domain import Actor, LineRequest, OpenTicket
    from aftersales.tickets.model import Role
    from aftersales.wiring import services
    from tests.support.tickets import order_payload, walk

    section = Section("Per refund, request (refund_pending) to succeeded",
                      ["provider", "DynamoDB requests", "calls", "SFN state transitions"])
    with local_aws("RefundTaskFunction"):
        svc = services()
        system = Actor(id="bench", roles=frozenset({Role.SYSTEM}))
        for polls in (0, 1):
            order_id = f"O-{polls}"
            svc.tickets.upsert_order("bench", Order.model_validate(order_payload(order_id)))
            ticket = svc.tickets.open("bench", OpenTicket(type="refund_only", order_id=order_id, channel="app",
                                                          reason_code="quality",
                                                          lines=[LineRequest(line_id="L1", quantity=1)]), system)
            # approved by a recorded review, then the fulfilment step (the warrants the real flow hands over)
            ticket = walk(svc.tickets, "bench", ticket.id, "pending_approval", "approved", "refund_pending")
            settle = 0 if polls == 0 else 3600
            provider = SandboxPaymentProvider("bench", svc.clock, SandboxBehaviour(settle_seconds=settle))
            svc.payments.use("bench", provider)
            grant_id = grant_id_for(ticket.id, ticket.version)
            counter = RequestCounter()
            refunds = svc.refunds
            with counter.counting():
                refunds.grant("bench", ticket.id, grant_id)
                refunds.attempt("bench", ticket.id, grant_id)
                if polls:
                    provider.behaviour.settle_seconds = 0
                    refunds.poll("bench", ticket.id, grant_id)
                refunds.complete("bench", ticket.id, grant_id)
            section.rows.append([f"sandbox, {'settled at once' if polls == 0 else '1 poll'}",
                                 counter.total("dynamodb"), counter.describe(), _state_transitions(polls)])
    section.notes.append("DynamoDB requests include the sandbox provider's own reads/writes (1-2 per call); "
                         "with Stripe those become HTTPS calls. State transitions are counted from the "
                         "definition's path (Step Functions Standard bills per transition).")
    return section


def run() -> list[Section]:
    return [routing(), simulator(), per_refund()]
