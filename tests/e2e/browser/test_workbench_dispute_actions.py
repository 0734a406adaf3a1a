"""Arbitration on the disputes screen, in a real browser against the local stack: an arbitrator
takes a raised dispute up, asks for evidence and decides it once the storefront has answered,
by clicks only; a stale tab's take-up shows the API's own refusal; a supervisor (who may read
the dispute) has no action; an admin who rejected the ticket is refused, in Chinese."""

from __future__ import annotations

import uuid

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.browser.test_workbench import Shop, _sign_in, _token
from tests.e2e.browser.test_workbench_refunds_and_disputes import raise_dispute

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", autouse=True)
def built_workbench():
    from tests.support.environment import ROOT
    if not (ROOT / "build" / "workbench" / "index.html").is_file():
        pytest.fail("the workbench is not built: `make workbench`")


def _staff(stack, label: str, language: str = "en") -> dict:
    return {"Authorization": f"Bearer {_token(stack, label)}", "Accept-Language": language}


def _dispute(shop: Shop, dispute_id: str) -> dict:
    reply = requests.get(f"{shop.api}/disputes/{dispute_id}", headers=shop.supervisor, timeout=15)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_an_arbitrator_takes_up_asks_for_evidence_and_decides_by_clicks(local_stack, open_page):
    """GIVEN a raised dispute open in two tabs of the arbitrator WHEN one tab takes it up THEN it is
    under review and assigned to arb-chen, and the other tab's take-up shows the API's message for
    that request; asking for evidence waits for the customer, and once the storefront answers the
    dismissal with its reason is recorded by arb-chen. A supervisor sees the dispute, no action."""
    shop = Shop(local_stack)
    dispute = raise_dispute(shop, shop.supervisor)
    where = f"#/disputes/{dispute['id']}"
    page, stale = open_page(), open_page()
    _sign_in(page, local_stack, "arbitrator token arb-chen", where)
    _sign_in(stale, local_stack, "arbitrator token arb-chen", where)
    expect(stale.locator("[data-action=take-up]")).to_be_visible()
    expect(page.locator("[data-action=request-evidence]")).to_have_count(0)
    page.click("[data-action=take-up]")
    expect(page.locator("[data-test=dispute-status]")).to_have_text("Under review")
    expect(page.locator("[data-test=assignee]")).to_contain_text("arb-chen")
    expect(page.locator("[data-action=take-up]")).to_have_count(0)

    stale.click("[data-action=take-up]")
    refusal = stale.locator("[data-error-for=take-up] [role=alert]")
    expect(refusal).to_be_visible()
    same = requests.post(f"{shop.api}/disputes/{dispute['id']}/take-up", timeout=15,
                         headers={**_staff(local_stack, "arbitrator token arb-chen"), "If-Match": '"1"',
                                  "Idempotency-Key": uuid.uuid4().hex})
    assert same.status_code in (409, 412), same.text
    expect(refusal).to_have_text(same.json()["error"]["message"])
    expect(stale.locator("[data-test=dispute-status]")).to_have_text("Under review")  # reloaded after the 409

    expect(page.locator("[data-action=request-evidence]")).to_be_disabled()  # a reason is needed
    page.fill("[data-test=evidence-reason]", "A photo of the crack, please.")
    page.click("[data-action=request-evidence]")
    expect(page.locator("[data-test=dispute-status]")).to_have_text("Awaiting evidence")
    assert _dispute(shop, dispute["id"])["status"] == "awaiting_evidence"

    version = _dispute(shop, dispute["id"])["version"]
    shop.post(f"/disputes/{dispute['id']}/evidence", {"text": "Here is the crack, close up."},
              {**shop.storefront, "If-Match": f'"{version}"'})
    page.reload()
    expect(page.locator("[data-test=dispute-status]")).to_have_text("Under review")
    expect(page.locator("[data-action=decision]")).to_be_disabled()
    page.select_option("[data-test=outcome]", "dismissed")
    page.fill("[data-test=decision-reason]", "The courier's photo shows an intact box.")
    page.click("[data-action=decision]")
    expect(page.locator("[data-test=dispute-status]")).to_have_text("Decided")
    expect(page.locator("[data-test=decided-reason]")).to_have_text("The courier's photo shows an intact box.")
    decided = _dispute(shop, dispute["id"])
    assert decided["status"] == "decided"
    assert [(d["outcome"], d["by"]) for d in decided["decisions"]] == [("dismissed", "arb-chen")]

    supervisor = open_page()
    _sign_in(supervisor, local_stack, "supervisor token", where)
    expect(supervisor.locator("[data-test=evidence-pack]")).to_be_visible()
    assert supervisor.locator("[data-part=dispute-actions]").count() == 0


def test_an_admin_who_rejected_the_ticket_is_refused_in_chinese(local_stack, open_page):
    """GIVEN a dispute of a ticket the admin rejected WHEN the admin (whose browser speaks Chinese)
    takes it up THEN the button is there (the role may) but the API refuses (separation of duties)
    and its Chinese message is shown; the dispute stays raised."""
    shop = Shop(local_stack)
    admin = _staff(local_stack, "admin token admin-sun")
    dispute = raise_dispute(shop, admin)
    page = open_page(locale="zh-CN")
    _sign_in(page, local_stack, "admin token admin-sun", f"#/disputes/{dispute['id']}")
    expect(page.locator("[data-action=take-up]")).to_have_text("受理")
    page.click("[data-action=take-up]")
    expect(page.locator("[data-error-for=take-up] [role=alert]")).to_have_text(
        "您参与了被申诉的处理决定，不能担任该申诉的仲裁人。")
    expect(page.locator("[data-test=dispute-status]")).to_have_text("已提出")
    assert _dispute(shop, dispute["id"])["status"] == "raised"
