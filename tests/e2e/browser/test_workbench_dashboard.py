"""The supervisor dashboard in a real browser against the local stack: a ticket breaches its SLA on
the session stack (a one-second resolution target, then the SLA sweeper as its schedule runs it),
and the daily-timeouts chart draws from that figure, with the same number in its table, in English
and in Chinese. Charts are drawn by ECharts on canvas; the table is one click away."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.browser.test_workbench import SLA_POLICY, Shop, _sign_in
from tests.support.environment import ROOT
from tests.support.local_stack import eventually

pytestmark = pytest.mark.e2e
ZONE = "Asia/Shanghai"  # the tenant's zone (the stack's default; its calendars name none), and the browser's

# Whether any pixel of the chart's canvases is painted (an empty chart paints none).
PAINTED = """(card) => [...card.querySelectorAll('canvas')].some((c) => {
  const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  for (let i = 3; i < data.length; i += 4) if (data[i]) return true;
  return false;
})"""


def painted(page, chart: str) -> None:
    """Wait until the chart's canvas has painted pixels (polled from here: the page's CSP forbids
    the eval that page.wait_for_function polls with)."""
    card = page.locator(f"[data-chart={chart}]")
    expect(card.locator("canvas").first).to_be_visible()
    eventually(lambda: page.evaluate(PAINTED, card.element_handle()), timeout=10, interval=0.2)


@pytest.fixture(scope="module", autouse=True)
def built_workbench():
    if not (ROOT / "build" / "workbench" / "index.html").is_file():
        pytest.fail("the workbench is not built: `make workbench`")


@pytest.fixture(scope="module")
def breached(local_stack) -> dict:
    """A ticket whose one-second resolution target has passed, breached by the SLA sweeper; then
    today's resolution breaches as the API counts them (read until two reads agree)."""
    shop = Shop(local_stack)
    saved = requests.put(f"{shop.api}/sla/policy", json=SLA_POLICY, headers=shop.supervisor, timeout=15)
    assert saved.status_code == 200, saved.text
    ticket_id = shop.ticket("browser-red", 19900)
    deadline = eventually(lambda: next((d for d in shop.deadlines(ticket_id) if d["metric"] == "resolution"), None),
                          timeout=15)
    due = datetime.fromisoformat(deadline["due_at"].replace("Z", "+00:00"))
    time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.5)
    today = datetime.now(ZoneInfo(ZONE)).date().isoformat()

    def breaches() -> int:
        reply = requests.get(f"{shop.api}/sla/figures/daily-timeouts", headers=shop.supervisor, timeout=15,
                             params={"from": today, "to": today})
        assert reply.status_code == 200 and reply.json()["zone"] == ZONE, reply.text
        return sum(r["breaches"] for r in reply.json()["items"] if r["metric"] == "resolution")

    def swept() -> bool:
        local_stack.invoke("SlaSweeperFunction", {"source": "aws.events", "detail-type": "Scheduled Event"})
        return any("breach" in d["fired"] for d in shop.deadlines(ticket_id) if d["metric"] == "resolution")

    eventually(swept, timeout=20, interval=1.0)
    counts = [breaches(), breaches()]
    while counts[-1] != counts[-2]:
        counts.append(breaches())
    assert counts[-1] >= 1
    return {"day": today, "breaches": counts[-1], "ticket_id": ticket_id}


@pytest.mark.parametrize(("locale", "title", "metric", "show_numbers"), [
    ("en-GB", "SLA timeouts per day", "Resolution", "Show the numbers"),
    ("zh-CN", "每日超时", "解决", "查看数据"),
], ids=["en", "zh-Hans"])
def test_the_daily_timeouts_chart_draws_the_breach_and_its_table_shows_the_number(
        local_stack, open_page, breached, locale, title, metric, show_numbers):
    """GIVEN a ticket breached its SLA today WHEN the supervisor opens the dashboard THEN the
    daily-timeouts chart is painted on its canvas, the page's font has the glyphs of the labels,
    and its table shows today's resolution breaches as the API counts them, in the browser's
    language."""
    page = open_page(locale=locale)
    _sign_in(page, local_stack, "supervisor token", "#/dashboard")
    card = page.locator("[data-chart=daily-timeouts]")
    expect(card.locator("h2")).to_have_text(title)
    expect(card.locator("canvas").first).to_be_visible()
    painted(page, "daily-timeouts")
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert page.evaluate("([font, text]) => document.fonts.check(`12px ${font}`, text)", [font, metric + title])
    toggle = card.locator("[data-test=toggle-numbers]")
    expect(toggle).to_have_text(show_numbers)
    toggle.click()
    today = page.locator(f"td[data-col=day]:text-is('{breached['day']}')")
    row = card.locator("[data-test=numbers] tbody tr", has=today) \
        .filter(has=page.locator(f"td[data-col=metric]:text-is('{metric}')"))
    expect(row.locator("td[data-col=breaches]")).to_have_text(str(breached["breaches"]))
    assert card.locator("canvas").count() == 0  # the table replaces the chart; one more click brings it back
    toggle.click()
    expect(card.locator("canvas").first).to_be_visible()


