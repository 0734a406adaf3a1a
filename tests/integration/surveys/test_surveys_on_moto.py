"""Surveys under moto: the DynamoDB store keeps its conditions (one survey per id, versioned saves,
the contact history in the same transaction, counters by ADD, the sparse due index); the trigger
function schedules from a ticket.closed event and from the orders stream, the sweeper function sends
the e-mail through SES in the customer's language, the link answers, a detractor gets a follow-up."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from aftersales.core.clock import FixedClock
from aftersales.core.errors import ConcurrentModification
from aftersales.surveys.model import ContactHistory, FigureChange, Survey, SurveyStatus, Tally
from aftersales.surveys.service import survey_id_for
from tests.support.lambdas import FakeContext, load_handler, sqs_record
from tests.support.sent_mail import sent_mails
from tests.support.ticket_factories import SUPERVISOR

NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)  # noon in Shanghai
SECRET = "survey-link-secret-for-moto-tests-0123456789"


@pytest.fixture
def surveys(aws, monkeypatch):
    import boto3

    from aftersales import wiring
    from aftersales.wiring import Container

    for key, value in aws.functions["SurveySweeperFunction"].environment.items():
        monkeypatch.setenv(key, str(value))
    monkeypatch.setenv("SURVEY_LINK_SECRET", SECRET)
    monkeypatch.setenv("SURVEY_LINK_BASE_URL", "https://api.example.com/v1")
    boto3.client("ses").verify_email_identity(EmailAddress=aws.functions["SurveySweeperFunction"]
                                              .environment["NOTIFICATIONS_SENDER"])
    clock = FixedClock(NOW)
    container = Container(clock=clock)
    wiring.override(container)
    yield container, clock
    wiring.override(None)


def _survey(survey_id: str = "svy_1", **kw) -> Survey:
    return Survey(survey_id=survey_id, tenant_id="acme", kind="service", customer_id="cust-1", order_id="O-1",
                  ticket_id="T-1", triggered_at=NOW, due_at=NOW, version=1, **kw)


def test_the_store_keeps_its_conditions_and_the_due_index(surveys):
    container, _ = surveys
    from aftersales.adapters.dynamo.surveys import DynamoSurveyStore

    container.surveys  # noqa: B018  binds the table
    store = DynamoSurveyStore()
    assert store.create(_survey(), "2026-12-02T04:00") is True
    assert store.create(_survey(), "2026-12-02T04:00") is False
    assert list(store.due_in_bucket("2026-12-02T04:00")) == [("acme", "svy_1")]
    assert store.for_ticket("acme", "T-1").survey_id == "svy_1"
    history = ContactHistory(tenant_id="acme", customer_id="cust-1")
    sent = _survey().model_copy(update={"status": SurveyStatus.SENT, "sent_at": NOW})
    cells = FigureChange(cells={("all", "all", "2026-12"): Tally(sent=1)})
    saved = store.save(sent, 1, None, history=history, figures=cells)
    assert saved.version == 2 and store.get("acme", "svy_1").status is SurveyStatus.SENT
    assert list(store.due_in_bucket("2026-12-02T04:00")) == []
    assert store.history("acme", "cust-1").version == 1
    with pytest.raises(ConcurrentModification):  # the survey moved on
        store.save(sent, 1, None)
    with pytest.raises(ConcurrentModification):  # the history moved on (another send claimed it)
        store.save(saved, 2, None, history=history)
    assert store.get("acme", "svy_1").version == 2  # nothing of the refused transaction was written
    store.save(saved, 2, None, figures=FigureChange(cells={("all", "all", "2026-12"): Tally(answered=1,
                                                                                            promoters=1)}))
    assert store.figures("acme", "all", "2026-12") == {"all": Tally(sent=1, answered=1, promoters=1)}


def _closed_ticket(container, channel: str = "email", address: str = "c1@example.com"):
    from aftersales.dispatch.model import Agent
    from aftersales.tickets.domain import Actor, OpenTicket
    from aftersales.tickets.model import Channel, Role, Status, TicketType
    from tests.support.ticket_factories import order

    container.tenants.create_tenant("acme", "Acme")
    container.tickets.upsert_order("acme", order())
    container.channel_stores.intake.put_contact("acme", "cust-1", channel, address, "zh-Hans",
                                                {"time_zone": "Asia/Shanghai"})
    dispatch = container.sla_tables.dispatch
    dispatch.save_agent("acme", Agent(agent_id="agent-1", team_id="team-a", max_open=10), frozenset({"agent"}))
    dispatch.save_agent("acme", Agent(agent_id="lead-a", team_id="team-a", max_open=10, supervisor=True),
                        frozenset({"supervisor"}))
    boss = Actor(id="sup-1", roles=frozenset({Role.SUPERVISOR}))
    ticket = container.tickets.open("acme", OpenTicket(type=TicketType.COMPLAINT, order_id="O-1", customer_id="cust-1",
                                                       channel=Channel.APP, reason_code="late", locale="zh-Hans"), boss)
    container.tickets.assign("acme", ticket.id, "agent-1", boss)
    for target in (Status.INVESTIGATING, Status.RESOLVED, Status.CLOSED):
        ticket = container.tickets.transition("acme", ticket.id, target, boss, reason="done")
    return ticket


def test_closed_ticket_to_email_to_answer_to_follow_up(surveys):
    container, clock = surveys
    ticket = _closed_ticket(container)
    detail = {"tenant_id": "acme", "ticket_id": ticket.id, "ticket_type": "complaint", "customer_id": "cust-1",
              "seq": ticket.version, "event": "ticket.closed", "to_status": "closed", "at": NOW.isoformat()}
    triggers = load_handler("survey_triggers")
    body = {"source": "aftersales.tickets", "detail-type": "ticket.closed", "detail": detail}
    result = triggers.lambda_handler({"Records": [sqs_record(body)]}, FakeContext("survey-triggers"))
    assert result == {"batchItemFailures": []}
    sweeper = load_handler("survey_sweeper")
    assert sweeper.lambda_handler({}, FakeContext("survey-sweeper"))["sent"] == 0
    clock.advance(minutes=61)
    report = sweeper.lambda_handler({}, FakeContext("survey-sweeper"))
    assert report["sent"] == 1 and report["failures"] == 0
    mail = next(m for m in sent_mails() if m.to == ["c1@example.com"])
    assert "售后" in mail.body and "https://api.example.com/v1/surveys/" in mail.body
    token = mail.body.split("/surveys/")[1].split()[0]
    answered = container.surveys.answer(token, nps=2, csat=1, comment="处理太慢了")
    follow_up = container.tickets.get("acme", answered.survey.follow_up_ticket_id, SUPERVISOR)
    assert follow_up.parent_id == ticket.id and follow_up.assignee_id == "lead-a"
    assert follow_up.reason_code == "survey_detractor"
    figures = container.surveys.figures("acme", "agent", "2026-12")["agent-1"]
    assert (figures.sent, figures.answered, figures.detractors, figures.nps) == (1, 1, 1, -100.0)


def test_an_order_becoming_delivered_on_the_stream_schedules_one_delivery_survey(surveys):
    container, _ = surveys
    from tests.support.ticket_factories import order

    container.tickets.upsert_order("acme", order())

    def image(status: str | None) -> dict:
        fulfilment = {"status": status, "shipped_at": "2026-12-01T00:00:00+00:00",
                      "delivered_at": NOW.isoformat() if status == "delivered" else None}
        return {"pk": {"S": "acme#ORDER#O-1"}, "sk": {"S": "ORDER"}, "tenant_id": {"S": "acme"},
                "order_id": {"S": "O-1"}, "doc": {"S": json.dumps({"fulfilment": fulfilment})}}

    def record(old: str, new: str) -> dict:
        return {"eventID": "1", "eventName": "MODIFY", "eventSource": "aws:dynamodb",
                "dynamodb": {"Keys": {"pk": {"S": "acme#ORDER#O-1"}, "sk": {"S": "ORDER"}},
                             "OldImage": image(old), "NewImage": image(new), "SequenceNumber": "1",
                             "StreamViewType": "NEW_AND_OLD_IMAGES"}}

    triggers = load_handler("survey_triggers")
    for old, new in (("shipped", "shipped"), ("shipped", "delivered"), ("delivered", "delivered")):
        assert triggers.lambda_handler({"Records": [record(old, new)]}, FakeContext("t")) == {"batchItemFailures": []}
    from aftersales.adapters.dynamo.surveys import DynamoSurveyStore
    from aftersales.sla.due_index import due_bucket

    due = NOW + timedelta(days=3)
    assert [s for _, s in DynamoSurveyStore().due_in_bucket(due_bucket(due))] == [
        survey_id_for("acme", "order:O-1", "delivered")]


@pytest.mark.parametrize(("number", "texted"), [("+8613800138000", True), ("+8613800138099", False)])
def test_a_customer_reached_only_by_text_gets_a_short_sms_unless_the_number_opted_out(surveys, number, texted):
    """GIVEN a closed ticket whose customer has only a mobile number WHEN the survey is due THEN SNS
    gets one short text in the customer's language with the link and the STOP line; a number that
    answered STOP (moto: ending in 99) gets nothing and the survey is not counted as sent."""
    from tests.support.sent_texts import sent_texts

    container, clock = surveys
    ticket = _closed_ticket(container, "sms", number)
    detail = {"tenant_id": "acme", "ticket_id": ticket.id, "ticket_type": "complaint", "customer_id": "cust-1",
              "seq": ticket.version, "event": "ticket.closed", "to_status": "closed", "at": NOW.isoformat()}
    body = {"source": "aftersales.tickets", "detail-type": "ticket.closed", "detail": detail}
    load_handler("survey_triggers").lambda_handler({"Records": [sqs_record(body)]}, FakeContext("survey-triggers"))
    clock.advance(minutes=61)
    report = load_handler("survey_sweeper").lambda_handler({}, FakeContext("survey-sweeper"))
    texts = [text for to, text in sent_texts() if to == number]
    if texted:
        assert report["sent"] == 1
        (text,) = texts
        assert "https://api.example.com/v1/surveys/" in text and "回复STOP退订" in text and len(text) < 300
    else:
        assert report["sent"] == 0 and texts == []
