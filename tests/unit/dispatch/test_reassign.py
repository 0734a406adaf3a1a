"""Manual and batch reassignment by supervisors."""

from datetime import UTC, datetime

import pytest

from aftersales.core.errors import Conflict, Forbidden, InvalidRequest
from aftersales.dispatch import Actor, Agent, OpenTicket, Skills, TicketNeeds, reassign, redistribute

NOW = datetime(2026, 11, 26, 2, tzinfo=UTC)
SKILLS = Skills(ticket_types={"return"}, languages={"zh"}, channels={"web"})
NEEDS = TicketNeeds(ticket_type="return", language="zh", channel="web")
SUPERVISOR = Actor(actor_id="sue", supervisor=True)


def agent(agent_id, **fields) -> Agent:
    return Agent(
        **(
            {
                "agent_id": agent_id,
                "team_id": "north",
                "skills": SKILLS,
                "max_open": 3,
                "availability": "online",
            }
            | fields
        )
    )


def tickets(*ids, owner="ann"):
    return [OpenTicket(ticket_id=i, agent_id=owner, needs=NEEDS) for i in ids]


def test_supervisor_moves_tickets_with_the_reason_kept():
    """GIVEN two of ann's tickets WHEN a supervisor moves them to bob THEN audit records with the reason."""
    moved = reassign(tickets("t1", "t2"), agent("bob"), SUPERVISOR, " ann on leave ", {}, NOW)
    assert [(m.ticket_id, m.from_agent_id, m.to_agent_id, m.reason, m.actor_id) for m in moved] == [
        ("t1", "ann", "bob", "ann on leave", "sue"),
        ("t2", "ann", "bob", "ann on leave", "sue"),
    ]


def test_only_supervisors_reassign_and_only_with_a_reason():
    """GIVEN an agent actor, or a blank reason WHEN reassigning THEN Forbidden, InvalidRequest."""
    with pytest.raises(Forbidden):
        reassign(tickets("t1"), agent("bob"), Actor(actor_id="ann"), "swap", {}, NOW)
    with pytest.raises(InvalidRequest):
        reassign(tickets("t1"), agent("bob"), SUPERVISOR, "  ", {}, NOW)


def test_batch_is_rejected_whole_when_the_target_cannot_take_it():
    """GIVEN bob with 2/3, an offline target, or a ticket bob lacks skills for WHEN a batch is moved
    THEN the whole batch is refused, unless going over capacity is explicitly allowed."""
    with pytest.raises(Conflict):
        reassign(tickets("t1", "t2"), agent("bob"), SUPERVISOR, "rebalance", {"bob": 2}, NOW)
    assert (
        len(
            reassign(
                tickets("t1", "t2"),
                agent("bob"),
                SUPERVISOR,
                "rebalance",
                {"bob": 2},
                NOW,
                allow_over_capacity=True,
            )
        )
        == 2
    )
    with pytest.raises(Conflict):
        reassign(tickets("t1"), agent("bob", availability="offline"), SUPERVISOR, "swap", {}, NOW)
    english = [OpenTicket(ticket_id="t9", agent_id="ann", needs=NEEDS.model_copy(update={"language": "en"}))]
    with pytest.raises(InvalidRequest) as caught:
        reassign(tickets("t1") + english, agent("bob"), SUPERVISOR, "swap", {}, NOW)
    assert caught.value.details["ticket_ids"] == ["t9"]


def test_tickets_already_with_the_target_are_left_alone():
    """GIVEN one ticket already bob's WHEN moving both to bob THEN only the other moves."""
    batch = tickets("t1") + tickets("t2", owner="bob")
    assert [m.ticket_id for m in reassign(batch, agent("bob"), SUPERVISOR, "merge", {"bob": 2}, NOW)] == [
        "t1"
    ]


def test_redistribute_spreads_by_load_and_reports_leftovers():
    """GIVEN ann leaving with 5 tickets and bob, cyd each with room for 2 WHEN redistributed
    THEN they alternate by load, never go back to ann, and the fifth stays unassigned."""
    agents = [agent("ann"), agent("bob"), agent("cyd")]
    result = redistribute(
        tickets("t1", "t2", "t3", "t4", "t5"), agents, {"bob": 1, "cyd": 1}, SUPERVISOR, "ann off shift", NOW
    )
    assert [m.to_agent_id for m in result.moved] == ["bob", "cyd", "bob", "cyd"]
    assert result.unassigned["t5"].reason_code == "all_at_capacity"


def test_an_agent_off_shift_takes_tickets_only_when_the_supervisor_says_so():
    """GIVEN bob online but on a weekday 09:00-18:00 Shanghai shift and NOW 10:00 Shanghai on a
    Sunday WHEN moving a ticket to him THEN Conflict naming the shift, unless allow_off_shift; at
    10:00 on a Thursday he is on shift and takes it."""
    from aftersales.sla.calendar import BusinessCalendar

    shift = BusinessCalendar.model_validate({
        "calendar_id": "cn-day", "tenant_id": "acme", "timezone": "Asia/Shanghai",
        "weekly_hours": {day: [{"start": "09:00", "end": "18:00"}] for day in ("mon", "tue", "wed", "thu", "fri")}})
    bob = agent("bob", shift_calendar_id="cn-day")
    sunday, thursday = datetime(2026, 11, 29, 2, tzinfo=UTC), datetime(2026, 11, 26, 2, tzinfo=UTC)
    with pytest.raises(Conflict) as caught:
        reassign(tickets("t1"), bob, SUPERVISOR, "cover", {}, sunday, calendars={"cn-day": shift})
    assert caught.value.message_id == "dispatch.target_off_shift"
    assert len(reassign(tickets("t1"), bob, SUPERVISOR, "cover", {}, sunday, calendars={"cn-day": shift},
                        allow_off_shift=True)) == 1
    assert len(reassign(tickets("t1"), bob, SUPERVISOR, "cover", {}, thursday, calendars={"cn-day": shift})) == 1
    with pytest.raises(Conflict):  # a shift calendar we do not know counts as off, like auto-assignment
        reassign(tickets("t1"), bob, SUPERVISOR, "cover", {}, thursday, calendars={})
