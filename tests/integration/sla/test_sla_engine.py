"""SLA engine end to end under moto: tracker, sweeper and dispatcher handlers with a FixedClock."""

from __future__ import annotations

from datetime import timedelta

from aftersales.tickets.model import Status

RESOLUTION = {"duration": "PT8H", "clock": "calendar", "reminders": [0.75],
              "escalations": [{"level": 1, "to_role": "supervisor"},
                              {"level": 2, "to_role": "regional_lead", "after_breach": "PT2H"}],
              "default_action": {"kind": "auto_approve_refund_under_cap",
                                 "cap": {"amount": 50000, "currency": "CNY"}, "after_breach": "PT4H"}}


def test_new_ticket_is_auto_assigned_with_the_reason_in_the_audit_chain(sla):
    """GIVEN two idle agents in the matching skill group
    WHEN a ticket is created
    THEN the dispatcher assigns it to the least-loaded one and the audit entry keeps the reason."""
    ticket_id = sla.open_ticket()
    ticket = sla.svc.tickets.get("acme", ticket_id, sla.supervisor)
    assert ticket.assignee_id == "agent-1"
    entry = sla.svc.tickets.audit("acme", ticket_id, sla.supervisor)[-1]
    assert entry.event == "ticket.assigned" and entry.reason.startswith("auto:least_loaded")
    assert sla.svc.dispatch.loads("acme") == {"agent-1": 1}
    # the next ticket goes to the other, now less loaded agent ... unless the customer is sticky
    second = sla.open_ticket()
    assert sla.svc.tickets.get("acme", second, sla.supervisor).assignee_id == "agent-1"
    assert sla.svc.tickets.audit("acme", second, sla.supervisor)[-1].reason.startswith("auto:sticky_customer")


def test_reminder_at_75_percent_then_escalation_on_breach_then_default_action(sla):
    """GIVEN an 8 h resolution target with a 75 % reminder, escalation levels and an auto-approval
    WHEN the clock passes 6 h, 8 h, 10 h and 12 h with a sweep each time
    THEN a reminder, a breach + escalation to the supervisor, an escalation to the regional lead and
    finally the auto-approval happen, each once, in the audit chain and as events."""
    sla.put_policy(RESOLUTION)
    ticket_id = sla.open_ticket()
    sla.svc.tickets.transition("acme", ticket_id, Status.PENDING_APPROVAL, sla.store_front)
    sla.pump(ticket_id)

    sla.clock.advance(hours=5, minutes=59)
    sla.sweep(ticket_id)
    assert sla.notified("sla.reminder") == []
    sla.clock.advance(minutes=2)
    sla.sweep(ticket_id)
    assert [d["stage"] for d in sla.notified("sla.reminder")] == ["reminder:0.75"]
    assert "ticket.sla_reminder" in sla.audit_events(ticket_id)

    sla.clock.advance(hours=2)
    sla.sweep(ticket_id)
    assert len(sla.notified("sla.breached")) == 1
    escalated = sla.notified("sla.escalated")
    assert [(e["level"], e["to_agent_id"]) for e in escalated] == [(1, "sup-1")]
    ticket = sla.svc.tickets.get("acme", ticket_id, sla.supervisor)
    assert ticket.assignee_id == "sup-1"
    assign_entry = [e for e in sla.svc.tickets.audit("acme", ticket_id, sla.supervisor)
                    if e.event == "ticket.assigned"][-1]
    assert assign_entry.actor_role == "system" and "sla escalation level 1" in assign_entry.reason
    from tests.support.sla import START

    assert sla.deadline(ticket_id).deadline.breached_at == START + timedelta(hours=8)

    sla.clock.advance(hours=2)
    sla.sweep(ticket_id)
    assert [(e["level"], e["to_agent_id"]) for e in sla.notified("sla.escalated")] == [(1, "sup-1"), (2, "lead-1")]

    sla.clock.advance(hours=2)
    sla.sweep(ticket_id)
    ticket = sla.svc.tickets.get("acme", ticket_id, sla.supervisor)
    assert ticket.status == Status.APPROVED
    approved = [e for e in sla.svc.tickets.audit("acme", ticket_id, sla.supervisor) if e.event == "ticket.approved"]
    assert approved[0].actor_role == "system" and "auto-approved under cap" in approved[0].reason
    assert [d["outcome"] for d in sla.notified("sla.default_action")] == ["auto_approved"]


