"""Who may do what on a repair job, through the repairs service. The principals: the merchant's
staff, the provider's key, the key of the job's technician, of another technician of the same
provider, of the other provider's technician with the same technician id, the other provider's key,
the job's customer, another customer. The steps: every job step in the state where it is possible,
and issuing or revoking the technician's key. Every pair is tried: only the permitted principals
succeed; every other one is refused with Forbidden or NotFound (403 or 404 through the one error
map) and nothing changes - the job (status, version, audit entries), the ticket's audit chain, the
events published, the parcels and the keys issued and revoked are as they were. Hypothesis: any
sequence of unjustified attempts, in any order, leaves no trace and the step is still there for its
principals. Then the specifics: a technician's listing follows the assignment, it names no other
technician, an inactive technician reads nothing, and what a technician sees of a job."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.auth.credentials import ApiKeyScope, Principal
from aftersales.core.errors import Forbidden, NotFound
from aftersales.repairs.model import Coverage, JobActor, JobStatus
from aftersales.repairs.views import job_actor, job_view
from aftersales.tickets.model import Role
from tests.support.repairs import TENANT, RepairRig, cny, window
from tests.support.ticket_factories import SYSTEM

TECHNICIAN, COLLEAGUE = "tech-li", "tech-wu"


@dataclass
class Stage:
    rig: RepairRig
    job_id: str
    ticket_id: str
    provider: JobActor
    providers: dict[str, str]
    key_id: str  # the job's technician's key, issued by the merchant
    photo: str | None  # a booked job's visit photo, granted through it and checked: what its check-in names


def principals(providers: dict[str, str]) -> dict[str, Principal]:
    own, other = providers["own"], providers["other"]

    def technician(provider_id: str, technician_id: str, key: str) -> Principal:
        return Principal(TENANT, "technician", f"apikey:{key}", frozenset(),
                         scopes=frozenset({ApiKeyScope.REPAIR_TECHNICIAN}), provider_id=provider_id,
                         technician_id=technician_id)

    return {
        "merchant staff": Principal(TENANT, "staff", "sup-1", frozenset({Role.SUPERVISOR})),
        "provider key": Principal(TENANT, "provider", "apikey:own", frozenset(),
                                  scopes=frozenset({ApiKeyScope.REPAIR_PROVIDER}), provider_id=own),
        "technician key of the job": technician(own, TECHNICIAN, "li"),
        "technician key of another technician": technician(own, COLLEAGUE, "wu"),
        "same technician id at another provider": technician(other, TECHNICIAN, "li-other"),
        "key of another provider": Principal(TENANT, "provider", "apikey:other", frozenset(),
                                             scopes=frozenset({ApiKeyScope.REPAIR_PROVIDER}), provider_id=other),
        "customer": Principal(TENANT, "customer", "cust-1", frozenset({Role.CUSTOMER}), customer_id="cust-1"),
        "another customer": Principal(TENANT, "customer", "cust-2", frozenset({Role.CUSTOMER}), customer_id="cust-2"),
    }


def staged(status: str) -> Stage:
    """A job of the own provider walked by the provider's key up to `status` (booked for tech-li)."""
    rig = RepairRig()
    providers = {"own": rig.provider("Own", regions=["CN"]), "other": rig.provider("Other", regions=["JP"])}
    for provider_id in providers.values():
        for technician_id in (TECHNICIAN, COLLEAGUE):
            rig.registry.put_technician(TENANT, provider_id, name=technician_id, technician_id=technician_id)
    rig.registry.put_part(TENANT, part_number="PCB-1", name="Board", compatible_skus=["KETTLE-1"],
                          unit_cost=cny(9000), return_removed=True)
    ticket_id = rig.ticket()
    job_id = rig.repairs.dispatch(TENANT, ticket_id).job_id
    provider = job_actor(principals(providers)["provider key"], None)
    merchant = job_actor(principals(providers)["merchant staff"], None)
    key_id = rig.registry.issue_technician_key(TENANT, providers["own"], TECHNICIAN, "li", by=merchant).key_id
    steps: list[tuple[str, Callable[[], object]]] = [
        ("accepted", lambda: rig.repairs.accept(TENANT, job_id, provider)),
        ("booked", lambda: rig.repairs.book(TENANT, job_id, provider, window=window(), technician_id=TECHNICIAN)),
        ("checked_in", lambda: rig.repairs.check_in(TENANT, job_id, provider)),
        ("part_fitted", lambda: rig.repairs.record_part(TENANT, job_id, provider, part_number="PCB-1",
                                                        removed_serial="OLD-1")),
        ("diagnosed", lambda: rig.repairs.diagnose(TENANT, job_id, provider, fault_code="E1",
                                                   coverage=Coverage.PAID if status == "quoted" else Coverage.WARRANTY,
                                                   labour=cny(100), parts_estimate=cny(0))),
        ("repaired", lambda: rig.repairs.repaired(TENANT, job_id, provider)),
        ("confirmed", lambda: rig.repairs.confirm(TENANT, job_id, provider, code=rig.codes[-1])),
    ]
    wanted = {"offered": 0, "accepted": 1, "booked": 2, "checked_in": 3, "part_fitted": 4, "quoted": 5,
              "diagnosed": 5, "repaired": 6, "confirmed": 7}[status]
    for _name, take in steps[:wanted]:
        take()
    photo = rig.photo(job_id, provider) if status == "booked" else None
    return Stage(rig, job_id, ticket_id, provider, providers, key_id, photo)


