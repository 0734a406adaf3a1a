"""Repair jobs on in-memory fakes and the real tickets service: a dispatched repair ticket is
offered to the first eligible provider, declined to the next, accepted, booked, rescheduled with a
reason, checked in with a photo, diagnosed, parts recorded with serials, repaired, confirmed with
the customer's code and closed - the ticket following through its own transition table."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.core.errors import Conflict, Forbidden, IllegalTransition, InvalidRequest, NotFound
from aftersales.repairs.model import Billable, Coverage, JobStatus, Location, QuoteStatus
from aftersales.tickets.audit import verify_chain
from aftersales.tickets.model import Status
from tests.support.repairs import CUSTOMER_SIDE, MERCHANT, NOW, TENANT, RepairRig, cny, provider_actor, window
from tests.support.ticket_factories import SYSTEM


@pytest.fixture
def rig() -> RepairRig:
    return RepairRig()


def ticket_status(rig: RepairRig, ticket_id: str) -> Status:
    return rig.tickets.get(TENANT, ticket_id, SYSTEM).status


def accepted_job(rig: RepairRig):
    provider_id = rig.provider("Fixers CN", regions=["CN"], brands=["brewco"])
    ticket_id = rig.ticket()
    job = rig.repairs.dispatch(TENANT, ticket_id)
    actor = provider_actor(provider_id)
    rig.repairs.accept(TENANT, job.job_id, actor)
    return job.job_id, ticket_id, actor


def diagnosed(rig: RepairRig, coverage: Coverage = Coverage.WARRANTY):
    job_id, ticket_id, actor = accepted_job(rig)
    rig.repairs.book(TENANT, job_id, actor, window=window(), technician_id=None)
    rig.repairs.check_in(TENANT, job_id, actor, media_ids=[rig.photo(job_id, actor)])
    rig.repairs.diagnose(TENANT, job_id, actor, fault_code="E-HEAT", coverage=coverage, labour=cny(8000),
                         parts_estimate=cny(4500))
    return job_id, ticket_id, actor


def test_the_first_eligible_provider_by_region_brand_and_capacity_is_offered_the_job(rig):
    rig.provider("US only", regions=["US"])
    rig.provider("Other brand", brands=["kettlekings"])
    full = rig.provider("Full", capacity=0)
    chosen = rig.provider("Fixers CN", regions=["CN"], brands=["brewco"])
    ticket_id = rig.ticket()

    job = rig.repairs.dispatch(TENANT, ticket_id)

    assert job.provider_id == chosen != full
    assert (job.status, job.attempt, job.skus, job.currency) == (JobStatus.OFFERED, 1, ["KETTLE-1"], "CNY")
    assert rig.repairs.dispatch(TENANT, ticket_id).job_id == job.job_id  # idempotent: the open job
    assert len(rig.store) == 1
    notes = [e.event for e in rig.tickets.audit(TENANT, ticket_id, SYSTEM)]
    assert notes[-1] == "ticket.repair_offered"


def test_a_decline_offers_the_job_to_the_next_provider_by_the_same_rules(rig):
    first = rig.provider("First", regions=["CN"])
    rig.provider("Elsewhere", regions=["JP"])
    second = rig.provider("Second", brands=["brewco"])
    ticket_id = rig.ticket()
    offered = rig.repairs.dispatch(TENANT, ticket_id)

    declined, nxt = rig.repairs.decline(TENANT, offered.job_id, provider_actor(first), reason="no technician free")

    assert declined.status == JobStatus.DECLINED and declined.decline_reason == "no technician free"
    assert (nxt.provider_id, nxt.attempt) == (second, 2)
    _, last = rig.repairs.decline(TENANT, nxt.job_id, provider_actor(second), reason="too far")
    assert last is None
    assert rig.tickets.audit(TENANT, ticket_id, SYSTEM)[-1].event == "ticket.repair_no_provider"
    assert ticket_status(rig, ticket_id) == Status.REPAIR_DISPATCHED


def test_the_full_walk_drives_the_ticket_and_ends_closed(rig):
    job_id, ticket_id, actor = accepted_job(rig)
    rig.repairs.book(TENANT, job_id, actor, window=window(), technician_id=None)
    moved = rig.repairs.reschedule(TENANT, job_id, actor, window=window(48), reason="customer asked")
    assert moved.appointment.reschedules[0].reason == "customer asked"

    rig.repairs.check_in(TENANT, job_id, actor, location=Location(latitude=31.2, longitude=121.5),
                         media_ids=[rig.photo(job_id, actor)])
    assert ticket_status(rig, ticket_id) == Status.REPAIR_IN_PROGRESS
    rig.repairs.diagnose(TENANT, job_id, actor, fault_code="E-HEAT", coverage=Coverage.WARRANTY,
                         labour=cny(8000), parts_estimate=cny(4500))
    rig.repairs.record_part(TENANT, job_id, actor, part_number="HE-220", serial="SN-1", batch="B-17",
                            removed_serial="SN-OLD")
    done = rig.repairs.repaired(TENANT, job_id, actor)
    assert ticket_status(rig, ticket_id) == Status.REPAIRED
    code_events = [d for name, d in rig.events.events if name == "repair.confirmation_code_issued"]
    assert code_events[0]["code"] == rig.codes[0] and code_events[0]["customer_id"] == "cust-1"
    assert rig.codes[0] not in done.model_dump_json()  # only its hash is kept

    rig.repairs.confirm(TENANT, job_id, CUSTOMER_SIDE, code=rig.codes[0])
    assert ticket_status(rig, ticket_id) == Status.RETURNED_TO_CUSTOMER
    closed = rig.repairs.close(TENANT, job_id, actor)

    assert ticket_status(rig, ticket_id) == Status.CLOSED
    assert closed.status == JobStatus.CLOSED and verify_chain(closed.entries).valid
    assert [e.event for e in closed.entries][:3] == ["repair.offered", "repair.accepted", "repair.appointment_booked"]
    costs = closed.costs()
    assert (costs.parts, costs.labour, costs.billable_to) == (cny(4500), cny(8000), Billable.MERCHANT)
    assert verify_chain(rig.tickets.audit(TENANT, ticket_id, SYSTEM)).valid


def test_the_serial_and_batch_lead_to_the_customer(rig):
    job_id, ticket_id, actor = diagnosed(rig)
    rig.repairs.record_part(TENANT, job_id, actor, part_number="HE-220", serial="SN-1", batch="B-17",
                            removed_serial="SN-OLD")

    [fitted] = rig.repairs.by_serial(TENANT, "SN-1")
    [removed] = rig.repairs.by_serial(TENANT, "SN-OLD")
    page = rig.repairs.by_batch(TENANT, "B-17", limit=10, cursor=None)

    assert (fitted.job_id, fitted.ticket_id, fitted.customer_id) == (job_id, ticket_id, "cust-1")
    assert removed.job_id == job_id
    assert [t.customer_id for t in page.items] == ["cust-1"]
    assert rig.repairs.by_serial(TENANT, "SN-NONE") == []


def test_a_part_that_does_not_fit_the_product_or_a_serial_twice_is_refused(rig):
    job_id, _, actor = diagnosed(rig)
    rig.registry.put_part(TENANT, part_number="LID-9", name="Lid", compatible_skus=["TOASTER"], unit_cost=cny(900))
    with pytest.raises(InvalidRequest) as refused:
        rig.repairs.record_part(TENANT, job_id, actor, part_number="LID-9")
    assert refused.value.details["field"] == "part_number"
    rig.repairs.record_part(TENANT, job_id, actor, part_number="HE-220", serial="SN-1")
    with pytest.raises(Conflict):
        rig.repairs.record_part(TENANT, job_id, actor, part_number="HE-220", serial="SN-1")
    with pytest.raises(NotFound):
        rig.repairs.record_part(TENANT, job_id, actor, part_number="NOPE")


def test_a_paid_repair_waits_for_the_customers_approval_of_the_quote(rig):
    job_id, _, actor = diagnosed(rig, Coverage.PAID)
    with pytest.raises(Conflict) as waiting:
        rig.repairs.repaired(TENANT, job_id, actor)
    assert waiting.value.message_id == "repairs.quote_not_approved"
    with pytest.raises(Forbidden):
        rig.repairs.decide_quote(TENANT, job_id, actor, approve=True)  # the provider cannot approve its own quote

    approved = rig.repairs.decide_quote(TENANT, job_id, CUSTOMER_SIDE, approve=True)
    assert approved.diagnosis.quote_status == QuoteStatus.APPROVED
    rig.repairs.record_part(TENANT, job_id, actor, part_number="HE-220", serial="SN-2")
    done = rig.repairs.repaired(TENANT, job_id, actor)
    assert done.costs().billable_to == Billable.CUSTOMER and done.parts[0].billable_to == Billable.CUSTOMER


def test_a_rejected_quote_ends_not_repairable_and_the_ticket_waits_for_the_merchant(rig):
    job_id, ticket_id, actor = diagnosed(rig, Coverage.PAID)
    rig.repairs.decide_quote(TENANT, job_id, CUSTOMER_SIDE, approve=False)

    rig.repairs.not_repairable(TENANT, job_id, actor, reason="quote rejected")
    rig.repairs.confirm(TENANT, job_id, actor, code=rig.codes[0])  # read out to the technician
    rig.repairs.close(TENANT, job_id, MERCHANT)

    assert ticket_status(rig, ticket_id) == Status.UNREPAIRABLE  # replacement or refund: the merchant decides


def test_a_wrong_code_is_counted_audited_and_locks_after_five(rig):
    job_id, _, actor = diagnosed(rig)
    rig.repairs.repaired(TENANT, job_id, actor)
    for attempt in range(5):
        with pytest.raises(Forbidden) as wrong:
            rig.repairs.confirm(TENANT, job_id, CUSTOMER_SIDE, code="999999")
        assert wrong.value.details["attempts_left"] == 4 - attempt
    with pytest.raises(Conflict) as locked:
        rig.repairs.confirm(TENANT, job_id, CUSTOMER_SIDE, code=rig.codes[0])
    job = rig.repairs.job(TENANT, job_id, MERCHANT)
    assert locked.value.message_id == "repairs.code_locked" and job.status == JobStatus.REPAIRED
    assert [e.event for e in job.entries].count("repair.code_refused") == 5 and verify_chain(job.entries).valid


def test_another_provider_or_customer_cannot_see_or_move_the_job(rig):
    job_id, _, _ = accepted_job(rig)
    stranger = provider_actor(rig.provider("Stranger"))
    other_customer = CUSTOMER_SIDE.model_copy(update={"id": "cust-2", "customer_id": "cust-2"})
    for who in (stranger, other_customer):
        with pytest.raises(NotFound):
            rig.repairs.job(TENANT, job_id, who)
    with pytest.raises(NotFound):
        rig.repairs.book(TENANT, job_id, stranger, window=window(), technician_id=None)
    assert rig.repairs.provider_jobs(TENANT, stranger, open_only=False, limit=10, cursor=None).items == []


def test_moves_out_of_order_are_refused_with_the_allowed_moves(rig):
    job_id, _, actor = accepted_job(rig)
    with pytest.raises(IllegalTransition) as skipped:
        rig.repairs.check_in(TENANT, job_id, actor)
    assert skipped.value.details["allowed"] == [
        {"to": "booked", "event": "repair.appointment_booked", "permitted": True},
        {"to": "declined", "event": "repair.withdrawn", "permitted": False},  # the SLA's re-dispatch only
        {"to": "in_transit_to_depot", "event": "repair.shipped_in", "permitted": False},  # the customer's
    ]
    with pytest.raises(InvalidRequest):
        rig.repairs.book(TENANT, job_id, actor, window=window(-5), technician_id=None)


def test_a_booking_names_only_the_providers_own_technician(rig):
    job_id, _, actor = accepted_job(rig)
    other = rig.provider("Other")
    theirs = rig.registry.put_technician(TENANT, other, name="Wang").technician_id
    with pytest.raises(NotFound):
        rig.repairs.book(TENANT, job_id, actor, window=window(), technician_id=theirs)
    own = rig.registry.put_technician(TENANT, actor.provider_id, name="Li").technician_id
    booked = rig.repairs.book(TENANT, job_id, actor, window=window(), technician_id=own)
    assert booked.appointment.technician_id == own


def test_a_provider_key_is_issued_only_for_a_registered_provider(rig):
    provider_id = rig.provider("Fixers")
    issued = rig.registry.issue_key(TENANT, provider_id, "fixers app", by="admin-1")
    assert issued.provider_id == provider_id and provider_id in rig.keys
    with pytest.raises(NotFound):
        rig.registry.issue_key(TENANT, "rpv_missing", "x", by="admin-1")


def test_a_decline_after_staff_moved_the_ticket_on_stands_and_offers_nothing(rig):
    first = rig.provider("First")
    rig.provider("Second")
    ticket_id = rig.ticket()
    offered = rig.repairs.dispatch(TENANT, ticket_id)
    rig.tickets.transition(TENANT, ticket_id, Status.REPAIR_IN_PROGRESS, SYSTEM, reason="handled by phone")

    declined, nxt = rig.repairs.decline(TENANT, offered.job_id, provider_actor(first), reason="busy")

    assert declined.status == JobStatus.DECLINED and nxt is None
    assert len(rig.store) == 1


def test_the_technician_on_the_way_is_noted_on_the_ticket_with_the_visit_window_and_eta(rig):
    """GIVEN a booked visit WHEN the technician sets off with an ETA THEN the job keeps it on its
    appointment, the ticket's note (customer-visible) carries the window and the ETA for the
    customer's message and page, and an ETA in the past is refused at `eta`; a reschedule starts
    the way over."""
    job_id, ticket_id, actor = accepted_job(rig)
    booked = rig.repairs.book(TENANT, job_id, actor, window=window(2), technician_id=None)
    with pytest.raises(InvalidRequest) as late:
        rig.repairs.on_the_way(TENANT, job_id, actor, eta=NOW - timedelta(minutes=1))
    assert late.value.details["field"] == "eta"

    going = rig.repairs.on_the_way(TENANT, job_id, actor, eta=NOW + timedelta(hours=2, minutes=30))

    assert (going.status, going.appointment.on_the_way_at, going.appointment.eta) == (
        JobStatus.BOOKED, NOW, NOW + timedelta(hours=2, minutes=30))
    note = rig.tickets.audit(TENANT, ticket_id, SYSTEM)[-1]
    assert note.event == "ticket.repair_on_the_way"
    assert note.data["window"] == booked.appointment.window.model_dump(mode="json")
    assert note.data["eta"].startswith("2026-12-03T10:30")
    booked_note = next(e for e in rig.tickets.audit(TENANT, ticket_id, SYSTEM) if e.event == "ticket.repair_booked")
    assert booked_note.data["window"]["start"].startswith("2026-12-03T10:00")
    moved = rig.repairs.reschedule(TENANT, job_id, actor, window=window(5), reason="traffic")
    assert moved.appointment.on_the_way_at is None
    with pytest.raises(NotFound):
        rig.repairs.on_the_way(TENANT, job_id, provider_actor("someone-else"))


WEEKDAYS = {"timezone": "Asia/Shanghai",
            "weekly_hours": {d: [{"start": "09:00", "end": "18:00"}] for d in ("mon", "tue", "wed", "thu", "fri")}}


def test_a_visit_is_booked_only_within_the_providers_hours_or_the_technicians_own(rig):
    """GIVEN a provider visiting 09-18 Shanghai time on weekdays and a technician who also works
    Saturdays WHEN a visit is booked THEN a Friday-morning window is taken, an evening one is 422 at
    window.start, and a Saturday one only with the Saturday technician; a reschedule is held to the
    same hours; hours that make no calendar are 422 at their field."""
    job_id, _, actor = accepted_job(rig)
    provider_id = actor.provider_id
    rig.registry.update(TENANT, provider_id, availability=WEEKDAYS)
    rig.registry.put_technician(TENANT, provider_id, name="Sat", technician_id="tech-sat", availability={
        "timezone": "Asia/Shanghai", "weekly_hours": {"sat": [{"start": "09:00", "end": "17:00"}]}})
    rig.registry.put_technician(TENANT, provider_id, name="Plain", technician_id="tech-plain")

    with pytest.raises(InvalidRequest) as evening:  # Thu 19:00-21:00 in Shanghai
        rig.repairs.book(TENANT, job_id, actor, window=window(3), technician_id=None)
    assert evening.value.details == {"field": "window.start", "timezone": "Asia/Shanghai"}
    with pytest.raises(InvalidRequest):  # Sat 10:00-12:00: the provider's hours, for a technician without own
        rig.repairs.book(TENANT, job_id, actor, window=window(42), technician_id="tech-plain")
    saturday = rig.repairs.book(TENANT, job_id, actor, window=window(42), technician_id="tech-sat")
    assert saturday.appointment.technician_id == "tech-sat"
    with pytest.raises(InvalidRequest):  # the Saturday technician does not work Fridays
        rig.repairs.reschedule(TENANT, job_id, actor, window=window(18), reason="customer asked")
    friday = rig.repairs.reschedule(TENANT, job_id, actor, window=window(18), reason="customer asked",
                                    technician_id="tech-plain")  # Fri 10:00-12:00
    assert friday.appointment.window.start == NOW + timedelta(hours=18)
    with pytest.raises(InvalidRequest) as bad:
        rig.registry.update(TENANT, provider_id, availability={"timezone": "Mars/Olympus", "weekly_hours": {}})
    assert bad.value.details["field"].startswith("availability.")
