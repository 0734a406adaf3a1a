"""The export screen in a real browser against the local stack: a supervisor starts this month's
CSV export, watches it reach 100 % (the export worker runs on the session stack from its queue) and
gets a download link per file, which serves the file the export wrote; after a reload the tenant's
list of exports has it, with a link to the same file; an agent has no such screen."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.browser.test_workbench import _sign_in
from tests.support.environment import ROOT

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", autouse=True)
def built_workbench():
    if not (ROOT / "build" / "workbench" / "index.html").is_file():
        pytest.fail("the workbench is not built: `make workbench`")


def test_a_supervisor_exports_this_month_and_downloads_the_tickets_file(local_stack, open_page):
    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    page = open_page()
    _sign_in(page, local_stack, "supervisor token")
    page.click("[data-nav=exports]")
    page.fill("[data-test=export-month]", month)
    page.select_option("[data-test=export-format]", "csv")
    page.click("[data-test=export-start]")
    job = page.locator("[data-export]").first
    expect(job).to_have_attribute("data-status", "done", timeout=60_000)
    expect(job.locator("[data-test=percent]")).to_have_text("100% done")
    link = job.locator("[data-download=tickets]")
    expect(link).to_be_visible()
    got = requests.get(link.get_attribute("href"), timeout=15)
    assert got.status_code == 200, got.text
    header, *rows = got.content.decode("utf-8-sig").splitlines()
    assert "ticket_id" in header and rows, header
    export_id = job.get_attribute("data-export")

    page.reload()  # the tab forgets what it started; the tenant's list (GET /exports) has it, newest first
    earlier = page.locator("[data-test=earlier-exports] [data-export]").first
    expect(earlier).to_have_attribute("data-export", export_id)
    expect(earlier).to_have_attribute("data-status", "done")
    assert page.locator("[data-test=started-exports] [data-export]").count() == 0
    again = requests.get(earlier.locator("[data-download=tickets]").get_attribute("href"), timeout=15)
    assert again.status_code == 200 and again.content == got.content

    agent = open_page()
    _sign_in(agent, local_stack, "agent token agent-li")
    expect(agent.locator("[data-nav=queue]")).to_be_visible()
    assert agent.locator("[data-nav=exports]").count() == 0