# operation -> (the status it is possible in, the call, who may do it)
OPERATIONS: dict[str, tuple[str, Callable[[Stage, JobActor], object], frozenset[str]]] = {
    "read": ("booked", lambda s, who: s.rig.repairs.job(TENANT, s.job_id, who),
             frozenset({"merchant staff", "provider key", "technician key of the job", "customer"})),
    "accept": ("offered", lambda s, who: s.rig.repairs.accept(TENANT, s.job_id, who), frozenset({"provider key"})),
    "decline": ("offered", lambda s, who: s.rig.repairs.decline(TENANT, s.job_id, who, reason="busy"),
                frozenset({"provider key"})),
    "book": ("accepted", lambda s, who: s.rig.repairs.book(TENANT, s.job_id, who, window=window(),
                                                           technician_id=TECHNICIAN), frozenset({"provider key"})),
    "reschedule": ("booked", lambda s, who: s.rig.repairs.reschedule(TENANT, s.job_id, who, window=window(48),
                                                                     reason="asked"), frozenset({"provider key"})),
    "assign another technician": ("booked", lambda s, who: s.rig.repairs.on_the_way(
        TENANT, s.job_id, who, technician_id=COLLEAGUE), frozenset({"provider key"})),
    "on the way": ("booked", lambda s, who: s.rig.repairs.on_the_way(TENANT, s.job_id, who),
                   frozenset({"provider key", "technician key of the job"})),
    "check in": ("booked", lambda s, who: s.rig.repairs.check_in(TENANT, s.job_id, who, media_ids=[s.photo]),
                 frozenset({"provider key", "technician key of the job"})),
    "record a part": ("checked_in", lambda s, who: s.rig.repairs.record_part(TENANT, s.job_id, who,
                                                                             part_number="HE-220", serial="SN-1"),
                      frozenset({"provider key", "technician key of the job"})),
    "diagnose": ("checked_in", lambda s, who: s.rig.repairs.diagnose(
        TENANT, s.job_id, who, fault_code="E1", coverage=Coverage.WARRANTY, labour=cny(100),
        parts_estimate=cny(0)), frozenset({"provider key", "technician key of the job"})),
    "return the removed part": ("part_fitted", lambda s, who: s.rig.repairs.ship_part_return(
        TENANT, s.job_id, who, carrier="sf", tracking_number="SF100", removed_serial="OLD-1"),
        frozenset({"provider key"})),
    "decide the quote": ("quoted", lambda s, who: s.rig.repairs.decide_quote(TENANT, s.job_id, who, approve=True),
                         frozenset({"customer"})),
    "repaired": ("diagnosed", lambda s, who: s.rig.repairs.repaired(TENANT, s.job_id, who),
                 frozenset({"provider key", "technician key of the job"})),
    "not repairable": ("diagnosed", lambda s, who: s.rig.repairs.not_repairable(TENANT, s.job_id, who,
                                                                                reason="no part"),
                       frozenset({"provider key", "technician key of the job"})),
    "confirm with the code": ("repaired", lambda s, who: s.rig.repairs.confirm(TENANT, s.job_id, who,
                                                                               code=s.rig.codes[-1]),
                              frozenset({"provider key", "technician key of the job", "customer"})),
    "close": ("confirmed", lambda s, who: s.rig.repairs.close(TENANT, s.job_id, who),
              frozenset({"provider key", "merchant staff"})),
    "ship the item in": ("accepted", lambda s, who: s.rig.repairs.ship_in(TENANT, s.job_id, who, carrier="sf",
                                                                          tracking_number="SF200"),
                         frozenset({"customer", "merchant staff"})),
    "revoke a technician key": ("booked", lambda s, who: s.rig.registry.revoke_technician_key(
        TENANT, s.providers["own"], TECHNICIAN, s.key_id, by=who), frozenset({"provider key", "merchant staff"})),
    "issue a technician key": ("booked", lambda s, who: s.rig.registry.issue_technician_key(
        TENANT, s.providers["own"], TECHNICIAN, "li's phone", by=who), frozenset({"provider key", "merchant staff"})),
}
PRINCIPALS = sorted(principals({"own": "p", "other": "q"}))


