"""A ticket's state diagram and customer timeline in a real browser against the local stack: the
diagram is drawn from the type's transition table with the current state highlighted and the
caller's open moves bold, it follows a move, and its labels are the catalogs' in zh-Hans."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.browser.test_workbench import Shop, _sign_in
from tests.support.environment import ROOT
from tests.support.local_stack import eventually

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", autouse=True)
def built_workbench():
    if not (ROOT / "build" / "workbench" / "index.html").is_file():
        pytest.fail("the workbench is not built: `make workbench`")


def _get(shop: Shop, path: str, locale: str = "en") -> dict:
    reply = requests.get(f"{shop.api}{path}", headers={**shop.supervisor, "Accept-Language": locale}, timeout=15)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_the_state_diagram_highlights_where_the_ticket_is_and_follows_a_move(local_stack, open_page):
    """GIVEN a submitted return WHEN the agent opens it THEN the diagram has one node per state of
    the type's transition table, the submitted node is the current one, the arrow to pending
    approval is an open move; the customer timeline lists what the API's timeline lists; WHEN the
    agent moves it THEN the pending-approval node is the current one."""
    shop = Shop(local_stack)
    ticket_id = shop.ticket("standard", 19900)
    table = _get(shop, "/ticket-types/return_refund/transitions")
    states = {tr["from"] for tr in table["transitions"]} | {tr["to"] for tr in table["transitions"]}
    timeline = eventually(lambda: _get(shop, f"/tickets/{ticket_id}/timeline")["entries"], timeout=15)

    page = open_page()
    _sign_in(page, local_stack, "agent token agent-li", f"#/tickets/{ticket_id}")
    diagram = page.locator("[data-test=state-diagram] svg")
    expect(diagram).to_be_visible()
    expect(diagram.locator("g[data-state]")).to_have_count(len(states))
    current = diagram.locator("g.current")
    expect(current).to_have_count(1)
    expect(current).to_have_attribute("data-state", "submitted")
    expect(current.locator("text")).to_have_text("Submitted")
    expect(diagram.locator("path[data-edge='submitted>pending_approval']")).to_have_class("edge open")
    assert diagram.locator("path.edge").count() == len({(tr["from"], tr["to"]) for tr in table["transitions"]})
    expect(page.locator("[data-part=timeline] li")).to_have_count(len(timeline))
    expect(page.locator("[data-part=timeline] li").first).to_contain_text(timeline[0]["title"])
    expect(page.locator("[data-part=media]")).to_contain_text("No media")

    page.click("[data-move=pending_approval]")
    expect(page.locator("[data-test=status]")).to_have_attribute("data-status", "pending_approval")
    expect(diagram.locator("g.current")).to_have_attribute("data-state", "pending_approval")
    assert diagram.locator("path.edge.open[data-edge^='submitted>']").count() == 0


def test_the_state_diagram_speaks_chinese(local_stack, open_page):
    """GIVEN a Chinese browser WHEN a ticket opens THEN the diagram's state names are the
    catalogs' Chinese labels and the page's font has their glyphs."""
    shop = Shop(local_stack)
    ticket_id = shop.ticket("standard", 19900)
    table = _get(shop, "/ticket-types/return_refund/transitions", "zh-Hans")
    submitted = next(tr["from_label"] for tr in table["transitions"] if tr["from"] == "submitted")
    assert submitted != "Submitted"
    page = open_page(locale="zh-CN")
    _sign_in(page, local_stack, "agent token agent-li", f"#/tickets/{ticket_id}")
    current = page.locator("[data-test=state-diagram] g.current text")
    expect(current).to_have_text(submitted)
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert page.evaluate("([font, text]) => document.fonts.check(`11px ${font}`, text)", [font, submitted])
    width = "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    page.set_viewport_size({"width": 360, "height": 740})
    expect(page.locator("[data-test=state-diagram] svg")).to_be_visible()
    assert page.evaluate(width) <= 360
