"""A repair job's SLAs on the SLA engine (SlaService on the in-memory SlaStore, the real tickets and
repairs services on their fakes): with no policy of the tenant's, a repair ticket is tracked with
the defaults (accept within 4 h, first visit within 48 h, fix within 7 days); the sweep reminds,
breaches, escalates to a supervisor and then withdraws the job from the provider that let it run
late and offers the ticket to the next one. A tenant's own targets replace the defaults."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from aftersales.dispatch.service import DispatchService
from aftersales.repairs.model import JobStatus
from aftersales.sla.policy import SlaPolicy
from aftersales.sla.repair_targets import DEFAULT_RULE_ID, with_repair_defaults
from aftersales.sla.service import SlaService
from tests.support.fakes.analytics import FixedZones
from tests.support.fakes.dispatch import InMemoryDispatchStore
from tests.support.fakes.sla import InMemorySlaStore, RecordingPages
from tests.support.repairs import NOW, TENANT, RepairRig, provider_actor, window
from tests.support.ticket_factories import SYSTEM


class NoApprovals:
    def approve_on_timeout(self, tenant_id: str, ticket_id: str, reason: str, data: dict[str, Any]) -> Any:
        raise AssertionError("a repair SLA never approves a refund")


class SlaRig(RepairRig):
    def __init__(self) -> None:
        super().__init__()
        self.sla_store = InMemorySlaStore()
        dispatch = DispatchService(InMemoryDispatchStore(), self.tickets, self.clock)
        self.sla = SlaService(self.sla_store, self.tickets, dispatch, self.events, self.clock, NoApprovals(),
                              RecordingPages(), repairs=self.repairs, zones=FixedZones())

    def at(self, delta: timedelta, ticket_id: str) -> None:
        """Time passes; the tracker has recomputed the ticket's deadlines from its latest entries."""
        self.sla.track(TENANT, ticket_id)
        self.clock.set(NOW + delta)
        self.sla.sweep()

    def notes(self, ticket_id: str) -> list[str]:
        return [e.event for e in self.tickets.audit(TENANT, ticket_id, SYSTEM)]

    def deadlines(self, ticket_id: str) -> dict[str, Any]:
        return {s.deadline.key: s for s in self.sla.deadlines(TENANT, ticket_id, SYSTEM)}


@pytest.fixture
def rig() -> SlaRig:
    return SlaRig()


def offered(rig: SlaRig) -> tuple[str, str, str, str]:
    first = rig.provider("First", regions=["CN"])
    second = rig.provider("Second", brands=["brewco"])
    ticket_id = rig.ticket()
    job = rig.repairs.dispatch(TENANT, ticket_id)
    return ticket_id, job.job_id, first, second


def test_a_repair_without_a_tenant_policy_is_tracked_with_the_default_targets(rig):
    """GIVEN a tenant with no SLA policy WHEN its repair ticket is offered and tracked THEN the
    accept clock is due 4 h after the offer, and the fix clock 7 days after the dispatch."""
    ticket_id, _job, _first, _second = offered(rig)

    rig.sla.track(TENANT, ticket_id)

    clocks = rig.deadlines(ticket_id)
    assert clocks["repair_accept#0"].deadline.due_at == NOW + timedelta(hours=4)
    assert clocks["repair_returned_by_provider#0"].deadline.due_at == NOW + timedelta(days=7)
    assert "repair_first_visit#0" not in clocks  # not accepted yet


def test_an_offer_nobody_accepts_is_reminded_escalated_and_redispatched_to_the_next_provider(rig):
    """GIVEN an offer to the first provider WHEN 2 h pass THEN a reminder; at 4 h the breach and an
    escalation to a supervisor; 15 min later the job is withdrawn from the first provider and the
    second is offered the ticket (a new job, attempt 2), with its own accept clock."""
    ticket_id, job_id, first, second = offered(rig)

    rig.at(timedelta(hours=2, minutes=1), ticket_id)
    assert rig.notes(ticket_id)[-1] == "ticket.sla_reminder"
    rig.at(timedelta(hours=4, minutes=1), ticket_id)
    assert {"ticket.sla_breached", "ticket.sla_escalated"} <= set(rig.notes(ticket_id))
    assert rig.repairs.job(TENANT, job_id, provider_actor(first)).status == JobStatus.OFFERED  # not yet

    rig.at(timedelta(hours=4, minutes=17), ticket_id)

    withdrawn = rig.repairs.job(TENANT, job_id, provider_actor(first))
    assert (withdrawn.status, withdrawn.entries[-1].event) == (JobStatus.DECLINED, "repair.withdrawn")
    assert withdrawn.decline_reason == "repair_accept_breached"
    (nxt,) = [j for j in rig.repairs.for_ticket(TENANT, ticket_id, provider_actor(second))]
    assert (nxt.provider_id, nxt.attempt, nxt.status) == (second, 2, JobStatus.OFFERED)
    notes = rig.notes(ticket_id)
    assert notes.index("ticket.repair_withdrawn") < len(notes) - notes[::-1].index("ticket.repair_offered")
    rig.sla.track(TENANT, ticket_id)
    assert rig.deadlines(ticket_id)["repair_accept#1"].deadline.due_at == NOW + timedelta(hours=8, minutes=17)