def snapshot(stage: Stage) -> tuple:
    job = stage.rig.store.get_job(TENANT, stage.job_id)
    chain = stage.rig.tickets.audit(TENANT, stage.ticket_id, SYSTEM)
    return (job.model_dump(mode="json"), [e.hash for e in chain], list(stage.rig.events.events),
            list(stage.rig.keys.issued), list(stage.rig.keys.revoked), len(stage.rig.parcels))


@pytest.mark.parametrize(("operation", "who"), [(o, w) for o in sorted(OPERATIONS) for w in PRINCIPALS])
def test_only_the_permitted_principals_act_and_the_others_change_nothing(operation, who):
    """Every principal against every step (all of them: the table is small)."""
    status, call, permitted = OPERATIONS[operation]
    stage = staged(status)
    actor = job_actor(principals(stage.providers)[who], "req-1")
    before = snapshot(stage)

    if who in permitted:
        call(stage, actor)
        after = stage.rig.store.get_job(TENANT, stage.job_id)
        if operation not in ("read", "issue a technician key", "revoke a technician key"):
            assert after.version > before[0]["version"], operation
            assert after.entries[-1].actor_role == actor.party.value
        return
    with pytest.raises((Forbidden, NotFound)):
        call(stage, actor)
    assert snapshot(stage) == before, (who, operation)


def _refused(attempt: tuple[str, str]) -> bool:
    operation, who = attempt
    return who not in OPERATIONS[operation][2]


@settings(max_examples=120, deadline=None)
@given(operation=st.sampled_from(sorted(OPERATIONS)), data=st.data())
def test_refused_attempts_in_any_order_change_nothing_and_leave_the_step_to_its_principals(operation, data):
    """Any sequence of unjustified attempts at the steps possible in a job's state, in any order,
    leaves no trace; the step is then still there for a permitted principal to take."""
    status, call, permitted = OPERATIONS[operation]
    possible = sorted(op for op, (state, _call, _who) in OPERATIONS.items() if state == status)
    attempts = data.draw(st.lists(st.tuples(st.sampled_from(possible), st.sampled_from(PRINCIPALS)).filter(_refused),
                                  max_size=8))
    stage = staged(status)
    before = snapshot(stage)
    for attempted, who in attempts:
        with pytest.raises((Forbidden, NotFound)):
            OPERATIONS[attempted][1](stage, job_actor(principals(stage.providers)[who], "req-2"))
    assert snapshot(stage) == before, attempts

    call(stage, job_actor(principals(stage.providers)[data.draw(st.sampled_from(sorted(permitted)))], "req-3"))


def test_every_operation_is_tried_in_a_state_where_its_permitted_principals_succeed():
    """The property above would pass vacuously if a stage were wrong: each stage is where it says."""
    for operation, (status, _call, permitted) in OPERATIONS.items():
        stage = staged(status)
        expected = {"part_fitted": JobStatus.CHECKED_IN, "quoted": JobStatus.DIAGNOSED}.get(status, status)
        assert stage.rig.store.get_job(TENANT, stage.job_id).status == expected, operation
        assert permitted, operation


