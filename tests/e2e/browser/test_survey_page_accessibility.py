"""The survey page a customer opens from the e-mail, as the local stack serves it, checked in a
real browser: axe-core (from the project's npm lockfile) finds no WCAG 2.1 A/AA violation, in
English and in Chinese, on a 360 px phone; and with JavaScript switched off the form is all there."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.environment import ROOT

pytestmark = pytest.mark.e2e
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _survey_link(stack, locale: str) -> str:
    """A survey of the demo tenant as the sweeper leaves it once sent (its index entry next week, so
    no sweep touches it during the run), and its signed link, made as the sweeper makes them."""
    from aftersales.adapters.dynamo.surveys import DynamoSurveyStore
    from aftersales.core.settings import SurveySettings
    from aftersales.sla.due_index import index_bucket
    from aftersales.surveys.model import Survey, SurveyStatus
    from aftersales.surveys.service import SurveyLinks
    from aftersales.wiring import services

    services().surveys  # noqa: B018  binds the surveys table
    now = datetime.now(UTC)
    survey = Survey(survey_id=f"svy_a11y_{uuid.uuid4().hex[:12]}", tenant_id="demo", kind="service",
                    customer_id="cust-1001", order_id="DEMO-1001", ticket_id="tkt-a11y", locale=locale,
                    status=SurveyStatus.SENT, sent_at=now, sent_channel="email", triggered_at=now,
                    due_at=now + timedelta(days=7), expires_at=now + timedelta(days=14))
    assert DynamoSurveyStore().create(survey, index_bucket(survey.due_at, now))
    settings = SurveySettings.from_env(None)
    return f"{stack.api_url}/surveys/{SurveyLinks(settings.survey_link_secret, stack.api_url).token(survey)}"


@pytest.mark.parametrize("locale", ["en", "zh-Hans"])
def test_the_survey_page_passes_axe_on_a_phone(browser, local_stack, locale):
    link = _survey_link(local_stack, locale)
    # the page's own CSP allows no script: the check is injected past it, the page is not changed
    context = browser.new_context(viewport=PHONE, locale=locale, bypass_csp=True)
    page = context.new_page()
    try:
        reply = page.goto(link)
        assert reply.status == 200
        assert page.locator("html").get_attribute("lang") == locale
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
        violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
        assert violations == []
        assert len(result["passes"]) >= 10  # the rules did run on the page
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


def test_the_form_is_whole_without_javascript(browser, local_stack):
    link = _survey_link(local_stack, "zh-Hans")
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        assert page.goto(link).status == 200
        assert page.locator("form[method=post] input[name=nps]").count() == 11  # 0..10
        assert page.locator("form[method=post] textarea[name=comment]").count() == 1
        assert page.locator("form[method=post] [type=submit]").count() == 1
    finally:
        context.close()