def test_repeated_and_late_sweeps_do_not_double_escalate(sla):
    """GIVEN a breached, escalated deadline
    WHEN the sweep runs again, and a stale copy of the state (without its fired stages) is put back
    into the due index, and the cursor is rewound as after a crashed run
    THEN nothing fires a second time."""
    sla.put_policy(RESOLUTION)
    ticket_id = sla.open_ticket()
    sla.clock.advance(hours=1)
    stale = sla.deadline(ticket_id)
    sla.clock.advance(hours=8)
    first = sla.sweep(ticket_id)
    assert first["fired"] == 2  # breach + escalation level 1 (the reminder is moot once breached)
    again = sla.sweep(ticket_id)
    assert again["fired"] == 0

    from aftersales.sla.due_index import index_bucket

    sla.svc.sla_tables.deadlines.save(stale, index_bucket(sla.clock.now(), sla.clock.now()))
    sla.svc.sla_tables.deadlines.set_last_swept(sla.clock.now() - timedelta(hours=3))
    late = sla.sweep(ticket_id)
    # the stale copy reads back with its claims merged: nothing is even due any more
    assert late["fired"] == 0 and late["already_fired"] == 0
    assert len(sla.notified("sla.escalated")) == 1 and len(sla.notified("sla.breached")) == 1
    assert sla.audit_events(ticket_id).count("ticket.sla_breached") == 1


def test_pause_states_stop_the_clock(sla):
    """GIVEN an 8 h resolution target
    WHEN the ticket waits on the customer for 10 h after 2 h of work
    THEN nothing fires at 8 h, and the deadline moves to 18 h after creation."""
    sla.put_policy(RESOLUTION)
    ticket_id = sla.open_ticket()
    created = sla.clock.now()
    sla.svc.tickets.transition("acme", ticket_id, Status.PENDING_APPROVAL, sla.store_front)
    sla.clock.advance(hours=2)
    sla.svc.tickets.transition("acme", ticket_id, Status.WAITING_CUSTOMER, sla.agent)
    sla.pump(ticket_id)
    paused = sla.deadline(ticket_id).deadline
    assert paused.paused and paused.due_at is None and paused.remaining == timedelta(hours=6)
    sla.clock.advance(hours=10)
    sla.sweep(ticket_id)
    assert sla.notified("sla.breached") == [] and sla.notified("sla.reminder") == []
    sla.svc.tickets.transition("acme", ticket_id, Status.PENDING_APPROVAL, sla.agent)
    sla.pump(ticket_id)
    assert sla.deadline(ticket_id).deadline.due_at == created + timedelta(hours=18)


def test_policy_change_recomputes_open_tickets_without_back_dating_a_breach(sla):
    """GIVEN an open ticket 5 h old under an 8 h target
    WHEN the policy is tightened to 2 h
    THEN the open ticket is recomputed: it breaches now (at the change), not 3 h in the past."""
    sla.put_policy(RESOLUTION)
    ticket_id = sla.open_ticket()
    sla.clock.advance(hours=5)
    changed_at = sla.clock.now()
    sla.put_policy({**RESOLUTION, "duration": "PT2H"})
    state = sla.deadline(ticket_id)
    assert state.deadline.budget == timedelta(hours=2)
    sla.sweep(ticket_id)
    breach = sla.deadline(ticket_id).deadline
    assert breach.breached_at == changed_at
    assert [d["stage_at"] for d in sla.notified("sla.breached")] == [changed_at.isoformat(
        timespec="milliseconds").replace("+00:00", "Z")]
    # the level-2 escalation still comes 2 h after the (non back-dated) breach
    sla.clock.advance(hours=1)
    sla.sweep(ticket_id)
    assert [e["level"] for e in sla.notified("sla.escalated")] == [1]


