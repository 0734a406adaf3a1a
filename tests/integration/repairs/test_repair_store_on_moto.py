"""The repairs context on its DynamoDB table under moto (template.yaml's RepairsTable), with the
real tickets service: a kettle's repair ticket is offered, declined to the next provider, walked to
closed; the parts it consumed are found by serial (fitted and removed) and by batch with Queries
only; a provider's open jobs are its load; a job is created once per attempt and saved only over the
version read."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales import wiring
from aftersales.adapters.dynamo.repairs import DynamoRepairStore
from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.core.errors import ConcurrentModification, Conflict
from aftersales.repairs.model import Coverage, JobStatus, Window
from aftersales.tickets.domain import OpenTicket
from aftersales.tickets.model import Channel, Status, TicketType
from bench.support import RequestCounter
from tests.support.repairs import CUSTOMER_SIDE, KETTLE_LINES, MERCHANT, cny, provider_actor
from tests.support.ticket_factories import CUSTOMER, SYSTEM, order
from tests.support.tickets import walk


@pytest.fixture
def svc(aws):
    published = RecordingPublisher()
    wiring.override(wiring.Container(events=published))
    services = wiring.services()
    services.tenants.create_tenant("acme", "Acme")
    services.tickets.upsert_order("acme", order(lines=KETTLE_LINES, payment={
        "provider": "sandbox", "reference": "ch_1", "captured": {"amount": 29000, "currency": "CNY"}}))
    services.repairs.registry.put_part("acme", part_number="HE-220", name="Heating element",
                                       compatible_skus=["KETTLE-1"], unit_cost=cny(4500))
    services.published = published
    return services


def dispatched_ticket(svc) -> str:
    opened = svc.tickets.open("acme", OpenTicket(type=TicketType.REPAIR, order_id="O-1", channel=Channel.APP,
                                                 reason_code="defective", lines=[{"line_id": "L1", "quantity": 1}]),
                              CUSTOMER)
    walk(svc.tickets, "acme", opened.id, "pending_approval", "approved", "repair_dispatched")
    return opened.id


def window(svc, hours: int) -> Window:
    now = svc.clock.now()
    return Window(start=now + timedelta(hours=hours), end=now + timedelta(hours=hours + 2))


def test_a_kettle_repair_from_offer_to_close_and_the_serial_finds_the_customer(svc, visit_photos):
    repairs = svc.repairs
    first = repairs.registry.register("acme", name="First", regions=["CN"]).provider_id
    second = repairs.registry.register("acme", name="Second", brands=["brewco"]).provider_id
    ticket_id = dispatched_ticket(svc)

    offered = repairs.dispatch("acme", ticket_id)
    _, job = repairs.decline("acme", offered.job_id, provider_actor(first), reason="busy")
    actor = provider_actor(second)
    assert job.provider_id == second and [j.attempt for j in repairs.for_ticket("acme", ticket_id, MERCHANT)] == [1, 2]
    repairs.accept("acme", job.job_id, actor)
    repairs.book("acme", job.job_id, actor, window=window(svc, 24), technician_id=None)
    repairs.check_in("acme", job.job_id, actor, media_ids=[visit_photos.service(job.job_id, actor)])
    repairs.diagnose("acme", job.job_id, actor, fault_code="E-HEAT", coverage=Coverage.WARRANTY, labour=cny(8000),
                     parts_estimate=cny(4500))
    repairs.record_part("acme", job.job_id, actor, part_number="HE-220", serial="SN-1", batch="B-17",
                        removed_serial="SN-OLD")
    repairs.repaired("acme", job.job_id, actor)
    code = next(d["code"] for name, d in svc.published.events if name == "repair.confirmation_code_issued")
    repairs.confirm("acme", job.job_id, CUSTOMER_SIDE, code=code)
    closed = repairs.close("acme", job.job_id, actor)

    assert closed.status == JobStatus.CLOSED
    assert svc.tickets.get("acme", ticket_id, SYSTEM).status == Status.CLOSED
    counter = RequestCounter()
    with counter.counting():
        [fitted] = repairs.by_serial("acme", "SN-1")
        [removed] = repairs.by_serial("acme", "SN-OLD")
        batch = repairs.by_batch("acme", "B-17", limit=10, cursor=None)
    assert (fitted.customer_id, fitted.ticket_id, fitted.job_id) == ("cust-1", ticket_id, job.job_id)
    assert removed.job_id == job.job_id and [t.customer_id for t in batch.items] == ["cust-1"]
    assert {op for (_svc, op, _t) in counter.calls} == {"Query"} and counter.total() == 3, counter.describe()


def test_a_providers_jobs_and_load_come_from_its_index(svc):
    repairs = svc.repairs
    provider = repairs.registry.register("acme", name="Only", capacity=1).provider_id
    first_ticket, second_ticket = dispatched_ticket(svc), dispatched_ticket(svc)
    job = repairs.dispatch("acme", first_ticket)
    store = DynamoRepairStore()

    assert store.open_jobs("acme", provider) == 1
    assert repairs.dispatch("acme", second_ticket) is None  # at capacity: nobody left for it
    page = repairs.provider_jobs("acme", provider_actor(provider), open_only=True, limit=10, cursor=None)
    assert [j.job_id for j in page.items] == [job.job_id]
    repairs.decline("acme", job.job_id, provider_actor(provider), reason="busy")
    assert store.open_jobs("acme", provider) == 0
    assert repairs.provider_jobs("acme", provider_actor(provider), open_only=True, limit=10, cursor=None).items == []
    assert len(repairs.provider_jobs("acme", provider_actor(provider), open_only=False, limit=10,
                                     cursor=None).items) == 1


def test_one_job_per_attempt_and_saves_over_the_version_read(svc):
    repairs = svc.repairs
    repairs.registry.register("acme", name="Only")
    ticket_id = dispatched_ticket(svc)
    job = repairs.dispatch("acme", ticket_id)
    store = DynamoRepairStore()

    with pytest.raises(Conflict):
        store.create_job(job.model_copy(update={"job_id": "rjob_other"}))
    with pytest.raises(ConcurrentModification):
        store.save_job(job, expected_version=job.version + 5)
    assert store.get_job("acme", job.job_id).version == job.version


def test_the_registry_round_trips(svc):
    registry = svc.repairs.registry
    provider = registry.register("acme", name="Fixers", regions=["CN"], brands=["brewco"], skills=["heating"])
    tech = registry.put_technician("acme", provider.provider_id, name="Li", skills=["heating"])

    assert registry.providers("acme") == [provider]
    assert registry.technicians("acme", provider.provider_id) == [tech]
    assert [p.part_number for p in registry.parts("acme")] == ["HE-220"]
    assert registry.update("acme", provider.provider_id, capacity=3).capacity == 3


def test_a_technicians_jobs_follow_the_assignment_on_the_index(svc):
    """GIVEN a job booked for Li WHEN the provider hands the visit to Wu and Wu checks in THEN the
    technician index lists it for Wu only, no other provider's technician of that id, and the serial
    lookups never see the job rows that share the index."""
    repairs, store = svc.repairs, DynamoRepairStore()
    provider = repairs.registry.register("acme", name="Fixers", regions=["CN"]).provider_id
    for technician_id in ("tech-li", "tech-wu"):
        repairs.registry.put_technician("acme", provider, name=technician_id, technician_id=technician_id)
    key = provider_actor(provider)
    job = repairs.dispatch("acme", dispatched_ticket(svc))
    assert store.jobs_for_technician("acme", provider, "tech-li", open_only=False, limit=10, cursor=None).items == []

    repairs.accept("acme", job.job_id, key)
    repairs.book("acme", job.job_id, key, window=window(svc, 24), technician_id="tech-li")

    def listed(technician_id: str) -> list[str]:
        page = store.jobs_for_technician("acme", provider, technician_id, open_only=True, limit=10, cursor=None)
        return [j.job_id for j in page.items]

    assert (listed("tech-li"), listed("tech-wu")) == ([job.job_id], [])
    repairs.check_in("acme", job.job_id, key, technician_id="tech-wu")
    assert (listed("tech-li"), listed("tech-wu")) == ([], [job.job_id])
    assert store.jobs_for_technician("acme", "another-provider", "tech-wu", open_only=False, limit=10,
                                     cursor=None).items == []
    assert store.by_serial("acme", "tech-wu") == [] and store.by_serial("acme", job.job_id) == []
