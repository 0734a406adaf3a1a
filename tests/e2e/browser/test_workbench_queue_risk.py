"""The queue's risk filter and badges in a real browser against the local stack: the demo's
refund from a refund-abuse cluster (four new accounts on one phone) is routed for approval, routing
keeps its risk on the ticket, and a supervisor who picks "high" sees that ticket and only high-risk
rows; the filter lives on in a saved view; the badge speaks Chinese."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.browser.test_workbench import Shop, _sign_in
from tests.support.environment import ROOT
from tests.support.local_stack import eventually

pytestmark = pytest.mark.e2e

HIGH_RISK = "high-risk ticket (cust-4001"


@pytest.fixture(scope="module", autouse=True)
def built_workbench():
    if not (ROOT / "build" / "workbench" / "index.html").is_file():
        pytest.fail("the workbench is not built: `make workbench`")


def _risky(local_stack) -> str:
    return next(value for label, value in local_stack.demo.items() if label.startswith(HIGH_RISK))


def _routed_risk(shop: Shop, ticket_id: str) -> dict:
    def probe():
        reply = requests.get(f"{shop.api}/tickets/{ticket_id}", headers=shop.supervisor, timeout=15)
        return reply.json().get("risk") if reply.status_code == 200 else None
    return eventually(probe, timeout=30, what=f"the risk approval routing keeps on {ticket_id}")


def _all_pages(page, more_text: str = "Load more") -> None:
    """Load every page of the queue (other tests' tickets may push the demo's beyond the first 50)."""
    expect(page.locator("[data-test=queue] tbody tr").first).to_be_visible()
    more = page.locator("section > button", has_text=more_text)
    while more.count():
        more.click()
        expect(page.locator("section > button:disabled", has_text=more_text)).to_have_count(0)


def test_the_high_risk_filter_shows_the_demo_clusters_refund_and_only_high_risk_rows(local_stack, open_page):
    """GIVEN the demo's refund from four new accounts on one phone, routed for approval (high: 75,
    with the device and IP clusters and the new account as flags) WHEN a supervisor picks risk
    "high" on the queue THEN that ticket's row is shown with a high badge and every row shown is
    high; "low" hides it; a view saved with "high" brings the filter back after it was cleared."""
    shop = Shop(local_stack)
    risky = _risky(local_stack)
    risk = _routed_risk(shop, risky)
    assert (risk["band"], risk["score"]) == ("high", 75), risk
    assert {"device_distinct_accounts", "ip_distinct_accounts", "new_account"} <= set(risk["flags"])

    page = open_page()
    _sign_in(page, local_stack, "supervisor token")
    _all_pages(page)
    rows = page.locator("[data-test=queue] tbody tr")
    expect(page.locator(f"tr[data-ticket={risky}] [data-risk]")).to_have_attribute("data-risk", "high")
    everything = rows.count()

    page.select_option("[data-filter=risk]", "high")
    expect(page.locator(f"tr[data-ticket={risky}]")).to_be_visible()
    bands = page.locator("[data-test=queue] tbody tr [data-risk]")
    shown = [bands.nth(i).get_attribute("data-risk") for i in range(bands.count())]
    assert shown and set(shown) == {"high"}, shown
    assert rows.count() == len(shown) < everything  # the filter hid the demo's other tickets
    expect(page.locator(f"tr[data-ticket={risky}] [data-risk]")).to_contain_text("High risk")

    page.select_option("[data-filter=risk]", "low")
    expect(page.locator(f"tr[data-ticket={risky}]")).to_have_count(0)
    assert set(page.locator("[data-test=queue] tbody tr [data-risk]").evaluate_all(
        "els => els.map((e) => e.dataset.risk)")) <= {"low"}

    page.select_option("[data-filter=risk]", "high")
    page.fill("[data-test=view-name]", "High risk")
    page.click("[data-test=view-save]")
    page.select_option("[data-filter=risk]", "")
    page.select_option("[data-test=view-pick]", "High risk")
    expect(page.locator("[data-filter=risk]")).to_have_value("high")
    expect(page.locator(f"tr[data-ticket={risky}]")).to_be_visible()


def test_the_risk_badge_and_filter_speak_chinese(local_stack, open_page):
    """GIVEN a supervisor whose browser speaks Chinese WHEN the queue opens THEN the demo cluster's
    row has the badge 高风险 and the risk filter offers 未评估 (not assessed)."""
    shop = Shop(local_stack)
    risky = _risky(local_stack)
    _routed_risk(shop, risky)
    page = open_page(locale="zh-CN")
    _sign_in(page, local_stack, "supervisor token")
    _all_pages(page, "加载更多")
    expect(page.locator(f"tr[data-ticket={risky}] [data-risk]")).to_have_text("高风险")
    expect(page.locator("[data-filter=risk] option[value=none]")).to_have_text("未评估")

