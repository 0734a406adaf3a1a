"""Repair figures: DynamoDB requests per job step (the real services on the template's tables under
moto, the ticket's own writes included), the serial lookup's requests and time as the recorded parts
grow, and the dispatch decision over 1,000 providers (the pure rule in process; the requests one
dispatch makes on the table)."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from bench.report import Section
from bench.support import RequestCounter, local_aws

PART_COUNTS = (1_000, 20_000)
PROVIDERS = 1_000
LOOKUPS = 20


def run() -> list[Section]:
    with local_aws():
        steps = _steps()
        lookups = _lookups()
        dispatch = _dispatch()
    return [steps, lookups, dispatch]


def _rig():
    from aftersales import wiring
    from aftersales.adapters.eventbridge import RecordingPublisher
    from tests.support.repairs import KETTLE_LINES
    from tests.support.ticket_factories import order

    wiring.override(wiring.Container(events=RecordingPublisher()))
    svc = wiring.services()
    svc.tickets.upsert_order("acme", order(lines=[{**KETTLE_LINES[0], "quantity": 100_000}], payment={
        "provider": "sandbox", "reference": "ch_1", "captured": {"amount": 29000, "currency": "CNY"}}))
    return svc


def _ticket(svc) -> str:
    from aftersales.tickets.domain import OpenTicket
    from aftersales.tickets.model import Channel, TicketType
    from tests.support.ticket_factories import CUSTOMER
    from tests.support.tickets import walk

    opened = svc.tickets.open("acme", OpenTicket(type=TicketType.REPAIR, order_id="O-1", channel=Channel.APP,
                                                 reason_code="defective", lines=[{"line_id": "L1", "quantity": 1}]),
                              CUSTOMER)
    walk(svc.tickets, "acme", opened.id, "pending_approval", "approved", "repair_dispatched")
    return opened.id


def _steps() -> Section:
    import os

    import boto3

    from aftersales.repairs.model import Coverage, JobActor, Party, Window
    from tests.support.repair_photos import VisitPhotos
    from tests.support.repairs import CUSTOMER_SIDE, cny, provider_actor

    os.environ["MEDIA_MODERATION"] = "none"  # moto has no DetectModerationLabels: +1 call per photo on AWS
    boto3.client("s3").create_bucket(Bucket=os.environ["MEDIA_BUCKET"])
    svc = _rig()
    repairs = svc.repairs
    repairs.registry.put_part("acme", part_number="HE-220", name="Heating element", compatible_skus=["KETTLE-1"],
                              unit_cost=cny(4500))
    first = repairs.registry.register("acme", name="First", regions=["CN"]).provider_id
    second = repairs.registry.register("acme", name="Second").provider_id
    ticket_id = _ticket(svc)
    now = svc.clock.now()
    window = Window(start=now + timedelta(days=1), end=now + timedelta(days=1, hours=2))
    state: dict[str, str] = {}
    a, b = provider_actor(first), provider_actor(second)
    repairs.registry.put_technician("acme", second, name="Li", technician_id="tech-li")
    li = JobActor(party=Party.TECHNICIAN, id="apikey:li", provider_id=second, technician_id="tech-li")
    late_ticket = _ticket(svc)  # offered to the first provider, which lets the accept deadline pass
    repairs.dispatch("acme", late_ticket)

    def code() -> str:
        return next(d["code"] for name, d in reversed(svc.events.events) if name == "repair.confirmation_code_issued")

    plan = [
        ("offer (dispatch)", lambda: state.update(job=repairs.dispatch("acme", ticket_id).job_id)),
        ("decline → offer to the next", lambda: state.update(job=repairs.decline(
            "acme", state["job"], a, reason="busy")[1].job_id)),
        ("accept", lambda: repairs.accept("acme", state["job"], b)),
        ("book (for a technician)", lambda: repairs.book("acme", state["job"], b, window=window,
                                                          technician_id="tech-li")),
        ("on the way (ETA)", lambda: repairs.on_the_way("acme", state["job"], b, eta=window.start)),
        ("the technician's key: its open jobs (one page)", lambda: repairs.provider_jobs(
            "acme", li, open_only=True, limit=50, cursor=None)),
        ("a visit photo on the technician's key: grant, upload, media check", lambda: state.update(
            photo=VisitPhotos().service(state["job"], li))),
        ("check in on the technician's key, naming the photo (ticket → repair_in_progress)",
         lambda: repairs.check_in("acme", state["job"], li, media_ids=[state["photo"]])),
        ("diagnose", lambda: repairs.diagnose("acme", state["job"], b, fault_code="E-HEAT",
                                              coverage=Coverage.WARRANTY, labour=cny(8000),
                                              parts_estimate=cny(4500))),
        ("record a part (serial, batch, removed serial)", lambda: repairs.record_part(
            "acme", state["job"], b, part_number="HE-220", serial="SN-1", batch="B-17", removed_serial="SN-0")),
        ("repaired (ticket → repaired)", lambda: repairs.repaired("acme", state["job"], b)),
        ("confirm with the code (ticket → returned_to_customer)", lambda: repairs.confirm(
            "acme", state["job"], CUSTOMER_SIDE, code=code())),
        ("close (ticket → closed)", lambda: repairs.close("acme", state["job"], b)),
        ("SLA re-dispatch: withdraw a late offer → offer the next", lambda: repairs.redispatch_overdue(
            "acme", late_ticket, metric="repair_accept", since=svc.clock.now())),
        ("serial lookup", lambda: repairs.by_serial("acme", "SN-1")),
        ("batch lookup (one page)", lambda: repairs.by_batch("acme", "B-17", limit=50, cursor=None)),
    ]
    rows = []
    for name, step in plan:
        counter = RequestCounter()
        with counter.counting():
            step()
        rows.append([name, counter.total("dynamodb"), counter.describe()])
    return Section("Repairs: DynamoDB requests per job step", ["step", "requests", "which"], rows,
                   notes=["The real services on the template's tables under moto; the ticket's reads and "
                          "writes (notes and transitions through TicketService) are included. The events "
                          "go to a recording publisher here (one PutEvents each on AWS)."])


def _lookups() -> Section:
    from aftersales.adapters.dynamo.repairs import RepairItem, batch_key, job_pk, serial_key
    from aftersales.repairs.ports import PartTrace
    from aftersales.wiring import services

    store_lookup = services().repairs.by_serial
    rows, written = [], 0
    for target in PART_COUNTS:
        with RepairItem.batch_write() as batch:
            for n in range(written, target):
                job_id = f"rjob_{n // 3:08d}"
                trace = PartTrace(tenant_id="acme", job_id=job_id, ticket_id=f"t{n // 3}", customer_id=f"c{n // 3}",
                                  provider_id="rpv_1", part_number="HE-220", serial=f"SN-{n:08d}",
                                  batch=f"B-{n % 500}", removed_serial=None, recorded_at="2026-12-03T08:00:00Z")
                batch.save(RepairItem(job_pk("acme", job_id), f"PART#{n % 3:03d}", doc=vars(trace), job_id=job_id,
                                      gsi2pk=serial_key("acme", trace.serial), gsi2sk=f"{job_id}#{n % 3:03d}",
                                      gsi3pk=batch_key("acme", trace.batch), gsi3sk=f"{job_id}#{n % 3:03d}"))
        written = target
        times, requests = [], set()
        for i in range(LOOKUPS):
            counter = RequestCounter()
            with counter.counting():
                t0 = time.perf_counter()
                [found] = store_lookup("acme", f"SN-{(i * 7919) % target:08d}")
                times.append(time.perf_counter() - t0)
            requests.add(counter.total("dynamodb"))
            assert found.customer_id.startswith("c")
        rows.append([f"{target:,}", ", ".join(str(r) for r in sorted(requests)),
                     f"{statistics.median(times) * 1000:.1f} ms"])
    return Section("Repairs: serial → job → customer as the recorded parts grow", ["parts recorded",
                   "requests per lookup", "median time (moto)"], rows,
                   notes=["One Query of gsi2 per lookup whatever the table holds: on DynamoDB its cost is the "
                          "matching items only (1 read unit for a trace under 4 KB), so it stays flat at 1M. "
                          "moto evaluates an index query by walking the table in Python, so its time grows "
                          "with the table and says nothing about DynamoDB's; 1M parts was not written here "
                          "(moto would take tens of minutes to load them)."])


def _dispatch() -> Section:
    from aftersales.repairs import domain
    from aftersales.repairs.model import Provider
    from aftersales.wiring import services
    from tests.support.repairs import NOW

    providers = [Provider(provider_id=f"rpv_{n:05d}", tenant_id="acme", name=f"P{n}", regions=["JP"],
                          created_at=NOW) for n in range(PROVIDERS - 1)]
    providers.append(Provider(provider_id="rpv_99999", tenant_id="acme", name="Last", regions=["CN"], created_at=NOW))
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        chosen = domain.next_provider(providers, country="CN", brands={"brewco"}, skill=None, load={}, excluded=set())
        times.append(time.perf_counter() - t0)
    assert chosen is not None and chosen.provider_id == "rpv_99999"

    svc = services()
    for provider in providers:
        svc.repairs.registry.register("acme", name=provider.name, regions=provider.regions)
    ticket_id = _ticket(svc)
    counter = RequestCounter()
    with counter.counting():
        t0 = time.perf_counter()
        job = svc.repairs.dispatch("acme", ticket_id)
        moto = time.perf_counter() - t0
    assert job is not None
    rows = [[f"the rule over {PROVIDERS:,} providers, only the last eligible (median of 20)",
             f"{statistics.median(times) * 1000:.2f} ms", "-"],
            [f"one dispatch on the table with {PROVIDERS:,} providers (moto)", f"{moto * 1000:.0f} ms",
             f"{counter.total('dynamodb')} ({counter.describe()})"]]
    return Section("Repairs: the dispatch decision with 1,000 providers", ["measure", "time", "DynamoDB requests"],
                   rows, notes=["The registry is one Query of the tenant's providers (paged by DynamoDB at 1 MB); "
                                "the load (open jobs) is counted only for the provider the rules would choose. The "
                                "moto time is moto parsing and filtering 1,000 items in Python, not DynamoDB's."])
