"""Refunds and disputes in a real browser against the local stack: two refunds paid and declined by
the session stack's sandbox provider through the real approval flow and refund saga, listed on the
refunds screen by state (with the provider's reason, in English and Chinese, linked to the ticket);
a rejected ticket disputed by the storefront, opened from the arbitrators' queue with its evidence,
and its evidence pack downloaded. An agent sees neither screen."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import UTC, datetime

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.browser.test_workbench import Shop, _sign_in
from tests.support.environment import ROOT
from tests.support.local_stack import eventually

pytestmark = pytest.mark.e2e
DECLINED = 5013  # the sandbox provider declines amounts ending in ..13 minor units


@pytest.fixture(scope="module", autouse=True)
def built_workbench():
    if not (ROOT / "build" / "workbench" / "index.html").is_file():
        pytest.fail("the workbench is not built: `make workbench`")


def _refund_only(shop: Shop, amount: int) -> str:
    """A refund-only ticket for `amount` CNY minor units, submitted for approval."""
    order_id = f"BRF-{uuid.uuid4().hex[:10]}"
    order = {"order_id": order_id, "version": 1, "channel": "web", "currency": "CNY",
             "customer": {"id": f"cust-{order_id.lower()}", "tier": "standard"},
             "payment": {"provider": "sandbox", "reference": f"ch_{order_id}",
                         "captured": {"amount": amount, "currency": "CNY"}},
             "shipping": {"country": "CN", "fee": {"amount": 0, "currency": "CNY"}},
             "lines": [{"line_id": "1", "sku": "CUP", "name": "Cup", "quantity": 1,
                        "unit_price_paid": {"amount": amount, "currency": "CNY"}}],
             "placed_at": datetime.now(UTC).isoformat().replace("+00:00", "Z")}
    put = requests.put(f"{shop.api}/orders/{order_id}", json=order, headers=shop.storefront, timeout=15)
    assert put.status_code in (200, 201), put.text
    ticket = shop.post("/tickets", {"type": "refund_only", "order_id": order_id, "channel": "web",
                                    "reason_code": "quality", "lines": [{"line_id": "1", "quantity": 1}]},
                       shop.storefront)
    shop.post(f"/tickets/{ticket['id']}/transitions", {"to": "pending_approval"}, shop.storefront)
    return ticket["id"]


def _grant_status(shop: Shop, ticket_id: str) -> str | None:
    reply = requests.get(f"{shop.api}/tickets/{ticket_id}/refund", headers=shop.supervisor, timeout=15)
    grants = reply.json().get("grants") if reply.status_code == 200 else None
    return grants[0]["status"] if grants else None


@pytest.fixture(scope="module")
def refunds(local_stack) -> dict:
    """A small refund the policy approves on its own and the sandbox pays, and one it declines."""
    shop = Shop(local_stack)
    paid, declined = _refund_only(shop, 5000), _refund_only(shop, DECLINED)
    eventually(lambda: _grant_status(shop, paid) == "succeeded", timeout=60)
    eventually(lambda: _grant_status(shop, declined) == "failed", timeout=60)
    return {"paid": paid, "declined": declined}


def test_finance_lists_refunds_by_state_with_the_providers_reason(local_stack, refunds, open_page):
    """GIVEN a paid refund and a declined one WHEN finance opens Refunds THEN the succeeded tab has
    the paid ticket (amount in the viewer's locale), the failed tab the declined one with the
    provider's reason and not the paid one, and its link opens the ticket."""
    page = open_page()
    _sign_in(page, local_stack, "finance token")
    page.click("[data-nav=refunds]")
    page.click("[data-state=succeeded]")
    paid = page.locator(f"[data-test=refunds] tr[data-ticket={refunds['paid']}]")
    expect(paid.locator("[data-test=amount]")).to_have_text("CN¥50.00")
    expect(paid.locator("[data-status]")).to_have_text("Succeeded")
    page.click("[data-state=failed]")
    declined = page.locator(f"[data-test=refunds] tr[data-ticket={refunds['declined']}]")
    expect(declined.locator("[data-test=reason]")).to_have_text("declined")
    expect(declined.locator("[data-status]")).to_have_text("Failed")
    expect(page.locator(f"[data-test=refunds] tr[data-ticket={refunds['paid']}]")).to_have_count(0)
    declined.locator("a").click()
    expect(page.locator("[data-part=refunds]")).to_contain_text("declined")
    expect(page.locator("[data-test=reason]")).to_contain_text("Quality problem")  # reason_code "quality"
    assert f"#/tickets/{refunds['declined']}" in page.url


def test_the_refunds_screen_in_chinese_and_never_for_an_agent(local_stack, refunds, open_page):
    """GIVEN the same refunds WHEN a supervisor whose browser speaks Chinese opens Refunds THEN
    tabs, status and money are Chinese; an agent has no Refunds link and the API refuses the list."""
    page = open_page(locale="zh-CN")
    _sign_in(page, local_stack, "supervisor token", "#/refunds")
    page.click("[data-state=failed]")
    expect(page.locator("[data-state=failed]")).to_have_text("失败")
    declined = page.locator(f"[data-test=refunds] tr[data-ticket={refunds['declined']}]")
    expect(declined.locator("[data-test=amount]")).to_have_text("¥50.13")
    expect(declined.locator("[data-status]")).to_have_text("失败")
    agent = open_page()
    _sign_in(agent, local_stack, "agent token agent-li")
    expect(agent.locator("[data-nav=queue]")).to_be_visible()
    assert agent.locator("[data-nav=refunds]").count() == 0 and agent.locator("[data-nav=disputes]").count() == 0
    agent.goto(f"{local_stack.workbench_url}#/refunds")
    expect(agent.locator("[role=alert]")).to_be_visible()


def raise_dispute(shop: Shop, rejecter: dict) -> dict:
    """A refund the reviewer (`rejecter`'s headers) rejects, then disputed by the storefront on the
    customer's behalf."""
    ticket_id = _refund_only(shop, 30000)  # single review
    eventually(lambda: shop.review(ticket_id), timeout=30)
    shop.post(f"/tickets/{ticket_id}/approval/decisions", {"verdict": "reject", "comment": "no damage shown"},
              rejecter)
    status = lambda: requests.get(f"{shop.api}/tickets/{ticket_id}", headers=shop.supervisor,  # noqa: E731
                                  timeout=15).json()["status"]
    eventually(lambda: status() == "rejected", timeout=30)
    text = "The cup arrived cracked; the courier's photo shows it."
    raised = shop.post(f"/tickets/{ticket_id}/disputes", {"text": text}, shop.storefront)
    return {"id": raised["id"], "ticket_id": ticket_id, "text": text}


@pytest.fixture(scope="module")
def dispute(local_stack) -> dict:
    shop = Shop(local_stack)
    return raise_dispute(shop, shop.supervisor)


def test_an_arbitrator_opens_a_dispute_from_the_queue_and_downloads_its_evidence_pack(
        local_stack, dispute, open_page):
    """GIVEN a raised dispute WHEN the arbitrator opens Disputes THEN the raised tab lists it with
    its ticket and subject; opened, it shows the customer's evidence part, and the pack button
    downloads the ZIP the API builds (its manifest names the dispute)."""
    page = open_page()
    _sign_in(page, local_stack, "arbitrator token arb-chen")
    page.click("[data-nav=disputes]")
    row = page.locator(f"[data-test=disputes] tr[data-dispute={dispute['id']}]")
    expect(row).to_contain_text(dispute["ticket_id"])
    expect(row).to_contain_text("The request was rejected")
    row.locator("a").first.click()
    expect(page.locator("[data-test=evidence-part]").first).to_contain_text(dispute["text"])
    with page.expect_download() as waiting:
        page.click("[data-test=evidence-pack]")
    saved = waiting.value
    assert saved.suggested_filename == f"evidence-{dispute['id']}.zip"
    with zipfile.ZipFile(io.BytesIO(open(saved.path(), "rb").read())) as pack:
        names = pack.namelist()
        assert "manifest.json" in names and "summary.pdf" in names, names
        assert dispute["id"] in pack.read("manifest.json").decode()
