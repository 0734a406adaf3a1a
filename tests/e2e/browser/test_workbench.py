"""The staff workbench in a real browser against the local stack: sign-in per role, the queue with
the demo tickets and live SLA clocks, a ticket's state and moves, the second approver's view of a
dual review needing finance, a phone-sized screen, and Chinese."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import requests
from playwright.sync_api import expect

from tests.support.environment import ROOT
from tests.support.local_stack import eventually

pytestmark = pytest.mark.e2e

# Tiers no demo customer has, so only this module's tickets get SLA clocks from its policy.
SLA_POLICY = {"rules": [
    {"rule_id": "browser-amber", "match": {"customer_tier": "browser-amber"},
     "targets": {"resolution": {"duration": "PT1H", "clock": "calendar", "reminders": [0.0005]}}},
    {"rule_id": "browser-red", "match": {"customer_tier": "browser-red"},
     "targets": {"resolution": {"duration": "PT1S", "clock": "calendar"}}},
    {"rule_id": "browser-green", "match": {"customer_tier": "browser-green"},
     "targets": {"resolution": {"duration": "PT8H", "clock": "calendar", "reminders": [0.9]}}},
]}


def _token(stack, label: str) -> str:
    return next(value for key, value in stack.demo.items() if key.startswith(label))


def _sign_in(page, stack, label: str, where: str = "#/queue") -> None:
    """The one-click link `make run` prints: the token in the fragment."""
    page.goto(f"{stack.workbench_url}#token={_token(stack, label)}")
    expect(page.locator("[data-test=who]")).to_be_visible()
    if where != "#/queue":
        page.goto(f"{stack.workbench_url}{where}")


class Shop:
    """The demo's storefront and supervisor over HTTP, making the tickets a test needs."""

    def __init__(self, stack) -> None:
        self.stack, self.api = stack, stack.api_url
        self.storefront = {"X-Api-Key": _token(stack, "storefront API key")}
        self.supervisor = {"Authorization": f"Bearer {_token(stack, 'supervisor token')}"}

    def post(self, path: str, body: dict, headers: dict) -> dict:
        reply = requests.post(f"{self.api}{path}", json=body, timeout=15,
                              headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
        assert reply.status_code in (200, 201), reply.text
        return reply.json()

    def ticket(self, tier: str, amount: int, submit: bool = False, settle: bool = True) -> str:
        order_id = f"BR-{uuid.uuid4().hex[:10]}"
        order = {"order_id": order_id, "version": 1, "channel": "web", "currency": "CNY",
                 "customer": {"id": f"cust-{order_id.lower()}", "tier": tier},  # no history, no risk
                 "payment": {"provider": "sandbox", "reference": f"ch_{order_id}",
                             "captured": {"amount": amount, "currency": "CNY"}},
                 "shipping": {"country": "CN", "fee": {"amount": 0, "currency": "CNY"}},
                 "lines": [{"line_id": "1", "sku": "TV-55", "name": "Television", "category": "electronics",
                            "product_type": "physical", "quantity": 1,
                            "unit_price_paid": {"amount": amount, "currency": "CNY"}}],
                 "placed_at": datetime.now(UTC).isoformat().replace("+00:00", "Z")}
        put = requests.put(f"{self.api}/orders/{order_id}", json=order, headers=self.storefront, timeout=15)
        assert put.status_code in (200, 201), put.text
        ticket = self.post("/tickets", {"type": "return_refund", "order_id": order_id, "channel": "web",
                                        "reason_code": "quality", "lines": [{"line_id": "1", "quantity": 1}]},
                           self.storefront)
        if settle:
            self.stack.drain(timeout=15)  # assigned and tracked before anyone looks at it
        if submit:
            self.post(f"/tickets/{ticket['id']}/transitions", {"to": "pending_approval"}, self.storefront)
        return ticket["id"]

    def review(self, ticket_id: str) -> dict | None:
        reply = requests.get(f"{self.api}/tickets/{ticket_id}/approval", headers=self.supervisor, timeout=15)
        return reply.json() if reply.status_code == 200 else None

    def deadlines(self, ticket_id: str) -> list[dict]:
        reply = requests.get(f"{self.api}/tickets/{ticket_id}/deadlines", headers=self.supervisor, timeout=15)
        return reply.json()["deadlines"]


@pytest.fixture(scope="module", autouse=True)
def built_workbench():
    if not (ROOT / "build" / "workbench" / "index.html").is_file():
        pytest.fail("the workbench is not built: `make workbench`")


@pytest.fixture(scope="module")
def shop(local_stack):
    shop = Shop(local_stack)
    saved = requests.put(f"{shop.api}/sla/policy", json=SLA_POLICY, headers=shop.supervisor, timeout=15)
    assert saved.status_code == 200, saved.text
    return shop


def _demo_tickets(stack) -> list[str]:
    return next(v for k, v in stack.demo.items() if k.startswith("demo tickets")).split()


def test_an_agent_signs_in_by_link_and_the_queue_shows_the_demo_tickets(local_stack, open_page):
    """GIVEN the agent's sign-in link WHEN opened THEN the token is in sessionStorage, not in the
    address, the header names the agent, and the queue lists the three demo tickets with their
    labels and an SLA cell each."""
    page = open_page()
    _sign_in(page, local_stack, "agent token agent-li")
    assert "token=" not in page.url and page.url.endswith("#/queue")
    assert page.evaluate("sessionStorage.getItem('workbench.token')") == _token(local_stack, "agent token agent-li")
    expect(page.locator("[data-test=who]")).to_contain_text("agent-li")
    expect(page.locator("[data-test=who]")).to_contain_text("Agent")
    for ticket_id in _demo_tickets(local_stack):
        row = page.locator(f"tr[data-ticket='{ticket_id}']")
        expect(row).to_be_visible()
        expect(row.locator("[data-sla]")).to_have_count(1)
    expect(page.locator(f"tr[data-ticket='{_demo_tickets(local_stack)[0]}'] [data-status]")).to_have_text(
        "Pending approval")


def test_a_supervisor_signs_in_with_a_pasted_token_and_an_invalid_one_is_refused(local_stack, open_page):
    """GIVEN the sign-in form WHEN a non-token is pasted THEN it is refused and nothing is stored;
    WHEN the supervisor's token is pasted THEN the queue opens as the supervisor; signing out
    forgets the token."""
    page = open_page()
    page.goto(local_stack.workbench_url)
    page.fill("[data-test=token]", "not-a-token")
    page.click("[data-test=sign-in]")
    expect(page.locator("[role=alert]")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('workbench.token')") is None
    page.fill("[data-test=token]", _token(local_stack, "supervisor token"))
    page.click("[data-test=sign-in]")
    expect(page.locator("[data-test=who]")).to_contain_text("sup-wang · Supervisor")
    expect(page.locator("tr[data-ticket]").first).to_be_visible()
    page.click("[data-test=sign-out]")
    expect(page.locator("[data-test=token]")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('workbench.token')") is None


def test_the_queue_counts_down_sla_clocks_amber_at_the_reminder_and_red_at_breach(local_stack, shop, open_page):
    """GIVEN three tickets whose SLA targets put them before the reminder, past it, and past due
    WHEN the queue shows them THEN their badges are ok, warning and breached, the running one
    counts down second by second, and the SLA filter keeps only the breached one."""
    green, amber, red = (shop.ticket(tier, 19900, settle=False)
                         for tier in ("browser-green", "browser-amber", "browser-red"))
    for ticket_id in (green, amber, red):
        eventually(lambda t=ticket_id: shop.deadlines(t), timeout=15)
    page = open_page()
    _sign_in(page, local_stack, "supervisor token")
    badge = {t: page.locator(f"tr[data-ticket='{t}'] [data-sla]") for t in (green, amber, red)}
    expect(badge[green]).to_have_attribute("data-sla", "ok")
    expect(badge[amber]).to_have_attribute("data-sla", "warning")
    expect(badge[red]).to_have_attribute("data-sla", "breached")
    assert page.locator(f"tr[data-ticket='{amber}'] .sla-warning").count() == 1
    assert page.locator(f"tr[data-ticket='{red}'] .sla-breached").count() == 1
    before = badge[green].inner_text()
    page.wait_for_timeout(1100)
    assert badge[green].inner_text() != before and badge[green].inner_text().startswith("Due in 07:")
    page.select_option("[data-filter=sla]", "breached")
    expect(page.locator("tr[data-ticket]")).to_have_count(1)
    expect(page.locator(f"tr[data-ticket='{red}']")).to_be_visible()


def test_a_ticket_page_shows_its_state_and_the_moves_and_a_move_is_taken(local_stack, shop, open_page):
    """GIVEN a submitted return WHEN the agent opens it THEN its status, lines, the verified audit
    chain and the moves the agent may take are shown, and the moves owned by other steps are not
    buttons; WHEN the agent moves it to pending approval THEN the page shows the new status and
    the chain's next entry is the agent's move, still verified."""
    ticket_id = shop.ticket("standard", 19900)
    page = open_page()
    _sign_in(page, local_stack, "agent token agent-li", f"#/tickets/{ticket_id}")
    expect(page.locator("[data-test=status]")).to_have_attribute("data-status", "submitted")
    expect(page.locator("[data-part=lines] td").first).to_have_text("TV-55")
    chain = page.locator("[data-test=chain]")
    expect(chain).to_have_attribute("data-valid", "true")
    expect(page.locator("[data-part=parcels]")).to_contain_text("No carrier has scanned")  # none yet
    entries = page.locator("[data-part=audit] li").count()
    moves = page.locator("[data-move]")
    targets = {moves.nth(i).get_attribute("data-move") for i in range(moves.count())}
    assert "pending_approval" in targets and "approved" not in targets, targets
    page.click("[data-move=pending_approval]")
    expect(page.locator("[data-test=status]")).to_have_attribute("data-status", "pending_approval")
    # the move is the next entry, by the agent (the approval route's risk note may already follow it)
    moved = page.locator("[data-part=audit] li").nth(entries)
    expect(moved).to_contain_text(f"#{entries + 1} ")
    expect(moved).to_contain_text("agent-li (agent)")
    expect(chain).to_have_attribute("data-valid", "true")


def test_a_reply_typed_on_the_ticket_page_joins_its_conversation(local_stack, shop, open_page):
    """GIVEN a ticket WHEN the agent sends a reply by e-mail from its page THEN the conversation
    shows it as an outbound message."""
    ticket_id = shop.ticket("standard", 19900)
    page = open_page()
    _sign_in(page, local_stack, "agent token agent-li", f"#/tickets/{ticket_id}")
    text = f"We will collect the television tomorrow ({uuid.uuid4().hex[:6]})."
    page.fill("[data-test=reply-body]", text)
    page.select_option("[data-test=reply-channel]", "email")
    page.click("[data-test=reply-send]")
    expect(page.locator("[data-part=conversation] .msg.outbound", has_text=text)).to_be_visible()


def test_a_dual_review_is_approved_by_two_people_by_clicks_and_the_first_is_refused_a_second_time(
        local_stack, shop, open_page):
    """GIVEN a 12,000.00 CNY refund under dual review needing finance, open in two of the
    supervisor's tabs (the approvals inbox and the ticket page) WHEN the supervisor approves by a
    click in the inbox THEN the inbox says they have decided and shows 1 of 2; WHEN they click
    approve again in the other, older tab THEN the API refuses the same person's second approval
    and the page says so (in the API's words), and reloaded it offers no button; the agent sees
    no approve button (the second approval is finance's; the agent may still reject); WHEN finance
    approves by a click THEN the review is approved, with two different approvers."""
    ticket_id = shop.ticket("standard", 1_200_000, submit=True)
    review = eventually(lambda: shop.review(ticket_id), timeout=15)
    assert review["route"] == "dual_review" and review["requires_finance"], review
    card = f"article[data-ticket='{ticket_id}']"

    supervisor = open_page()
    _sign_in(supervisor, local_stack, "supervisor token", "#/approvals")
    older_tab = open_page()
    _sign_in(older_tab, local_stack, "supervisor token", f"#/tickets/{ticket_id}")
    expect(older_tab.locator("[data-part=review] [data-action=approve]")).to_be_visible()
    supervisor.fill(f"{card} .decide input", "checked the photos")
    supervisor.click(f"{card} [data-action=approve]")
    expect(supervisor.locator(f"{card} [data-test=decided-already]")).to_be_visible()
    expect(supervisor.locator(card)).to_contain_text("1 of 2 approvals")
    assert supervisor.locator(f"{card} [data-action]").count() == 0
    older_tab.click("[data-part=review] [data-action=approve]")
    expect(older_tab.locator("[data-part=review] [role=alert]")).to_have_text("You already decided on this review.")
    older_tab.reload()
    expect(older_tab.locator("[data-part=review] [data-test=decided-already]")).to_be_visible()
    assert older_tab.locator("[data-part=review] [data-action]").count() == 0
    assert [d["approver_id"] for d in shop.review(ticket_id)["decisions"]] == ["sup-wang"]

    agent = open_page()
    _sign_in(agent, local_stack, "agent token agent-li", "#/approvals")
    expect(agent.locator(f"{card} [data-test=not-yours]")).to_be_visible()
    assert agent.locator(f"{card} [data-action=approve]").count() == 0
    expect(agent.locator(f"{card} [data-action=reject]")).to_be_visible()  # any reviewer may still reject

    finance = open_page()
    _sign_in(finance, local_stack, "finance token", "#/approvals")
    expect(finance.locator(f"{card}")).to_contain_text("1 of 2 approvals")
    finance.click(f"{card} [data-action=approve]")
    eventually(lambda: (shop.review(ticket_id) or {}).get("status") == "approved", timeout=15)
    decided = shop.review(ticket_id)["decisions"]
    assert [(d["approver_id"], d["verdict"]) for d in decided] == [("sup-wang", "approve"), ("fin-zhao", "approve")]


def test_a_360_px_wide_phone_shows_the_queue_and_a_ticket_without_horizontal_scroll(local_stack, open_page):
    """GIVEN a 360 x 740 viewport WHEN the queue and a ticket are shown THEN nothing is wider than
    the screen."""
    page = open_page(viewport={"width": 360, "height": 740})
    _sign_in(page, local_stack, "supervisor token")
    expect(page.locator("tr[data-ticket]").first).to_be_visible()
    width = "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    assert page.evaluate(width) <= 360
    page.goto(f"{local_stack.workbench_url}#/tickets/{_demo_tickets(local_stack)[0]}")
    expect(page.locator("[data-test=chain]")).to_be_visible()
    assert page.evaluate(width) <= 360


def test_a_chinese_browser_gets_the_workbench_in_chinese_and_english_on_request(local_stack, open_page):
    """GIVEN a browser asking for zh-CN WHEN the queue opens THEN the app's texts and the API's
    labels are Chinese and money is formatted for zh-Hans; WHEN English is chosen THEN it switches."""
    page = open_page(locale="zh-CN")
    _sign_in(page, local_stack, "supervisor token")
    expect(page.locator("h1")).to_have_text("工单队列")
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    first = f"tr[data-ticket='{_demo_tickets(local_stack)[0]}']"
    expect(page.locator(f"{first} [data-status]")).to_have_text("待审核")
    expect(page.locator(first)).to_contain_text("¥299.00")
    expect(page.locator("[data-test=who]")).to_contain_text("主管")
    page.select_option("[data-test=locale]", "en")
    expect(page.locator("h1")).to_have_text("Ticket queue")
    expect(page.locator(f"{first} [data-status]")).to_have_text("Pending approval")
