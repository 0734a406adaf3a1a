"""SLA/dispatch helpers: `utc` for the pure tests; for the integration tests, moto tables, a
FixedClock wired into every service, and a pump that turns new audit entries into the tracker's SQS
events (as the publisher + rule would) - the `sla` fixture."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from tests.support.lambdas import FakeContext, load_handler
from tests.support.tickets import order_payload

START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in Shanghai


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Harness:
    def __init__(self, clock, notifier) -> None:
        from aftersales.orders.domain import Order
        from aftersales.tickets.domain import Actor
        from aftersales.tickets.model import Role
        from aftersales.wiring import services

        self.clock, self.notifier = clock, notifier
        self.svc = services()
        self.tracker = load_handler("sla_tracker")
        self.sweeper = load_handler("sla_sweeper")
        self.dispatcher = load_handler("dispatcher")
        self.seen: dict[str, int] = {}
        self.store_front = Actor(id="sf", roles=frozenset({Role.STOREFRONT}))
        self.agent = Actor(id="agent-1", roles=frozenset({Role.AGENT}))
        self.supervisor = Actor(id="sup-1", roles=frozenset({Role.SUPERVISOR}))
        self.svc.tickets.upsert_order("acme", Order.model_validate(order_payload(quantity=50)))

    def open_ticket(self, type_: str = "return_refund") -> str:
        from aftersales.tickets.domain import LineRequest, OpenTicket

        ticket = self.svc.tickets.open("acme", OpenTicket(type=type_, order_id="O-1", channel="app",
                                                          reason_code="damaged",
                                                          lines=[LineRequest(line_id="L1", quantity=1)]),
                                       self.store_front)
        self.pump(ticket.id)
        return ticket.id

    def events_for(self, ticket_id: str) -> list[dict]:
        entries = self.svc.tickets.audit("acme", ticket_id, self.supervisor)
        new = [e for e in entries if e.seq > self.seen.get(ticket_id, 0)]
        if new:
            self.seen[ticket_id] = new[-1].seq
        ticket = self.svc.tickets.get("acme", ticket_id, self.supervisor)
        return [{"source": "aftersales.tickets", "detail-type": e.event,
                 "detail": {"tenant_id": "acme", "ticket_id": ticket_id, "ticket_type": ticket.type.value,
                            "customer_id": ticket.customer_id, "seq": e.seq, "event": e.event,
                            "from_status": e.from_status, "to_status": e.to_status, "actor_role": e.actor_role,
                            "at": e.at, "reason": e.reason, "data": e.data, "dedup_key": f"{ticket_id}#{e.seq}"}}
                for e in new]

    def deliver(self, handler, events: list[dict]) -> dict:
        records = [{"messageId": str(uuid.uuid4()), "receiptHandle": "r", "body": json.dumps(ev),
                    "attributes": {}, "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q", "awsRegion": "us-east-1"}
                   for ev in events]
        result = handler.lambda_handler({"Records": records}, FakeContext("fn"))
        assert result == {"batchItemFailures": []}, result
        return result

    def pump(self, ticket_id: str) -> None:
        """Deliver the ticket's new audit entries to the tracker (and ticket.created to the dispatcher)."""
        events = self.events_for(ticket_id)
        if events:
            self.deliver(self.tracker, events)
            created = [e for e in events if e["detail-type"] == "ticket.created"]
            if created:
                self.deliver(self.dispatcher, created)
                self.pump(ticket_id)

    def sweep(self, ticket_id: str | None = None) -> dict:
        report = self.sweeper.lambda_handler({"source": "aws.events", "detail-type": "Scheduled Event"},
                                             FakeContext("sweeper"))
        if ticket_id:
            self.pump(ticket_id)
        return report

    def put_policy(self, resolution: dict, **extra_targets) -> None:
        self.svc.sla.save_policy("acme", {"rules": [
            {"rule_id": "returns", "match": {"ticket_type": "return_refund"},
             "targets": {"resolution": resolution, **extra_targets}}]})
        self.policy_changed()

    def policy_changed(self, sort_key: str = "POLICY") -> None:
        """What the SLA table's stream does after the policy (or a calendar) item is written, then
        the tracker's own page messages until none is left."""
        self.deliver_stream(self.tracker, [stream_record("acme", sort_key)])
        self.drain_pages()

    def deliver_stream(self, handler, records: list[dict]) -> dict:
        return handler.lambda_handler({"Records": records}, FakeContext("fn"))

    def drain_pages(self) -> int:
        """Deliver the tracker's queued recompute pages one message at a time; returns how many."""
        delivered = 0
        while self.pages.messages:
            self.deliver(self.tracker, [self.pages.messages.pop(0)])
            delivered += 1
        return delivered

    def audit_events(self, ticket_id: str) -> list[str]:
        return [e.event for e in self.svc.tickets.audit("acme", ticket_id, self.supervisor)]

    def notified(self, kind: str) -> list[dict]:
        return [d for t, d in self.notifier.events if t == kind]

    def deadline(self, ticket_id: str, metric: str = "resolution"):
        states = self.svc.sla_tables.deadlines.states_for_ticket("acme", ticket_id)
        return states[f"{metric}#0"]


def stream_record(tenant_id: str, sort_key: str, event_name: str = "MODIFY") -> dict:
    """A KEYS_ONLY DynamoDB stream record of an SLA table item (as the FilterCriteria lets through)."""
    return {"eventID": uuid.uuid4().hex, "eventName": event_name, "eventVersion": "1.1",
            "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
            "dynamodb": {"Keys": {"pk": {"S": f"{tenant_id}#SLA"}, "sk": {"S": sort_key}},
                         "SequenceNumber": str(uuid.uuid4().int)[:20], "SizeBytes": 64,
                         "StreamViewType": "KEYS_ONLY"},
            "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/sla/stream/2026-11-23T00:00:00.000"}


@pytest.fixture
def sla_page_size() -> int:
    return 100


@pytest.fixture
def sla(aws, demo, sla_page_size, monkeypatch):
    """The SLA functions on a fixed clock, with recorded events and recompute pages."""
    from aftersales import wiring
    from aftersales.adapters.eventbridge import RecordingPublisher
    from aftersales.adapters.sla_pages import RecordingPages
    from aftersales.core.clock import FixedClock

    monkeypatch.setenv("SLA_RECOMPUTE_PAGE_SIZE", str(sla_page_size))
    clock = FixedClock(START)
    notifier, pages = RecordingPublisher(), RecordingPages()
    wiring.override(wiring.Container(clock=clock, events=notifier, recompute_pages=pages))
    harness = Harness(clock, notifier)
    harness.pages = pages
    dispatch = harness.svc.dispatch
    from aftersales.dispatch.model import Agent, Skills, Team

    skills = Skills(ticket_types={"return_refund", "complaint"}, languages={"en"}, channels={"app"})
    dispatch.put_team("acme", Team(team_id="returns", skills=skills))
    dispatch.put_agent("acme", Agent(agent_id="agent-1", team_id="returns", max_open=5, availability="online"),
                       frozenset())
    dispatch.put_agent("acme", Agent(agent_id="agent-2", team_id="returns", max_open=5, availability="online"),
                       frozenset())
    dispatch.put_agent("acme", Agent(agent_id="sup-1", team_id="returns", max_open=50, availability="online",
                                     supervisor=True), frozenset())
    dispatch.put_agent("acme", Agent(agent_id="lead-1", team_id="returns", max_open=50, availability="online",
                                     supervisor=True), frozenset({"regional_lead"}))
    yield harness
    wiring.override(None)
