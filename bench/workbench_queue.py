"""The workbench queue's reads with 10,000 open tickets (in-process API on moto, counted at
botocore): a page of tickets (GET /tickets) and the same page's SLA clocks (GET /sla/clocks), the
two requests the queue screen makes per page. Time is in-process API time on moto (moto filters its
tables in Python, so its wall time grows with the table where DynamoDB's Query does not); the
request counts are what DynamoDB would see."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from bench.report import Section
from bench.support import counted_request, local_aws

OPEN_TICKETS = int(__import__("os").environ.get("BENCH_QUEUE_TICKETS", "10000"))
PAGE = 50
ORDERS = 100  # complaints spread over orders, as a shop's queue is


def run() -> list[Section]:
    from aftersales.tickets.domain import OpenTicket
    from aftersales.tickets.model import Role
    from aftersales.wiring import services
    from tests.support.api_client import ApiClient
    from tests.support.ticket_factories import STOREFRONT
    from tests.support.tickets import order_payload

    section = Section(f"Workbench queue with {OPEN_TICKETS:,} open tickets (a page of {PAGE}; in-process API on moto)",
                      ["read", "DynamoDB requests", "other AWS", "median ms", "p95 ms"])
    with local_aws():
        svc = services()
        svc.tenants.create_tenant("bench", "Bench")
        from aftersales.orders.domain import Order

        for n in range(ORDERS):
            svc.tickets.upsert_order("bench", Order.model_validate(order_payload(f"Q-{n}", f"cust-{n}")))
        started = time.perf_counter()
        # ORDERS real complaints through the tickets service, then their headers copied under new ids
        # in batches (what the queue reads is the header on the tenant's index; moto writes one item
        # at a time either way, and a Query's cost does not depend on how many items follow it)
        from aftersales.adapters.dynamo.models import TicketHeaderItem
        from aftersales.adapters.dynamo.store import header_item
        from aftersales.core.ids import new_id

        made = [svc.tickets.open("bench", OpenTicket(type="complaint", order_id=f"Q-{n}", channel="app",
                                                     reason_code="late_delivery"), STOREFRONT)
                for n in range(ORDERS)]
        source: dict[str, str] = {t.id: t.id for t in made}
        with TicketHeaderItem.batch_write() as batch:
            for n in range(OPEN_TICKETS - ORDERS):
                copy = made[n % ORDERS].model_copy(update={"id": new_id("tkt")})
                batch.save(header_item(copy))
                source[copy.id] = made[n % ORDERS].id
        seeded = time.perf_counter() - started
        policy = {"rules": [{"rule_id": "complaints", "match": {"ticket_type": "complaint"},
                             "targets": {"resolution": {"duration": "PT24H", "clock": "calendar",
                                                        "reminders": [0.5]}}}]}
        svc.sla.save_policy("bench", policy)
        clocks = {ticket.id: svc.sla.track("bench", ticket.id) for ticket in made}
        store = svc.sla_tables.deadlines
        for ticket_id in sorted(source, reverse=True)[:PAGE * 3]:  # the newest pages: where the queue opens
            store.save_clocks("bench", ticket_id, clocks[source[ticket_id]])
        svc.tenants.put_staff("bench", "sup-1", "Supervisor", frozenset({Role.SUPERVISOR}))
        token = svc.tenants.mint_staff_token("bench", "sup-1", timedelta(hours=1))
        auth = {"Authorization": f"Bearer {token}"}
        client = ApiClient()

        def measure(label: str, path: str, query: dict) -> dict:
            counts, times, body = [], [], {}
            for _ in range(7):
                reply, counter, ms = counted_request(client, "GET", path, None, auth, query)
                times.append(ms)
                assert reply.status == 200, reply
                body = reply.body
                counts.append((counter.total("dynamodb"), counter.total() - counter.total("dynamodb")))
            section.rows.append([label, counts[-1][0], counts[-1][1], round(statistics.median(times), 1),
                                 round(sorted(times)[int(len(times) * 0.95) - 1], 1)])
            return body

        first = measure("GET /tickets?limit=50 (first page)", "/tickets", {"limit": str(PAGE)})
        page_ids = [t["id"] for t in first["items"]]
        measure("GET /tickets?limit=50&cursor= (next page)", "/tickets",
                {"limit": str(PAGE), "cursor": first["next_cursor"]})
        measure("GET /tickets?status=submitted&limit=50", "/tickets", {"limit": str(PAGE), "status": "submitted"})
        clocks = measure("GET /sla/clocks (the page's 50 ids)", "/sla/clocks", {"ticket_ids": ",".join(page_ids)})
        assert len(clocks["clocks"]) == PAGE
    section.notes.append(f"Seeded in {seeded:.0f} s: {ORDERS} complaints through TicketService, the rest as copies of "
                         "their headers under new ids (batch writes). "
                         "A queue page is 2 API calls: 1 Query on the tickets table's index and 1 BatchGetItem on "
                         "the SLA table (before GET /sla/clocks it was 1 + 2 requests per row: 101 for 50 rows). "
                         "The staff token is verified without a table read; an API key would add its GetItem.")
    return [section]