def test_response_clocks_run_on_real_replies(sla):
    """GIVEN 1 h first-response and next-response targets WHEN the agent replies through the reply
    service 30 min after creation, the customer writes 2 h later and the agent answers 20 min after
    THEN first response completes at the reply; next response cycle 1 starts at the customer's
    message and completes at the agent's answer — an assignment alone never counted as a reply."""
    from aftersales.adapters.dynamo.intake import DynamoConversationStore, bind_channels
    from aftersales.notifications.replies import ReplyService

    hour = {"duration": "PT1H", "clock": "calendar"}
    sla.put_policy(RESOLUTION, first_response=hour, next_response=hour)
    bind_channels(sla.svc.channel_settings.channels_table)
    replies = ReplyService(DynamoConversationStore(), sla.svc.tickets, sla.clock)
    ticket_id = sla.open_ticket()
    created = sla.clock.now()
    sla.pump(ticket_id)  # auto-assignment happens here: not a reply
    assert sla.deadline(ticket_id, "first_response").deadline.completed_at is None
    sla.clock.advance(minutes=30)
    replies.post("acme", ticket_id, sla.agent, "We are on it.")
    sla.pump(ticket_id)
    assert sla.deadline(ticket_id, "first_response").deadline.completed_at == created + timedelta(minutes=30)
    sla.clock.advance(hours=2)
    customer = sla.svc.tickets.get("acme", ticket_id, sla.supervisor).customer_id
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role

    replies.post("acme", ticket_id, Actor(id=customer, roles=frozenset({Role.CUSTOMER}), customer_id=customer),
                 "Any news?")
    sla.pump(ticket_id)
    asked = sla.clock.now()
    states = sla.svc.sla_tables.deadlines.states_for_ticket("acme", ticket_id)
    cycle = next(s.deadline for k, s in states.items() if k.startswith("next_response#"))
    assert cycle.started_at == asked and cycle.completed_at is None
    sla.clock.advance(minutes=20)
    replies.post("acme", ticket_id, sla.agent, "Shipped the label.")
    sla.pump(ticket_id)
    states = sla.svc.sla_tables.deadlines.states_for_ticket("acme", ticket_id)
    cycle = next(s.deadline for k, s in states.items() if k.startswith("next_response#"))
    assert cycle.completed_at == asked + timedelta(minutes=20)


def test_a_recompute_that_raced_a_sweep_does_not_lose_the_fired_stages(sla):
    """GIVEN a breach and escalation fired by the sweep WHEN a recompute that read the deadline just
    before the sweep saves it back (fired stages and breach missing, as the tracker racing the
    sweeper did on a loaded machine) THEN every read still shows the stages fired and the deadline
    breached (the claims are the truth), and the next sweep acts on nothing again."""
    from aftersales.adapters.dynamo.sla import SlaItem, _ticket_pk
    from aftersales.sla.stages import DeadlineState

    sla.put_policy(RESOLUTION)
    ticket_id = sla.open_ticket()
    sla.svc.tickets.transition("acme", ticket_id, Status.PENDING_APPROVAL, sla.store_front)
    sla.pump(ticket_id)
    sla.clock.advance(hours=8, minutes=1)
    sla.sweep(ticket_id)
    fired = sla.deadline(ticket_id)
    assert fired.is_breached and {"breach", "escalation:1"} <= fired.fired
    stale = DeadlineState(deadline=fired.deadline.model_copy(update={"breached_at": None}), fired=frozenset())
    item = SlaItem.get(_ticket_pk("acme", ticket_id), "DL#resolution#0")
    item.doc = stale.model_dump(mode="json")
    item.save()  # what the racing recompute wrote

    state = sla.deadline(ticket_id)
    assert state.is_breached and {"breach", "escalation:1"} <= state.fired
    assert state.deadline.breached_at == fired.deadline.breached_at
    report = sla.sweep(ticket_id)
    assert report["fired"] == 0
    assert len(sla.notified("sla.breached")) == 1 and len(sla.notified("sla.escalated")) == 1
