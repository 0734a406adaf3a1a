"""A repair job's SLA on moto, through the real tracker and sweeper functions: a repair ticket of a
tenant with no SLA policy is tracked with the repair defaults; an offer nobody accepts within 4 h is
breached, escalated and - 15 minutes on - withdrawn from its provider by the sweep's default action
(the stage read back from the SLA table), and the next provider is offered the ticket."""

from __future__ import annotations

from datetime import timedelta

from aftersales.repairs.model import JobActor, JobStatus, Party
from tests.support.sla import START
from tests.support.tickets import walk

MERCHANT = JobActor(party=Party.MERCHANT, id="sup-1")


def test_an_unanswered_offer_is_redispatched_by_the_sla_sweep(sla):
    repairs = sla.svc.repairs
    first = repairs.registry.register("acme", name="First").provider_id
    second = repairs.registry.register("acme", name="Second").provider_id
    ticket_id = sla.open_ticket("repair")
    walk(sla.svc.tickets, "acme", ticket_id, "pending_approval", "approved", "repair_dispatched")
    offered = repairs.dispatch("acme", ticket_id)
    sla.pump(ticket_id)
    accept = sla.deadline(ticket_id, "repair_accept")
    assert (offered.provider_id, accept.deadline.due_at) == (first, START + timedelta(hours=4))
    assert accept.deadline.stages[-1].default_action.kind == "redispatch_repair"

    sla.clock.advance(hours=4, minutes=20)
    sla.sweep(ticket_id)

    jobs = {j.provider_id: j for j in repairs.for_ticket("acme", ticket_id, MERCHANT)}
    assert jobs[first].status == JobStatus.DECLINED and jobs[first].entries[-1].event == "repair.withdrawn"
    assert (jobs[second].status, jobs[second].attempt) == (JobStatus.OFFERED, 2)
    events = sla.audit_events(ticket_id)
    assert {"ticket.sla_breached", "ticket.sla_escalated", "ticket.repair_withdrawn"} <= set(events)
    assert [d["outcome"] for d in sla.notified("sla.default_action")] == ["redispatched"]
    assert sla.deadline(ticket_id, "repair_accept").deadline.completed_at is not None
    assert sla.svc.sla_tables.deadlines.states_for_ticket("acme", ticket_id)["repair_accept#1"].deadline.due_at \
        == START + timedelta(hours=8, minutes=20)
