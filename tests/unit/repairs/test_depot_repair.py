"""Depot repair and defective-part returns on the real repairs, tickets and logistics services (in-memory
stores): the customer's ship-in parcel is registered on the logistics context, the carrier's delivered
scan puts the job at the depot (the ticket in repair), the provider repairs and ships it back, the
delivered scan lets the customer confirm with the code, and a removed part the catalogue asks back is
sent in its own tracked parcel - every step a move of the job's table, on its hash chain."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.core.errors import Conflict, Forbidden, IllegalTransition, InvalidRequest
from aftersales.logistics.events import Provider, TrackingEvent, TrackingStatus
from aftersales.logistics.ports import Registration
from aftersales.repairs import domain
from aftersales.repairs.model import Coverage, JobStatus, Mode, ParcelDirection
from aftersales.repairs.views import job_view
from aftersales.tickets.audit import verify_chain
from aftersales.tickets.model import Status
from tests.support.repairs import CUSTOMER_SIDE, MERCHANT, NOW, TENANT, RepairRig, cny, provider_actor
from tests.support.ticket_factories import SYSTEM

J = JobStatus


@pytest.fixture
def rig() -> RepairRig:
    return RepairRig()


def accepted(rig: RepairRig):
    provider_id = rig.provider("Depot CN", regions=["CN"])
    ticket_id = rig.ticket()
    job = rig.repairs.dispatch(TENANT, ticket_id)
    actor = provider_actor(provider_id)
    rig.repairs.accept(TENANT, job.job_id, actor)
    return job.job_id, ticket_id, actor


def scan(number: str, event_id: str, status: TrackingStatus, hours: float = 1) -> TrackingEvent:
    return TrackingEvent(provider=Provider.AFTERSHIP, provider_event_id=event_id, tracking_number=number,
                         status=status, occurred_at=NOW + timedelta(hours=hours))


def ticket_status(rig: RepairRig, ticket_id: str) -> Status:
    return rig.tickets.get(TENANT, ticket_id, SYSTEM).status


def test_every_depot_move_is_in_the_table_with_its_parties():
    depot = {(m.source, m.target, m.event): m.parties for m in domain.MOVES}
    assert depot[(J.ACCEPTED, J.IN_TRANSIT_TO_DEPOT, "repair.shipped_in")] == domain.SENDERS
    assert depot[(J.IN_TRANSIT_TO_DEPOT, J.AT_DEPOT, "repair.received_at_depot")] == domain.CARRIER
    assert depot[(J.REPAIRED, J.SHIPPED_BACK, "repair.shipped_back")] == domain.PROVIDER
    assert depot[(J.SHIPPED_BACK, J.DELIVERED_BACK, "repair.delivered_back")] == domain.CARRIER
    assert depot[(J.DELIVERED_BACK, J.CONFIRMED, "repair.customer_confirmed")] == domain.PROVIDER | domain.CUSTOMER
    assert J.AT_DEPOT in domain.PARTS_RECORDED and J.IN_TRANSIT_TO_DEPOT not in domain.PARTS_RECORDED


def test_the_depot_walk_follows_the_carrier_and_ends_closed(rig):
    job_id, ticket_id, actor = accepted(rig)

    shipped = rig.repairs.ship_in(TENANT, job_id, CUSTOMER_SIDE, carrier="sf", tracking_number="SF-IN-1")
    assert (shipped.status, shipped.mode) == (J.IN_TRANSIT_TO_DEPOT, Mode.DEPOT)
    registration = rig.tracking.parcel(TENANT, "SF-IN-1").registration
    assert (registration.direction, registration.repair_job_id, registration.ticket_id) == \
        ("repair_in", job_id, ticket_id)

    assert rig.tracking.apply(TENANT, scan("SF-IN-1", "e1", TrackingStatus.IN_TRANSIT)).actions == []
    assert rig.repairs.job(TENANT, job_id, actor).status == J.IN_TRANSIT_TO_DEPOT
    outcome = rig.tracking.apply(TENANT, scan("SF-IN-1", "e2", TrackingStatus.DELIVERED, hours=20))
    assert outcome.actions == [f"repair job {job_id} -> repair.received_at_depot"]
    assert rig.repairs.job(TENANT, job_id, actor).status == J.AT_DEPOT
    assert ticket_status(rig, ticket_id) == Status.REPAIR_IN_PROGRESS

    rig.repairs.diagnose(TENANT, job_id, actor, fault_code="E-HEAT", coverage=Coverage.WARRANTY,
                         labour=cny(8000), parts_estimate=cny(4500))
    rig.repairs.record_part(TENANT, job_id, actor, part_number="HE-220", serial="SN-1", removed_serial="SN-OLD")
    rig.repairs.repaired(TENANT, job_id, actor)
    with pytest.raises(IllegalTransition):  # the item is still at the depot
        rig.repairs.confirm(TENANT, job_id, CUSTOMER_SIDE, code=rig.codes[0])

    back = rig.repairs.ship_back(TENANT, job_id, actor, carrier="sf", tracking_number="SF-OUT-1")
    assert back.status == J.SHIPPED_BACK
    assert rig.tracking.parcel(TENANT, "SF-OUT-1").registration.direction == "repair_out"
    rig.tracking.apply(TENANT, scan("SF-OUT-1", "e3", TrackingStatus.DELIVERED, hours=50))
    assert rig.repairs.job(TENANT, job_id, actor).status == J.DELIVERED_BACK

    rig.repairs.confirm(TENANT, job_id, CUSTOMER_SIDE, code=rig.codes[0])
    assert ticket_status(rig, ticket_id) == Status.RETURNED_TO_CUSTOMER
    closed = rig.repairs.close(TENANT, job_id, actor)
    assert ticket_status(rig, ticket_id) == Status.CLOSED
    assert verify_chain(closed.entries).valid
    assert [e.event for e in closed.entries if e.actor_id == "system:carrier"] == \
        ["repair.received_at_depot", "repair.delivered_back"]
    notes = [e.event for e in rig.tickets.audit(TENANT, ticket_id, SYSTEM)]
    assert {"ticket.repair_shipped_in", "ticket.repair_shipped_back", "ticket.repair_delivered_back"} <= set(notes)
    assert all(p.delivered_at is not None for p in closed.parcels)


def test_a_scan_before_the_ship_in_is_recorded_is_parked_then_moves_the_job(rig):
    job_id, _ticket_id, _actor = accepted(rig)
    assert rig.tracking.apply(TENANT, scan("SF-IN-2", "e1", TrackingStatus.DELIVERED)).result == "parked"

    job = rig.repairs.ship_in(TENANT, job_id, MERCHANT, carrier="sf", tracking_number="SF-IN-2")

    assert job.status == J.AT_DEPOT  # the parked delivery was acted on at registration
    assert [e.event for e in job.entries][-2:] == ["repair.shipped_in", "repair.received_at_depot"]


def test_only_the_customer_or_storefront_ships_in_and_only_the_provider_ships_back(rig):
    job_id, _ticket_id, actor = accepted(rig)
    with pytest.raises(Forbidden):
        rig.repairs.ship_in(TENANT, job_id, actor, carrier="sf", tracking_number="SF-IN-1")
    assert rig.parcels.get(TENANT, "SF-IN-1") is None  # refused before anything is registered


def test_an_on_site_job_is_never_shipped_back(rig):
    job_id, _ticket_id, actor = accepted(rig)
    with pytest.raises(IllegalTransition):
        rig.repairs.ship_back(TENANT, job_id, actor, carrier="sf", tracking_number="SF-OUT-1")


def test_a_number_registered_for_something_else_is_refused(rig):
    job_id, _ticket_id, _actor = accepted(rig)
    rig.tracking.register(TENANT, "SF-X", Registration(direction="outbound", order_id="O-1", registered_at=NOW))
    with pytest.raises(Conflict) as refused:
        rig.repairs.ship_in(TENANT, job_id, CUSTOMER_SIDE, carrier="sf", tracking_number="SF-X")
    assert refused.value.details["field"] == "tracking_number"
    assert rig.repairs.job(TENANT, job_id, CUSTOMER_SIDE).status == J.ACCEPTED


def test_a_repeated_ship_in_writes_nothing_more(rig):
    job_id, _ticket_id, _actor = accepted(rig)
    first = rig.repairs.ship_in(TENANT, job_id, CUSTOMER_SIDE, carrier="sf", tracking_number="SF-IN-1")
    again = rig.repairs.ship_in(TENANT, job_id, CUSTOMER_SIDE, carrier="sf", tracking_number="SF-IN-1")
    assert again.version == first.version and len(again.parcels) == 1


def test_part_returns_are_recorded_only_for_parts_asked_back_and_once(rig):
    rig.registry.put_part(TENANT, part_number="PCB-1", name="Control board", compatible_skus=["KETTLE-1"],
                          unit_cost=cny(9000), return_removed=True)
    job_id, ticket_id, actor = accepted(rig)
    rig.repairs.ship_in(TENANT, job_id, CUSTOMER_SIDE, carrier="sf", tracking_number="SF-IN-1")
    rig.tracking.apply(TENANT, scan("SF-IN-1", "e1", TrackingStatus.DELIVERED))
    rig.repairs.record_part(TENANT, job_id, actor, part_number="PCB-1", serial="PCB-NEW", removed_serial="PCB-BAD")
    rig.repairs.record_part(TENANT, job_id, actor, part_number="HE-220", serial="SN-1", removed_serial="HE-OLD")
    assert rig.repairs.job(TENANT, job_id, actor).part_returns_due() == ["PCB-BAD"]

    with pytest.raises(InvalidRequest) as not_asked:
        rig.repairs.ship_part_return(TENANT, job_id, actor, carrier="sf", tracking_number="SF-P-0",
                                     removed_serial="HE-OLD")
    assert not_asked.value.details["field"] == "removed_serial"
    with pytest.raises(InvalidRequest):
        rig.repairs.ship_part_return(TENANT, job_id, actor, carrier="sf", tracking_number="SF-P-0",
                                     removed_serial="NOPE")
    with pytest.raises(Forbidden):
        rig.repairs.ship_part_return(TENANT, job_id, CUSTOMER_SIDE, carrier="sf", tracking_number="SF-P-0",
                                     removed_serial="PCB-BAD")

    sent = rig.repairs.ship_part_return(TENANT, job_id, actor, carrier="sf", tracking_number="SF-P-1",
                                        removed_serial="PCB-BAD")
    assert sent.status == J.AT_DEPOT and sent.part_returns_due() == []
    [parcel] = [p for p in sent.parcels if p.direction == ParcelDirection.PART_RETURN]
    assert (parcel.removed_serial, parcel.delivered_at) == ("PCB-BAD", None)
    assert rig.tracking.parcel(TENANT, "SF-P-1").registration.direction == "part_return"
    with pytest.raises(Conflict):
        rig.repairs.ship_part_return(TENANT, job_id, actor, carrier="sf", tracking_number="SF-P-2",
                                     removed_serial="PCB-BAD")

    rig.tracking.apply(TENANT, scan("SF-P-1", "p1", TrackingStatus.DELIVERED, hours=40))
    job = rig.repairs.job(TENANT, job_id, actor)
    assert job.parcel("SF-P-1").delivered_at is not None and job.status == J.AT_DEPOT
    assert job.entries[-1].event == "repair.part_return_delivered" and verify_chain(job.entries).valid
    assert rig.tickets.audit(TENANT, ticket_id, SYSTEM)[-1].event == "ticket.repair_part_returned"
    views = {party.party: job_view(job, party) for party in (actor, CUSTOMER_SIDE, MERCHANT)}
    assert [p["direction"] for p in views[CUSTOMER_SIDE.party]["parcels"]] == ["repair_in"]
    assert "part_returns_due" not in views[CUSTOMER_SIDE.party]
    assert [p["direction"] for p in views[actor.party]["parcels"]] == ["repair_in", "part_return"]
    assert "customer_id" not in views[actor.party] and views[MERCHANT.party]["entries"]
    # a second delivered scan (another event id) changes nothing
    assert rig.tracking.apply(TENANT, scan("SF-P-1", "p2", TrackingStatus.DELIVERED, hours=41)).actions == []