def test_a_technician_sees_its_jobs_only_while_they_are_assigned_to_it():
    stage = staged("booked")
    ours = principals(stage.providers)
    li = job_actor(ours["technician key of the job"], None)
    wu = job_actor(ours["technician key of another technician"], None)
    listed = stage.rig.repairs.provider_jobs(TENANT, li, open_only=True, limit=10, cursor=None)
    assert [j.job_id for j in listed.items] == [stage.job_id]
    assert stage.rig.repairs.provider_jobs(TENANT, wu, open_only=True, limit=10, cursor=None).items == []

    stage.rig.repairs.reschedule(TENANT, stage.job_id, stage.provider, window=window(48), reason="Li is ill",
                                 technician_id=COLLEAGUE)

    assert stage.rig.repairs.job(TENANT, stage.job_id, wu).technician_id == COLLEAGUE
    assert stage.rig.repairs.provider_jobs(TENANT, li, open_only=True, limit=10, cursor=None).items == []
    with pytest.raises(NotFound):
        stage.rig.repairs.job(TENANT, stage.job_id, li)


def test_a_technicians_check_in_is_its_own_and_it_names_no_other_technician():
    stage = staged("booked")
    li = job_actor(principals(stage.providers)["technician key of the job"], "req-7")
    before = snapshot(stage)
    for step in (lambda: stage.rig.repairs.on_the_way(TENANT, stage.job_id, li, technician_id=COLLEAGUE),
                 lambda: stage.rig.repairs.check_in(TENANT, stage.job_id, li, technician_id=COLLEAGUE)):
        with pytest.raises(Forbidden) as refused:
            step()
        assert refused.value.details["field"] == "technician_id"
    assert snapshot(stage) == before

    job = stage.rig.repairs.check_in(TENANT, stage.job_id, li, technician_id=TECHNICIAN,
                                     media_ids=[stage.photo])

    assert (job.status, job.check_in.technician_id, job.technician_id) == (JobStatus.CHECKED_IN, TECHNICIAN, TECHNICIAN)
    assert (job.entries[-1].actor_role, job.entries[-1].actor_id) == ("technician", "apikey:li")
    ticket_entry = stage.rig.tickets.audit(TENANT, stage.ticket_id, SYSTEM)[-1]
    assert (ticket_entry.to_status, ticket_entry.data["by"]) == ("repair_in_progress", "technician")


def test_the_provider_hands_the_visit_over_and_the_check_in_moves_the_job_with_it():
    stage = staged("booked")
    ours = principals(stage.providers)
    li, wu = (job_actor(ours[k], None) for k in ("technician key of the job", "technician key of another technician"))

    stage.rig.repairs.check_in(TENANT, stage.job_id, stage.provider, technician_id=COLLEAGUE)

    diagnosed = stage.rig.repairs.diagnose(TENANT, stage.job_id, wu, fault_code="E1", coverage=Coverage.WARRANTY,
                                           labour=cny(100), parts_estimate=cny(0))
    assert diagnosed.entries[-1].actor_role == "technician"
    with pytest.raises(NotFound):
        stage.rig.repairs.repaired(TENANT, stage.job_id, li)


def test_a_technician_no_longer_active_reads_and_moves_nothing():
    stage = staged("booked")
    li = job_actor(principals(stage.providers)["technician key of the job"], None)
    stage.rig.registry.put_technician(TENANT, stage.providers["own"], name="Li", technician_id=TECHNICIAN,
                                      active=False)
    before = snapshot(stage)
    for step in (lambda: stage.rig.repairs.job(TENANT, stage.job_id, li),
                 lambda: stage.rig.repairs.provider_jobs(TENANT, li, open_only=True, limit=10, cursor=None),
                 lambda: stage.rig.repairs.check_in(TENANT, stage.job_id, li)):
        with pytest.raises(NotFound):
            step()
    assert snapshot(stage) == before


def test_a_technician_sees_the_job_as_its_provider_does_and_which_steps_are_not_its_own():
    stage = staged("booked")
    li = job_actor(principals(stage.providers)["technician key of the job"], None)

    body = job_view(stage.rig.repairs.job(TENANT, stage.job_id, li), li)

    assert "customer_id" not in body and "entries" not in body and body["technician_id"] == TECHNICIAN
    assert {m["event"]: m["permitted"] for m in body["next"]} == {
        "repair.appointment_rescheduled": False, "repair.on_the_way": True, "repair.checked_in": True,
        "repair.withdrawn": False}
