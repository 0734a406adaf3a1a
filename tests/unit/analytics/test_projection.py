"""GIVEN ticket events WHEN projected THEN the tenant's local-day and month buckets count them once."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from aftersales.analytics import domain
from aftersales.analytics.model import Period
from aftersales.analytics.projector import AnalyticsProjector
from aftersales.analytics.reading import AnalyticsReader
from aftersales.analytics.sketch import DurationSketch
from aftersales.core.errors import Unavailable
from aftersales.core.money import Money
from aftersales.tickets.domain import Ticket, TicketLine
from tests.support.fakes.analytics import FakeTicketHeaders, FixedTeams, FixedZones, InMemoryAnalyticsStore

SHANGHAI = ZoneInfo("Asia/Shanghai")


def ticket(ticket_id: str = "T-1", *, type: str = "return_refund", tenant: str = "t1",
           created_at: str = "2026-11-30T17:00:00+00:00") -> Ticket:
    lines = [TicketLine(line_id="L1", sku="SKU-A", quantity_requested=1, unit_price=Money(amount=3000, currency="CNY")),
             TicketLine(line_id="L2", sku="SKU-B", quantity_requested=1, unit_price=Money(amount=1000, currency="CNY"))]
    return Ticket(id=ticket_id, tenant_id=tenant, type=type, status="submitted", version=1, order_id="O-1",
                  customer_id="c-1", channel="douyin", reason_code="damaged", lines=lines,
                  requested_amount=Money(amount=4000, currency="CNY"), created_at=created_at,
                  updated_at=created_at, head_hash="0" * 64)


def event(seq: int, name: str, at: str, to_status: str, *, ticket_id: str = "T-1", tenant: str = "t1",
          type: str = "return_refund", data: dict | None = None) -> dict:
    return {"tenant_id": tenant, "ticket_id": ticket_id, "ticket_type": type, "customer_id": "c-1", "seq": seq,
            "event": name, "from_status": None, "to_status": to_status, "actor_role": "agent", "at": at,
            "reason": "damaged" if seq == 1 else None, "data": data or {}, "dedup_key": f"{ticket_id}#{seq}"}


CREATED = event(1, "ticket.created", "2026-11-30T17:00:00+00:00", "submitted",
                data={"lines": [{"sku": "SKU-A", "quantity": 1}, {"sku": "SKU-B", "quantity": 1}]})
ASSIGNED = event(2, "ticket.assigned", "2026-11-30T18:00:00+00:00", "submitted", data={"to_assignee": "ag-1"})
REFUNDED = event(3, "ticket.refunded", "2026-12-01T17:00:00+00:00", "refunded",
                 data={"amount": {"amount": 4001, "currency": "CNY"}})


def build(*tickets: Ticket, zone: str = "Asia/Shanghai"):
    store = InMemoryAnalyticsStore()
    headers = FakeTicketHeaders(tickets)
    projector = AnalyticsProjector(store, headers, FixedZones(default=zone), FixedTeams({"ag-1": "team-east"}))
    return store, headers, projector, AnalyticsReader(store)


def test_the_local_day_and_month_of_the_tenant_zone_hold_the_event():
    # 17:00 UTC on 30 November is 01:00 on 1 December in Shanghai
    day, month = domain.periods(datetime(2026, 11, 30, 17, tzinfo=UTC), SHANGHAI)
    assert (day, month) == (Period.day(datetime(2026, 12, 1).date()), Period("month", "2026-12"))
    day_utc, month_utc = domain.periods(datetime(2026, 11, 30, 17, tzinfo=UTC), ZoneInfo("UTC"))
    assert (day_utc.key, month_utc.key) == ("2026-11-30", "2026-11")


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        domain.parse_at("2026-11-30T17:00:00")


def test_an_amount_splits_over_skus_by_weight_and_sums_to_the_refund():
    assert domain.split_amount(4001, {"SKU-A": 3000, "SKU-B": 1000}) == {"SKU-A": 3001, "SKU-B": 1000}
    assert domain.split_amount(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert sum(domain.split_amount(99_999, {"x": 7, "y": 13, "z": 0}).values()) == 99_999


def test_a_ticket_is_counted_by_each_dimension_in_its_local_periods():
    _, _, projector, reader = build(ticket())
    for e in (CREATED, ASSIGNED, REFUNDED):
        assert projector.on_ticket_event(e) is True
    s = reader.summary("t1", "day", "2026-12-01", "2026-12-02").body()
    assert s["counts"]["opened"]["channel"] == {"douyin": 1}
    assert s["counts"]["opened"]["sku"] == {"SKU-A": 1, "SKU-B": 1}
    assert s["counts"]["returns"]["reason"] == {"damaged": 1}
    assert s["counts"]["resolved"]["agent"] == {"ag-1": 1}
    assert s["counts"]["resolved"]["team"] == {"team-east": 1}
    assert s["refund_amounts"]["all"]["all"] == {"CNY": 4001}
    assert s["refund_amounts"]["sku"] == {"SKU-A": {"CNY": 3001}, "SKU-B": {"CNY": 1000}}
    assert s["refund_amounts"]["team"] == {"team-east": {"CNY": 4001}}
    assert s["per_period"]["2026-12-01"]["opened"] == 1 and s["per_period"]["2026-12-02"]["resolved"] == 1
    assert s["first_contact_resolution_rate"] == 1.0 and s["reopen_rate"] == 0.0
    assert s["processing_seconds"]["count"] == 1
    assert s["processing_seconds"]["p50"] == pytest.approx(86_400, rel=0.02)
    month = reader.summary("t1", "month", "2026-12", "2026-12").body()
    assert month["counts"]["opened"]["all"] == {"all": 1} and month["refund_amounts"]["all"]["all"] == {"CNY": 4001}


def test_a_redelivered_event_changes_nothing():
    store, _, projector, reader = build(ticket())
    projector.on_ticket_event(CREATED)
    projector.on_ticket_event(REFUNDED)
    commits = store.commits
    assert projector.on_ticket_event(CREATED) is False
    assert projector.on_ticket_event(REFUNDED) is False
    assert store.commits == commits
    s = reader.summary("t1", "month", "2026-12", "2026-12").body()
    assert s["counts"]["opened"]["all"]["all"] == 1 and s["refund_amounts"]["all"]["all"] == {"CNY": 4001}


def test_an_event_before_its_creation_takes_the_facts_from_the_ticket_header():
    _, headers, projector, reader = build(ticket())
    projector.on_ticket_event(REFUNDED)  # arrives first
    projector.on_ticket_event(CREATED)
    s = reader.summary("t1", "month", "2026-12", "2026-12").body()
    assert headers.reads == 1
    assert s["counts"]["opened"]["channel"] == {"douyin": 1}
    assert s["counts"]["resolved"]["all"]["all"] == 1
    assert s["processing_seconds"]["count"] == 1


def test_a_concurrent_write_is_retried_and_a_lasting_one_is_unavailable():
    store, _, projector, reader = build(ticket())
    store.conflict_next = 2
    assert projector.on_ticket_event(CREATED) is True
    assert reader.summary("t1", "month", "2026-12", "2026-12").body()["counts"]["opened"]["all"]["all"] == 1
    store.conflict_next = 99
    with pytest.raises(Unavailable):
        projector.on_ticket_event(REFUNDED)


def test_a_reopened_complaint_is_no_first_contact_resolution_and_counts_its_reopen():
    t = ticket("C-1", type="complaint")
    _, _, projector, reader = build(t)
    for e in (event(1, "ticket.created", "2026-12-02T01:00:00+00:00", "submitted", ticket_id="C-1", type="complaint"),
              event(2, "ticket.investigation_started", "2026-12-02T02:00:00+00:00", "investigating", ticket_id="C-1"),
              event(3, "ticket.resolved", "2026-12-02T03:00:00+00:00", "resolved", ticket_id="C-1"),
              event(4, "ticket.reopened", "2026-12-02T04:00:00+00:00", "investigating", ticket_id="C-1"),
              event(5, "ticket.resolved", "2026-12-02T05:00:00+00:00", "resolved", ticket_id="C-1")):
        projector.on_ticket_event(e)
    # a second complaint resolved after waiting for the customer
    t2 = ticket("C-2", type="complaint")
    _, _, projector2, reader2 = build(t, t2)
    for e in (event(1, "ticket.created", "2026-12-02T01:00:00+00:00", "submitted", ticket_id="C-2", type="complaint"),
              event(2, "ticket.info_requested", "2026-12-02T02:00:00+00:00", "waiting_customer", ticket_id="C-2"),
              event(3, "ticket.closed", "2026-12-02T03:00:00+00:00", "closed", ticket_id="C-2")):
        projector2.on_ticket_event(e)
    s = reader.summary("t1", "month", "2026-12", "2026-12").body()
    assert s["counts"]["resolved"]["all"]["all"] == 1  # resolved once, the first time
    assert s["counts"]["reopened"]["type"] == {"complaint": 1}
    assert s["reopen_rate"] == 1.0
    assert s["first_contact_resolution_rate"] == 1.0  # resolved before the reopen
    assert s["counts"]["returns"] == {}
    s2 = reader2.summary("t1", "month", "2026-12", "2026-12").body()
    assert s2["first_contact_resolution_rate"] == 0.0


def test_sketches_merge_across_buckets_on_read():
    a, b = DurationSketch(), DurationSketch()
    for s in range(1, 1001):
        a.add(s)
    for s in range(1001, 2001):
        b.add(s)
    merged = DurationSketch.decode(a.encode())
    merged.merge(DurationSketch.decode(b.encode()))
    assert merged.count == 2000
    assert merged.quantile(0.5) == pytest.approx(1000, rel=0.02)
    assert merged.quantile(0.99) == pytest.approx(1980, rel=0.02)
    assert len(a.encode()) < 1024
    assert DurationSketch.decode(None).quantile(0.5) is None


def test_the_summary_reads_a_range_in_two_queries_whatever_its_length():
    store, _, projector, reader = build(ticket())
    for e in (CREATED, ASSIGNED, REFUNDED):
        projector.on_ticket_event(e)
    before = store.queries
    reader.summary("t1", "day", "2026-01-01", "2026-12-31")
    assert store.queries - before == 2


@pytest.mark.parametrize(("grain", "first", "last", "field"), [
    ("day", "2026-13-01", "2026-12-01", "query.from"),
    ("day", "2026-12-01", "2026-11-01", "query.to"),
    ("month", "2025-01", "2026-02", "query.to"),  # 14 months
    ("month", "2026-1", "2026-02", "query.from"),
    ("week", "2026-01", "2026-02", "query.grain"),
])
def test_a_bad_range_names_its_field(grain, first, last, field):
    from aftersales.core.errors import InvalidRequest

    _, _, _, reader = build()
    with pytest.raises(InvalidRequest) as caught:
        reader.summary("t1", grain, first, last)
    assert caught.value.details["field"] == field


def test_thirteen_months_are_accepted_and_type_shares_sum_to_one():
    _, _, projector, reader = build(ticket(), ticket("C-1", type="complaint"))
    projector.on_ticket_event(CREATED)
    projector.on_ticket_event(event(1, "ticket.created", "2026-12-02T01:00:00+00:00", "submitted",
                                    ticket_id="C-1", type="complaint"))
    reader.summary("t1", "month", "2025-12", "2026-12")
    [month] = reader.type_share("t1", "2026-12", "2026-12")
    assert month["total"] == 2
    assert month["types"]["complaint"] == {"count": 1, "share": 0.5}
    assert sum(t["share"] for t in month["types"].values()) == 1.0


def test_a_rebuild_from_the_chains_equals_the_live_projection_and_becomes_live():
    t = ticket()
    chain_events = (CREATED, ASSIGNED, REFUNDED)
    store, headers, projector, reader = build(t)
    for e in chain_events:
        projector.on_ticket_event(e)
    live = reader.summary("t1", "month", "2026-12", "2026-12").body()
    from aftersales.tickets.audit import AuditEntry

    headers.chains["T-1"] = [AuditEntry(seq=e["seq"], at=e["at"], event=e["event"], actor_id="a", actor_role="agent",
                                        from_status=None, to_status=e["to_status"], reason=e["reason"],
                                        data=e["data"], prev_hash="0" * 64) for e in chain_events]
    for i in range(2, 6):  # more tickets so the rebuild takes several pages
        headers.tickets[f"X-{i}"] = ticket(f"X-{i}")
    step = projector.rebuild_step("t1", limit=2)
    assert not step.done and store.generations("t1") == (0, step.generation)
    while not step.done:
        step = projector.rebuild_step("t1", step.cursor, limit=2)
    assert store.generations("t1") == (step.generation, None)
    rebuilt = reader.summary("t1", "month", "2026-12", "2026-12").body()
    assert rebuilt["refund_amounts"] == live["refund_amounts"]
    assert rebuilt["counts"]["resolved"] == live["counts"]["resolved"]
    assert rebuilt["processing_seconds"] == live["processing_seconds"]


def repair_settled(seq: int, at: str, *, parts: int, labour: int, billable_to: str, outcome: str) -> dict:
    """The entry the repairs context notes on the ticket (its real settlement, dumped as it is stored)."""
    from aftersales.repairs.model import Billable, Costs, JobStatus
    from aftersales.repairs.settlement import SETTLED_EVENT, settle

    costs = Costs(parts=Money(amount=parts, currency="CNY"), labour=Money(amount=labour, currency="CNY"),
                  billable_to=Billable(billable_to))
    settlement = settle("J-1", costs, JobStatus(outcome))
    return event(seq, SETTLED_EVENT, at, "repair_in_progress",
                 data={"job_id": "J-1", "provider_id": "p-1", "settlement": settlement.model_dump(mode="json")})


def test_a_settled_repair_counts_the_merchants_share_of_its_costs_apart_from_refunds():
    _, _, projector, reader = build(ticket(type="repair"))
    projector.on_ticket_event(CREATED)
    projector.on_ticket_event(ASSIGNED)
    # a warranty job: parts and labour are all the merchant's cost
    projector.on_ticket_event(repair_settled(3, "2026-12-01T03:00:00+00:00", parts=2599, labour=8000,
                                             billable_to="merchant", outcome="repaired"))
    s = reader.summary("t1", "day", "2026-12-01", "2026-12-01").body()
    assert s["counts"]["repair_costs"]["all"] == {"all": 1}
    assert s["repair_cost_amounts"]["all"]["all"] == {"CNY": 10_599}
    assert s["repair_cost_amounts"]["team"] == {"team-east": {"CNY": 10_599}}
    assert sum(v["CNY"] for v in s["repair_cost_amounts"]["sku"].values()) == 10_599
    assert s["refund_amounts"] == {}


def test_a_repair_the_customer_pays_costs_the_merchant_nothing():
    _, _, projector, reader = build(ticket(type="repair"))
    projector.on_ticket_event(CREATED)
    projector.on_ticket_event(repair_settled(2, "2026-12-01T03:00:00+00:00", parts=2599, labour=8000,
                                             billable_to="customer", outcome="repaired"))
    s = reader.summary("t1", "day", "2026-12-01", "2026-12-01").body()
    assert s["counts"]["repair_costs"]["all"] == {"all": 1}
    assert s["repair_cost_amounts"]["all"]["all"] == {"CNY": 0}