def test_an_accepted_job_nobody_visits_in_48_hours_goes_to_the_next_provider(rig):
    """GIVEN the first provider accepted and booked WHEN nobody checks in for 48 h and the hour of
    grace THEN the booked job is withdrawn and the second provider offered the ticket."""
    ticket_id, job_id, first, second = offered(rig)
    rig.repairs.accept(TENANT, job_id, provider_actor(first))
    rig.repairs.book(TENANT, job_id, provider_actor(first), window=window(30), technician_id=None)
    rig.sla.track(TENANT, ticket_id)
    assert rig.deadlines(ticket_id)["repair_first_visit#0"].deadline.due_at == NOW + timedelta(hours=48)

    rig.at(timedelta(hours=48, minutes=1), ticket_id)
    assert rig.repairs.job(TENANT, job_id, provider_actor(first)).status == JobStatus.BOOKED
    rig.at(timedelta(hours=49, minutes=2), ticket_id)

    assert rig.repairs.job(TENANT, job_id, provider_actor(first)).status == JobStatus.DECLINED
    assert [j.provider_id for j in rig.repairs.for_ticket(TENANT, ticket_id, provider_actor(second))] == [second]


def test_a_job_visited_in_time_is_not_withdrawn(rig):
    """GIVEN a job checked in before its first-visit deadline WHEN a late re-dispatch for that
    deadline comes THEN it is skipped and the job stays with its provider."""
    ticket_id, job_id, first, _second = offered(rig)
    actor = provider_actor(first)
    rig.repairs.accept(TENANT, job_id, actor)
    rig.repairs.book(TENANT, job_id, actor, window=window(2), technician_id=None)
    rig.repairs.check_in(TENANT, job_id, actor)
    rig.sla.track(TENANT, ticket_id)
    assert rig.deadlines(ticket_id)["repair_first_visit#0"].deadline.completed_at == NOW

    outcome = rig.repairs.redispatch_overdue(TENANT, ticket_id, metric="repair_first_visit", since=NOW)

    assert outcome == "skipped"
    assert rig.repairs.job(TENANT, job_id, actor).status == JobStatus.CHECKED_IN


def test_a_later_offer_is_not_withdrawn_for_an_earlier_offers_deadline(rig):
    """GIVEN the first provider declined and the second was offered later WHEN the first offer's
    re-dispatch arrives THEN the second provider keeps its offer."""
    ticket_id, job_id, first, second = offered(rig)
    rig.clock.set(NOW + timedelta(minutes=5))
    rig.repairs.decline(TENANT, job_id, provider_actor(first), reason="busy")

    assert rig.repairs.redispatch_overdue(TENANT, ticket_id, metric="repair_accept", since=NOW) == "skipped"
    (job,) = rig.repairs.for_ticket(TENANT, ticket_id, provider_actor(second))
    assert job.status == JobStatus.OFFERED


def test_a_tenants_own_repair_target_replaces_the_default_and_keeps_the_others():
    """GIVEN a tenant policy that sets accept-within to 1 h for repairs THEN that target is used,
    and first visit and fix keep their defaults."""
    from aftersales.sla.policy import TicketFacts

    policy = SlaPolicy.model_validate({"tenant_id": TENANT, "rules": [
        {"rule_id": "fast", "match": {"ticket_type": "repair"},
         "targets": {"repair_accept": {"duration": "PT1H", "clock": "calendar"}}}]})
    facts = TicketFacts(tenant_id=TENANT, ticket_id="t", ticket_type="repair", customer_tier="std", channel="app")

    merged = with_repair_defaults(policy, TENANT)

    assert merged.target_for(facts, "repair_accept").duration == timedelta(hours=1)
    assert merged.target_for(facts, "repair_first_visit").duration == timedelta(hours=48)
    assert merged.rules[-1].rule_id == DEFAULT_RULE_ID and "repair_accept" not in merged.rules[-1].targets
    other = facts.model_copy(update={"ticket_type": "return_refund"})
    assert merged.target_for(other, "repair_first_visit") is None
