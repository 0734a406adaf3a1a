"""Hypothesis: whatever party tries whatever step in whatever order, a job only ever moves along
the transition table (no state is skipped), a provider never moves another provider's job, a job
is confirmed only with the customer's code, and the audit chain always verifies."""

from __future__ import annotations

import itertools
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.core.errors import DomainError
from aftersales.repairs import domain
from aftersales.repairs.model import Coverage, JobActor, JobStatus, Party, Provider, Window
from aftersales.tickets.audit import verify_chain
from tests.support.repairs import NOW, cny

OWN = JobActor(party=Party.PROVIDER, id="apikey:own", provider_id="rpv_own")
ACTORS = [OWN, JobActor(party=Party.PROVIDER, id="apikey:other", provider_id="rpv_other"),
          JobActor(party=Party.CUSTOMER, id="cust-1", customer_id="cust-1"),
          JobActor(party=Party.CUSTOMER, id="cust-2", customer_id="cust-2"),
          JobActor(party=Party.MERCHANT, id="sup-1"), JobActor(party=Party.SYSTEM, id="system")]
CODE = "424242"
reached: set[JobStatus] = set()
PROVIDER = Provider(provider_id="rpv_own", tenant_id="acme", name="Own", created_at=NOW)
WINDOW = Window(start=NOW + timedelta(days=1), end=NOW + timedelta(days=1, hours=2))


def step(name: str, job, actor, code: str, approve: bool):
    at = NOW
    if name == "accept":
        return domain.accept(job, actor, at=at)
    if name == "decline":
        return domain.decline(job, actor, at=at, reason="busy")
    if name == "book":
        return domain.book(job, actor, at=at, window=WINDOW, technician_id=None)
    if name == "reschedule":
        return domain.reschedule(job, actor, at=at, window=WINDOW, reason="asked")
    if name == "check_in":
        return domain.check_in(job, actor, at=at, location=None, media_ids=["m"], technician_id=None)
    if name == "diagnose":
        return domain.diagnose(job, actor, at=at, fault_code="E1", coverage=Coverage.PAID if approve else
                               Coverage.WARRANTY, labour=cny(100), parts_estimate=cny(0))
    if name == "quote":
        return domain.decide_quote(job, actor, at=at, approve=approve)
    if name == "repaired":
        return domain.repaired(job, actor, at=at, code=CODE)
    if name == "not_repairable":
        return domain.not_repairable(job, actor, at=at, code=CODE, reason="no part")
    if name == "confirm":
        return domain.confirm(job, actor, at=at, code=code)
    if name == "withdraw":
        return domain.withdraw(job, actor, at=at, reason="repair_accept_breached")
    if name == "on_the_way":
        return domain.on_the_way(job, actor, at=at, eta=None)
    return domain.close(job, actor, at=at)


STEPS = st.tuples(st.sampled_from(["accept", "decline", "book", "reschedule", "check_in", "diagnose", "quote",
                                   "repaired", "not_repairable", "confirm", "close", "withdraw",
                                   "on_the_way"]),
                  st.sampled_from(range(len(ACTORS))), st.sampled_from([CODE, "000000", "42424", ""]), st.booleans())


HAPPY = [("accept", 0), ("book", 0), ("check_in", 0), ("diagnose", 0), ("quote", 2), ("repaired", 0),
         ("confirm", 2), ("close", 0)]
UNREPAIRABLE = [*HAPPY[:5], ("not_repairable", 0), ("confirm", 0), ("close", 4)]
DECLINED = [("decline", 0)]


@st.composite
def walks(draw):
    """Random steps by random parties, interleaved with the right steps of the own provider and
    customer (so the later states are reached too), each with a random code."""
    noise = draw(st.lists(STEPS, max_size=30))
    path = draw(st.sampled_from([HAPPY, UNREPAIRABLE, DECLINED]))
    happy = [(name, who, draw(st.sampled_from([CODE, "000000"])), draw(st.booleans()))
             for name, who in path[:draw(st.integers(0, len(path)))]]
    positions = sorted(draw(st.lists(st.integers(0, len(noise)), min_size=len(happy), max_size=len(happy))))
    for offset, (position, item) in enumerate(zip(positions, happy, strict=True)):
        noise.insert(position + offset, item)  # the right steps keep their order
    return noise


@settings(max_examples=400, deadline=None)
@given(walks())
def test_no_party_or_path_skips_a_state_or_confirms_without_the_code(steps):
    job = domain.offer(job_id="rjob_1", tenant_id="acme", ticket_id="t1", customer_id="cust-1", order_id="O-1",
                       provider=PROVIDER, skus=["KETTLE-1"], currency="CNY", attempt=1,
                       actor=JobActor(party=Party.SYSTEM, id="system"), at=NOW)
    for name, who, code, approve in steps:
        actor = ACTORS[who]
        before = job
        try:
            job = step(name, job, actor, code, approve)
        except domain.WrongCode as wrong:
            assert code != CODE
            job = wrong.job
        except DomainError:
            assert job is before
            continue
        entry = job.entries[-1]
        move = domain.find(JobStatus(entry.from_status), JobStatus(entry.to_status), entry.event)
        assert move is not None, (entry.from_status, entry.to_status, entry.event)  # along the table only
        assert actor.party in move.parties
        if actor.party == Party.PROVIDER:
            assert actor.provider_id == job.provider_id
        if actor.party == Party.CUSTOMER:
            assert actor.customer_id == job.customer_id
        if job.status == JobStatus.CONFIRMED and before.status != JobStatus.CONFIRMED:
            assert code == CODE and before.confirmation.attempts < 5
    reached.update(JobStatus(e.to_status) for e in job.entries)
    statuses = [JobStatus(e.to_status) for e in job.entries]
    for previous, current in itertools.pairwise(statuses):
        assert previous == current or any(m.source == previous and m.target == current for m in domain.MOVES)
    assert verify_chain(job.entries).valid
    assert [e.seq for e in job.entries] == list(range(1, job.version + 1))


def test_the_walks_reach_every_state():
    """The property above is worth something only if its walks get past the first states."""
    test_no_party_or_path_skips_a_state_or_confirms_without_the_code()
    assert {JobStatus.CONFIRMED, JobStatus.CLOSED, JobStatus.DECLINED, JobStatus.NOT_REPAIRABLE} <= reached
