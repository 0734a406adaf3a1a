"""A repair ticket's charge on the ticket screen, in a real browser against the local stack: the
Repair part lists the job (its provider, status and settlement in the viewer's locale); finance
records the payment of the charge due by clicks (the amount prefilled with the charge) and the part
then shows it paid, while a stale tab's second payment shows the API's own 409 refusal; an agent
sees the charge due and no button to move it."""

from __future__ import annotations

import uuid

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.browser.test_workbench import _sign_in
from tests.support.environment import ROOT
from tests.support.local_stack import demo_auth
from tests.support.stack_repairs import charge_due

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", autouse=True)
def built_workbench():
    if not (ROOT / "build" / "workbench" / "index.html").is_file():
        pytest.fail("the workbench is not built: `make workbench`")


@pytest.fixture
def repair(local_stack):
    suffix = uuid.uuid4().hex[:8]
    ticket_id, job_id = charge_due(local_stack, suffix)
    return {"suffix": suffix, "ticket": ticket_id, "job": job_id}


def _job(stack, repair) -> dict:
    reply = requests.get(f"{stack.api_url}/tickets/{repair['ticket']}/repair-jobs",
                         headers=demo_auth(stack, "supervisor token"), timeout=15)
    assert reply.status_code == 200, reply.text
    [job] = [j for j in reply.json()["items"] if j["job_id"] == repair["job"]]
    return job


def test_an_agent_sees_the_charge_due_and_no_button_to_move_it(local_stack, repair, open_page):
    """GIVEN a confirmed paid repair (125.00 CNY due) WHEN the agent opens its ticket THEN the Repair part
    names the provider and the job's status, the settlement's figures in en-GB, the charge due, and
    neither the waiver nor the payment button."""
    page = open_page()
    _sign_in(page, local_stack, "agent token", f"#/tickets/{repair['ticket']}")
    job = page.locator(f"[data-part=repair] [data-job='{repair['job']}']")
    expect(job.locator("[data-test=provider]")).to_contain_text(f"fixer {repair['suffix']}")
    expect(job.locator("[data-job-status]")).to_have_text("Confirmed by the customer")
    expect(job.locator("[data-figure=charge]")).to_have_text("Charge: CN¥125.00")
    expect(job.locator("[data-figure=customer_owes]")).to_have_text("Customer owes: CN¥125.00")
    expect(job.locator("[data-charge-state]")).to_have_attribute("data-charge-state", "due")
    expect(job.locator("[data-charge-state]")).to_have_text("Charge due")
    expect(page.locator("[data-action=pay], [data-action=waive]")).to_have_count(0)
    assert _job(local_stack, repair)["settlement"]["charge_state"] == "due"


def test_finance_records_the_payment_by_clicks_and_a_stale_tab_is_refused(local_stack, repair, open_page):
    """GIVEN the charge due open in two of finance's tabs WHEN finance fills the payment's reference in
    one and clicks Record payment (the amount as prefilled) THEN the part shows the charge paid and the
    API holds exactly the charge with that reference on the ticket's chain; the other tab's payment
    shows the API's 409 message under its button and then the charge paid."""
    where = f"#/tickets/{repair['ticket']}"
    page, stale = open_page(), open_page()
    _sign_in(page, local_stack, "finance token", where)
    _sign_in(stale, local_stack, "finance token", where)
    expect(stale.locator("[data-action=pay]")).to_be_disabled()  # a reference is needed
    stale.fill("[data-test=payment-reference]", f"pos-stale-{repair['suffix']}")
    expect(stale.locator("[data-action=pay]")).to_be_enabled()

    expect(page.locator("[data-test=payment-amount]")).to_have_value("125.00")
    expect(page.locator("[data-action=waive]")).to_be_disabled()  # a reason is needed
    page.fill("[data-test=payment-reference]", f"pos-{repair['suffix']}")
    page.click("[data-action=pay]")
    expect(page.locator("[data-charge-state]")).to_have_attribute("data-charge-state", "paid")
    expect(page.locator("[data-charge-state]")).to_have_text("Charge paid")
    expect(page.locator("[data-action=pay]")).to_have_count(0)
    job = _job(local_stack, repair)
    assert (job["settlement"]["charge"], job["settlement"]["charge_state"]) == (
        {"amount": 12500, "currency": "CNY"}, "paid")
    finance = demo_auth(local_stack, "finance token")
    audit = requests.get(f"{local_stack.api_url}/tickets/{repair['ticket']}/audit", headers=finance, timeout=15)
    assert [e["data"]["reference"] for e in audit.json()["entries"]
            if e["event"] == "ticket.repair_charge_paid"] == [f"pos-{repair['suffix']}"]

    stale.click("[data-action=pay]")
    refusal = stale.locator("[data-error-for=payment] [role=alert]")
    expect(refusal).to_be_visible()
    again = requests.post(f"{local_stack.api_url}/repairs/jobs/{repair['job']}/charge/payment", timeout=15,
                          json={"reference": "pos-again", "amount": {"amount": 12500, "currency": "CNY"}},
                          headers={**finance, "Accept-Language": "en", "Idempotency-Key": uuid.uuid4().hex})
    assert again.status_code == 409 and again.json()["error"]["message"], again.text
    expect(refusal).to_have_text(again.json()["error"]["message"])
    # the stale tab read the jobs again after the 409
    expect(stale.locator("[data-charge-state]")).to_have_attribute("data-charge-state", "paid")
