"""Arbitration on the disputes screen, in a real browser against the local stack: an arbitrator
takes a raised dispute up, asks for evidence and decides it once the storefront has answered,
by clicks only; a stale tab's take-up shows the API's own refusal; a supervisor (who may read
the dispute) has no action; an admin who rejected the ticket is refused, in Chinese. A decided
dispute is closed by a click (a stale tab's close shows the API's refusal), and a chargeback's
evidence is staged or submitted from the screen by arbitrators only, the API's refusal shown."""

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


def _decided(shop: Shop, stack) -> dict:
    """A raised dispute that arb-chen took up and dismissed through the API."""
    dispute = raise_dispute(shop, shop.supervisor)
    arbitrator = _staff(stack, "arbitrator token arb-chen")
    shop.post(f"/disputes/{dispute['id']}/take-up", {},
              {**arbitrator, "If-Match": f'"{_dispute(shop, dispute["id"])["version"]}"'})
    shop.post(f"/disputes/{dispute['id']}/decision", {"outcome": "dismissed", "reason": "The box was intact."},
              {**arbitrator, "If-Match": f'"{_dispute(shop, dispute["id"])["version"]}"'})
    return dispute


def test_an_arbitrator_closes_a_decided_dispute_and_a_stale_tab_shows_the_apis_refusal(local_stack, open_page):
    """GIVEN a decided dispute open in two tabs of the arbitrator WHEN one tab closes it with a note
    THEN it is closed, the API has the close by arb-chen with that note, and no action is left; the
    other tab's close shows the message the API answers for that stale request."""
    shop = Shop(local_stack)
    dispute = _decided(shop, local_stack)
    where = f"#/disputes/{dispute['id']}"
    page, stale = open_page(), open_page()
    _sign_in(page, local_stack, "arbitrator token arb-chen", where)
    _sign_in(stale, local_stack, "arbitrator token arb-chen", where)
    expect(stale.locator("[data-action=close]")).to_be_visible()
    expect(page.locator("[data-action=decision]")).to_have_count(0)
    page.fill("[data-test=close-reason]", "No appeal: the customer accepted the outcome.")
    page.click("[data-action=close]")
    expect(page.locator("[data-test=dispute-status]")).to_have_text("Closed")
    expect(page.locator("[data-part=dispute-actions]")).to_have_count(0)
    closed = _dispute(shop, dispute["id"])
    assert closed["status"] == "closed"
    last = closed["entries"][-1]
    assert (last["event"], last["actor_id"], last["reason"]) == \
        ("dispute.closed", "arb-chen", "No appeal: the customer accepted the outcome.")

    stale.click("[data-action=close]")
    refusal = stale.locator("[data-error-for=close] [role=alert]")
    expect(refusal).to_be_visible()
    same = requests.post(f"{shop.api}/disputes/{dispute['id']}/withdraw", json={}, timeout=15,
                         headers={**_staff(local_stack, "arbitrator token arb-chen"),
                                  "If-Match": f'"{closed["version"] - 1}"', "Idempotency-Key": uuid.uuid4().hex})
    assert same.status_code in (409, 412), same.text
    expect(refusal).to_have_text(same.json()["error"]["message"])
    expect(stale.locator("[data-test=dispute-status]")).to_have_text("Closed")  # reloaded after the refusal


def _chargeback(shop: Shop) -> dict:
    """A Stripe chargeback joined to a ticket, recorded as the Stripe webhook's consumer does (the
    session stack has no Stripe webhook secret, so through the disputes service in this process)."""
    from aftersales.core.money import Money
    from aftersales.disputes.model import PlatformCase
    from aftersales.wiring import services

    ticket_id = shop.ticket("standard", 30000)
    case = PlatformCase(provider="stripe", case_id=f"dp_{uuid.uuid4().hex[:14]}", charge_id=f"ch_{ticket_id}",
                        amount=Money(amount=30000, currency="CNY"), reason="product_unacceptable",
                        status="needs_response")
    return services().disputes.platform_case("demo", ticket_id, case, event_id=f"evt_{uuid.uuid4().hex}").model_dump(
        mode="json")


def test_sending_a_chargebacks_evidence_is_offered_to_arbitrators_and_the_apis_refusal_is_shown(
        local_stack, open_page):
    """GIVEN a Stripe chargeback on a stack with no Stripe account connected WHEN the arbitrator
    stages its evidence, and submits it after confirming THEN each shows the API's own refusal for
    that send (409, the platform is not connected) and nothing is recorded as sent. A supervisor,
    who may download the pack, has no send button."""
    shop = Shop(local_stack)
    dispute = _chargeback(shop)
    where = f"#/disputes/{dispute['id']}"
    page = open_page()
    _sign_in(page, local_stack, "arbitrator token arb-chen", where)
    expect(page.locator("[data-part=platform]")).to_contain_text(dispute["platform"]["case_id"])
    page.click("[data-action=stage-evidence]")
    refusal = page.locator("[data-error-for=stage-evidence] [role=alert]")
    expect(refusal).to_be_visible()
    same = requests.post(f"{shop.api}/disputes/{dispute['id']}/evidence-pack/submit", json={"submit": False},
                         timeout=30, headers={**_staff(local_stack, "arbitrator token arb-chen"),
                                              "Idempotency-Key": uuid.uuid4().hex})
    assert same.status_code == 409, same.text
    expect(refusal).to_have_text(same.json()["error"]["message"])

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-action=submit-evidence]")
    expect(page.locator("[data-error-for=submit-evidence] [role=alert]")).to_have_text(
        same.json()["error"]["message"])
    assert _dispute(shop, dispute["id"])["platform"]["submitted"] is False
    expect(page.locator("[data-test=platform-submitted]")).to_have_count(0)

    supervisor = open_page()
    _sign_in(supervisor, local_stack, "supervisor token", where)
    expect(supervisor.locator("[data-test=evidence-pack]")).to_be_visible()
    assert supervisor.locator("[data-action=stage-evidence]").count() == 0
    assert supervisor.locator("[data-action=submit-evidence]").count() == 0