def test_the_dashboard_is_a_supervisor_screen_and_its_other_charts_load(local_stack, open_page, breached):
    """GIVEN the breached ticket WHEN the supervisor opens the dashboard THEN it names the zone of the
    days (the tenant's, from the SLA figures), the ranking names an
    agent with at least one breach in its table, the compliance chart has a row with a breach, the
    satisfaction and product-causes charts answer (a chart or 'no figures'), and no chart failed;
    an agent has no dashboard link."""
    agent = open_page()
    _sign_in(agent, local_stack, "agent token agent-li")
    expect(agent.locator("[data-nav=queue]")).to_be_visible()
    assert agent.locator("[data-nav=dashboard]").count() == 0

    page = open_page()
    _sign_in(page, local_stack, "supervisor token", "#/dashboard")
    expect(page.locator("[data-test=zone]")).to_have_text(f"Days in {ZONE}")
    ranking = page.locator("[data-chart=ranking]")
    ranking.locator("[data-test=toggle-numbers]").click()
    breaches = ranking.locator("td[data-col=breaches]")
    expect(breaches.first).to_be_visible()
    assert max(int(x) for x in breaches.all_inner_texts()) >= 1
    compliance = page.locator("[data-chart=compliance]")
    compliance.locator("[data-test=toggle-numbers]").click()
    expect(compliance.locator("td[data-col=tier]", has_text="browser-red").first).to_be_visible()
    expect(page.locator("[data-chart=satisfaction] canvas, [data-chart=satisfaction] [data-test=no-data]").first) \
        .to_be_visible()
    page.fill("[data-test=sku]", "TV-55")
    page.click("[data-test=sku-show]")
    expect(page.locator("[data-chart=causes] canvas, [data-chart=causes] [data-test=no-data]").first).to_be_visible()
    assert page.locator(".chart [role=alert]").count() == 0


def test_the_return_reasons_chart_draws_the_analytics_projection(local_stack, open_page, breached):
    """GIVEN today's returns (this module's and the other browser tests', reason 'quality') projected
    by the analytics consumer WHEN the supervisor opens the dashboard in Chinese THEN the return
    reasons chart is painted and its table shows the projection's count for 'quality' (by its label, 质量问题) over the
    dashboard's default fortnight; the ticket-types, refund and processing-time charts answer."""
    shop = Shop(local_stack)
    today = datetime.now(ZoneInfo(ZONE)).date()
    first = (today - timedelta(days=13)).isoformat()

    def quality() -> int:
        reply = requests.get(f"{shop.api}/analytics/return-reasons", headers=shop.supervisor, timeout=15,
                             params={"from": first, "to": today.isoformat(), "grain": "day"})
        assert reply.status_code == 200, reply.text
        return next((r["count"] for r in reply.json()["items"] if r["reason"] == "quality"), 0)

    local_stack.drain(timeout=15)
    counts = [eventually(quality, timeout=20), quality()]
    while counts[-1] != counts[-2]:
        counts.append(quality())
    page = open_page(locale="zh-CN")
    _sign_in(page, local_stack, "supervisor token", "#/dashboard")
    card = page.locator("[data-chart=return-reasons]")
    expect(card.locator("h2")).to_have_text("退货原因")
    painted(page, "return-reasons")
    card.locator("[data-test=toggle-numbers]").click()
    # the reason's catalog label, not its code
    row = card.locator("tbody tr", has=page.locator("td[data-col=reason]:text-is('质量问题')"))
    expect(row.locator("td[data-col=count]")).to_have_text(str(counts[-1]))
    for name in ("ticket-types", "refund-amounts", "processing-times"):
        answered = page.locator(f"[data-chart={name}] canvas, [data-chart={name}] [data-test=no-data]")
        expect(answered.first).to_be_visible()
    assert page.locator(".chart [role=alert]").count() == 0
