"""The supervisor dashboard's load with its two weeks of decided tickets (in-process API on moto,
counted at botocore): the reads the dashboard screen makes when it opens, each timed and counted.
The SLA outcomes are spread over the 14 days, saved as the SLA engine saves them (each moves its
local day's figures bucket in the same transaction), and the analytics buckets of those days and
their month carry the same tickets. Both kinds of figures read per-day buckets, so they grow with
days and dimensions (agents, teams, groups), not with tickets. Time is moto's in-process time, not
DynamoDB's latency.

1,000 tickets by default: moto backs up the whole table (copy.deepcopy) before every transaction,
so seeding through the engine's transactions costs the square of the outcomes in time and memory
(1,000: 120 s; 10,000 ran out of the machine's 24 GB) — moto's cost, not DynamoDB's. With 1,000
outcomes every agent, team and type x tier x channel group of the seed is already in each day's
bucket, so the reads are those of any larger number."""

from __future__ import annotations

import os
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from bench.report import Section
from bench.support import counted_request, local_aws

TICKETS = int(os.environ.get("BENCH_DASHBOARD_TICKETS", "1000"))
FIRST, LAST = date(2026, 11, 17), date(2026, 11, 30)  # the dashboard's default: two weeks of local days
AGENTS, TEAMS = 40, 5
TYPES = ("return_refund", "refund_only", "exchange", "complaint", "repair")
REASONS = ("quality", "wrong_item", "damaged", "missing_item", "changed_mind")
CHANNELS = ("app", "web", "wecom", "email")


def _outcomes(sla) -> None:
    from aftersales.sla.figures import SlaOutcome

    days = (LAST - FIRST).days + 1
    for n in range(TICKETS):
        day = datetime.combine(FIRST + timedelta(days=n % days), datetime.min.time(), UTC)
        started = day + timedelta(minutes=n % 600)
        breached = n % 7 == 0
        sla.record_outcome(SlaOutcome(
            tenant_id="bench", ticket_id=f"tkt_bench_{n:05d}", metric="resolution", ticket_type=TYPES[n % len(TYPES)],
            customer_tier=("standard", "vip")[n % 2], channel=CHANNELS[n % len(CHANNELS)],
            agent_id=f"agent-{n % AGENTS}", team_id=f"team-{n % TEAMS}", started_at=started,
            due_at=started + timedelta(hours=24), completed_at=None if breached else started + timedelta(hours=3),
            breached_at=started + timedelta(hours=24) if breached else None), cycle=1)


def _buckets() -> None:
    """Each day's share of the tickets in its day bucket and in the month's, through the store's commit."""
    from aftersales.adapters.dynamo.analytics import DynamoAnalyticsStore
    from aftersales.analytics.model import BucketDelta, Period, TicketFacts
    from aftersales.analytics.ports import StoredSketch
    from aftersales.analytics.sketch import DurationSketch
    from aftersales.core.settings import AnalyticsSettings

    store = DynamoAnalyticsStore(AnalyticsSettings.from_env().analytics_table)
    days = (LAST - FIRST).days + 1
    per_day = TICKETS // days
    for i in range(days):
        d = FIRST + timedelta(days=i)
        sketch = DurationSketch()
        for s in range(per_day):
            sketch.add(600 + s * 7)
        for period in (Period.day(d), Period.month(d)):
            deltas = []
            for metric in ("opened", "returns", "resolved", "refunds"):
                delta = BucketDelta(period, metric)
                for k in range(per_day):
                    delta.add(f"type={TYPES[k % len(TYPES)]}")
                    delta.add(f"reason={REASONS[k % len(REASONS)]}")
                    delta.add(f"channel={CHANNELS[k % len(CHANNELS)]}")
                if metric == "refunds":
                    delta.add_amount("all=all", "CNY", per_day * 9_500)
                delta.add("all=all", per_day)
                deltas.append(delta)
            stored = store.sketches("bench", 0, [period])
            version = stored[0].version if stored else 0
            store.commit(TicketFacts(tenant_id="bench", ticket_id=f"seed-{i}-{period.grain}", version=1), 0, deltas,
                         [StoredSketch(period, sketch.encode(), version)])


def run() -> list[Section]:
    from aftersales.tickets.model import Role
    from aftersales.wiring import services
    from tests.support.api_client import ApiClient

    section = Section(f"Workbench dashboard with {TICKETS:,} tickets in its two weeks (in-process API on moto)",
                      ["read", "DynamoDB requests", "median ms", "max ms (5 runs)"])
    with local_aws():
        if len(os.environ.get("SURVEY_LINK_SECRET", "")) < 32:  # a template parameter, empty on moto
            os.environ["SURVEY_LINK_SECRET"] = "bench-survey-link-secret-0123456789"
        svc = services()
        svc.tenants.create_tenant("bench", "Bench")
        started = time.perf_counter()
        _outcomes(svc.sla)  # as the SLA engine records them: the outcome and its day bucket
        _buckets()
        seeded = time.perf_counter() - started
        svc.tenants.put_staff("bench", "sup-1", "Supervisor", frozenset({Role.SUPERVISOR}))
        auth = {"Authorization": f"Bearer {svc.tenants.mint_staff_token('bench', 'sup-1', timedelta(hours=1))}"}
        client = ApiClient()
        first, last = FIRST.isoformat(), LAST.isoformat()
        reads = [  # what the dashboard screen asks for when it opens (web/workbench/src/figures.js)
            ("daily timeouts", "/sla/figures/daily-timeouts", {"from": first, "to": last}),
            ("ranking by agent", "/sla/figures/ranking", {"from": first, "to": last, "by": "agent"}),
            ("compliance", "/sla/figures/compliance", {"from": first, "to": last}),
            ("return reasons", "/analytics/return-reasons", {"from": first, "to": last, "grain": "day"}),
            ("ticket types", "/analytics/ticket-types", {"from": first[:7], "to": last[:7]}),
            ("summary (refund amounts, processing times)", "/analytics/summary",
             {"from": first, "to": last, "grain": "day"}),
            ("satisfaction by channel", "/satisfaction/figures", {"dimension": "channel", "period": last[:7]}),
        ]
        medians, total_requests = [], 0
        for label, path, query in reads:
            times, counts = [], []
            for _ in range(5):
                reply, counter, ms = counted_request(client, "GET", path, None, auth, query)
                times.append(ms)
                assert reply.status == 200, (path, reply)
                counts.append(counter.total("dynamodb"))
            medians.append(statistics.median(times))
            total_requests += counts[-1]
            section.rows.append([label, counts[-1], round(statistics.median(times), 1), round(max(times), 1)])
        section.rows.append(["the whole load, one after another", total_requests, round(sum(medians), 1), ""])
        section.rows.append(["the whole load, in parallel (the slowest read)", "", round(max(medians), 1), ""])
    section.notes.append(
        f"Seeded in {seeded:.0f} s: {TICKETS:,} resolution outcomes (one in seven breached) over "
        f"{(LAST - FIRST).days + 1} UTC days, {AGENTS} agents in {TEAMS} teams, and the days' and month's "
        "analytics buckets. The browser sends the reads at once (each chart loads its own). The SLA figures "
        "read one Query of the range's day buckets (the tenant's zone, Asia/Shanghai by default); before the "
        "buckets they read every outcome of the range (a Query per UTC day, 16 requests, paged at 1 MB): "
        "16.5 s, 8.9 s and 9.5 s for the three SLA reads at 10,000 tickets (2026-12-03).")
    return [section]
