"""Unhappy answers back to service (tickets service on its in-memory store): a detractor opens one
complaint, a child of the surveyed ticket, owned by the closed ticket's agent's team lead, with the
answer and its sentiment on the audit chain; a promoter opens nothing; passives only when the tenant
switches them on, unassigned; without a team lead the tenant's follow-up owner takes it."""

from __future__ import annotations

from datetime import UTC, datetime

from aftersales.surveys.follow_ups import LINKED
from aftersales.surveys.model import SurveyRules
from aftersales.tickets.model import TicketType
from tests.support.surveys import STAFF, survey_rig

NOON_SHANGHAI = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)


def _answered(nps: int, csat: int | None, *, rules: SurveyRules | None = None, lead: bool = True):
    rig = survey_rig(NOON_SHANGHAI, with_follow_ups=True)
    service = rig.service
    if not lead:
        rig.staff.delete_agent("acme", "lead-a")
    if rules is not None:
        service.save_settings(rules)
    ticket, event = rig.closed_complaint()
    service.on_ticket_event(event)
    rig.clock.advance(minutes=61)
    service.sweep()
    token = rig.email.sent[0]["body"].split("/surveys/")[1].split()[0]
    opened = service.answer(token, nps=nps, csat=csat, comment="客服太慢")
    return rig, ticket, opened.survey


def test_a_detractor_opens_a_complaint_for_the_team_lead_linked_to_the_closed_ticket():
    rig, closed, survey = _answered(3, 2)
    assert survey.follow_up_ticket_id is not None and rig.store.index == {}
    follow_up = rig.tickets.get("acme", survey.follow_up_ticket_id, STAFF)
    assert follow_up.type is TicketType.COMPLAINT and follow_up.reason_code == "survey_detractor"
    assert follow_up.parent_id == closed.id and follow_up.assignee_id == "lead-a"
    linked = [e for e in rig.tickets.audit("acme", follow_up.id, STAFF) if e.event == LINKED]
    assert linked[0].data["nps"] == 3 and linked[0].data["sentiment"] == "negative"
    assert linked[0].data["causes"] == ["service"]


def test_an_unhappy_csat_alone_opens_one_too_and_a_promoter_none():
    rig, _, survey = _answered(8, 1)
    assert rig.tickets.get("acme", survey.follow_up_ticket_id, STAFF).reason_code == "survey_unhappy_csat"
    rig, _, survey = _answered(10, 5)
    assert survey.follow_up_ticket_id is None and len(rig.ticket_store) == 1


def test_passives_only_when_switched_on_and_left_to_dispatch():
    rig, _, survey = _answered(7, 4)
    assert survey.follow_up_ticket_id is None
    rules = SurveyRules(tenant_id="acme", passive_follow_up=True)
    rig, _, survey = _answered(7, 4, rules=rules)
    ticket = rig.tickets.get("acme", survey.follow_up_ticket_id, STAFF)
    assert ticket.reason_code == "survey_passive" and ticket.assignee_id is None


def test_without_a_team_lead_the_tenants_follow_up_owner_takes_it():
    rig, _, survey = _answered(2, 3, rules=SurveyRules(tenant_id="acme", follow_up_owner="agent-7"), lead=False)
    assert rig.tickets.get("acme", survey.follow_up_ticket_id, STAFF).assignee_id == "agent-7"
