"""The survey page and the figures through the API function (moto): the link from the e-mail opens
an accessible page in the customer's language without JavaScript, a plain form POST answers it, JSON
edits it within the window, refused links and bad answers are 4xx pages, unsubscribe is a POST; staff
read the figures, others get 403."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from aftersales.core.clock import FixedClock
from tests.support.public_pages import public_request
from tests.support.sent_mail import sent_mails

SECRET = "survey-link-secret-for-api-tests-0123456789"


@pytest.fixture
def link(aws, api, demo, monkeypatch):
    """A survey e-mailed to cust-1 about a closed complaint handled by agent-1 (team lead lead-a)."""
    import boto3

    from aftersales import wiring
    from aftersales.dispatch.model import Agent
    from aftersales.surveys.model import SurveyRules
    from aftersales.tickets.domain import Actor, OpenTicket
    from aftersales.tickets.model import Channel, Role, Status, TicketType
    from aftersales.wiring import Container
    from tests.support.ticket_factories import order

    for key, value in aws.functions["SurveySweeperFunction"].environment.items():
        monkeypatch.setenv(key, str(value))
    monkeypatch.setenv("SURVEY_LINK_SECRET", SECRET)
    monkeypatch.setenv("SURVEY_LINK_BASE_URL", "https://api.example.com/v1")
    boto3.client("ses").verify_email_identity(EmailAddress=aws.functions["SurveySweeperFunction"]
                                              .environment["NOTIFICATIONS_SENDER"])
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    c = Container(clock=clock)
    wiring.override(c)
    c.surveys.save_settings(SurveyRules(tenant_id="acme", service_delay_minutes=0,
                                        quiet_start=datetime.min.time(), quiet_end=datetime.min.time()))
    c.tickets.upsert_order("acme", order())
    c.channel_stores.intake.put_contact("acme", "cust-1", "email", "c1@example.com", "zh-Hans")
    c.sla_tables.dispatch.save_agent("acme", Agent(agent_id="agent-1", team_id="t", max_open=5), frozenset({"agent"}))
    c.sla_tables.dispatch.save_agent("acme", Agent(agent_id="lead-a", team_id="t", max_open=5, supervisor=True),
                                     frozenset({"supervisor"}))
    boss = Actor(id="supervisor-1", roles=frozenset({Role.SUPERVISOR}))
    ticket = c.tickets.open("acme", OpenTicket(type=TicketType.COMPLAINT, order_id="O-1", customer_id="cust-1",
                                               channel=Channel.APP, reason_code="late", locale="zh-Hans"), boss)
    c.tickets.assign("acme", ticket.id, "agent-1", boss)
    for target in (Status.INVESTIGATING, Status.RESOLVED, Status.CLOSED):
        ticket = c.tickets.transition("acme", ticket.id, target, boss, reason="done")
    c.surveys.on_ticket_event({"tenant_id": "acme", "ticket_id": ticket.id, "seq": ticket.version,
                               "event": "ticket.closed", "at": clock.now().isoformat()})
    clock.advance(minutes=6)
    assert c.surveys.sweep().sent == 1
    mail = next(m for m in sent_mails() if m.to == ["c1@example.com"])
    yield {"token": mail.body.split("/surveys/")[1].split()[0], "ticket": ticket, "clock": clock, "container": c}
    wiring.override(None)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _parse(text: str) -> list[tuple[str, dict]]:
    page = _Page()
    page.feed(text)
    return page.tags


def test_the_page_is_in_the_customers_language_accessible_and_needs_no_script(api, link):
    reply = public_request(api.api, "GET", f"/surveys/{link['token']}")
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/html")
    assert reply.headers["cache-control"] == "no-store"
    tags = _parse(reply.text)
    assert ("html", {"lang": "zh-Hans"}) in tags and "您有多大可能向朋友推荐我们" in reply.text
    assert not any(tag == "script" for tag, _ in tags)
    inputs = [a for tag, a in tags if tag in ("input", "textarea")]
    labelled = {a.get("for") for tag, a in tags if tag == "label"}
    assert len([a for a in inputs if a.get("name") == "nps"]) == 11
    assert len([a for a in inputs if a.get("name") == "csat"]) == 5
    assert all(a["id"] in labelled for a in inputs)  # every control has its label
    assert [tag for tag, _ in tags].count("fieldset") == [tag for tag, _ in tags].count("legend") == 2
    form = next(a for tag, a in tags if tag == "form")
    assert form["method"] == "post"


def test_a_form_post_answers_and_opens_the_follow_up_then_json_edits_within_the_window(api, demo, link):
    form = urlencode({"nps": "3", "csat": "2", "comment": "处理太慢了"})
    reply = public_request(api.api, "POST", f"/surveys/{link['token']}", form,
                           "application/x-www-form-urlencoded")
    assert reply.status == 200 and "谢谢" in reply.text
    svc = link["container"].surveys
    survey = svc.open_link(link["token"]).survey
    follow_up = api.request("GET", f"/tickets/{survey.follow_up_ticket_id}", headers=demo["acme"]["supervisor"])
    assert follow_up.status == 200 and follow_up.body["assignee_id"] == "lead-a"
    edited = public_request(api.api, "POST", f"/surveys/{link['token']}", json.dumps({"nps": 9, "csat": 4}),
                            "application/json")
    assert edited.status == 200 and json.loads(edited.text)["answer"]["nps"] == 9
    period = link["clock"].now().strftime("%Y-%m")
    figures = api.request("GET", "/satisfaction/figures", headers=demo["acme"]["agent"],
                          query={"dimension": "agent", "period": period})
    row = figures.body["rows"][0]
    assert (row["value"], row["sent"], row["answered"], row["promoters"], row["detractors"]) == \
        ("agent-1", 1, 1, 1, 0)
    assert row["nps"] == 100.0 and row["response_rate"] == 100.0


def test_refused_links_and_bad_answers_are_4xx_pages(api, link):
    token = link["token"]
    forged = public_request(api.api, "GET", f"/surveys/{token[:-3]}xyz", accept_language="en")
    assert forged.status == 404 and "not valid" in forged.text and 'lang="en"' in forged.text
    garbage = public_request(api.api, "GET", "/surveys/%%%not-a-token")
    assert garbage.status == 404
    bad = public_request(api.api, "POST", f"/surveys/{token}", "nps=11", "application/x-www-form-urlencoded")
    assert bad.status == 422 and 'role="alert"' in bad.text
    letters = public_request(api.api, "POST", f"/surveys/{token}", "csat=abc", "application/x-www-form-urlencoded")
    assert letters.status == 422
    empty = public_request(api.api, "POST", f"/surveys/{token}", "comment=hi", "application/x-www-form-urlencoded")
    assert empty.status == 422 and "请选择评分" in empty.text
    link["clock"].advance(days=15)
    expired = public_request(api.api, "GET", f"/surveys/{token}")
    assert expired.status == 410 and "expired" in expired.text


def test_unsubscribe_is_confirmed_then_recorded(api, link):
    token = link["token"]
    confirm = public_request(api.api, "GET", f"/surveys/{token}/unsubscribe")
    assert confirm.status == 200 and "<form" in confirm.text
    svc = link["container"].surveys
    assert not svc.is_unsubscribed("acme", "cust-1")
    done = public_request(api.api, "POST", f"/surveys/{token}/unsubscribe", "", "application/x-www-form-urlencoded")
    assert done.status == 200 and svc.is_unsubscribed("acme", "cust-1")


def test_figures_are_staff_only_and_validate_their_query(api, demo, link):
    assert api.request("GET", "/satisfaction/figures", headers=demo["acme"]["cust-1"],
                       query={"period": "2026-12"}).status == 403
    bad = api.request("GET", "/satisfaction/figures", headers=demo["acme"]["agent"],
                      query={"dimension": "colour", "period": "2026-12"})
    assert bad.status == 422 and bad.body["error"]["fields"][0]["path"] == "query.dimension"


def test_a_form_body_is_refused_anywhere_else(api, demo, link):
    reply = api.request("POST", "/tickets", headers={**demo["acme"]["agent"],
                                                     "Content-Type": "application/x-www-form-urlencoded"},
                        raw_body="type=complaint")
    assert reply.status == 415
