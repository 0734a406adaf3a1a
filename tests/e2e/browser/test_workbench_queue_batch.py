"""The queue's saved views, team filter and batch actions in a real browser against the local
stack: a supervisor saves a set of filters and finds it again after a reload (another user does
not), filters by the assignee's team from the dispatch roster, and assigns and approves selected
tickets in one go, each ticket with its own result: the API's rules still decide per ticket."""

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


def _ticket(shop: Shop, ticket_id: str) -> dict:
    return requests.get(f"{shop.api}/tickets/{ticket_id}", headers=shop.supervisor, timeout=15).json()


def test_a_supervisor_assigns_and_approves_selected_tickets_with_a_result_for_each(local_stack, open_page):
    """GIVEN a ticket under single review and one that is not submitted (no review) WHEN the
    supervisor selects both and assigns them to agent-zhou THEN both rows say done and the API has
    them assigned; the team filter (agent-zhou's team) shows them; WHEN the supervisor approves
    both THEN the reviewed one is approved and the other is refused with the API's reason."""
    shop = Shop(local_stack)
    reviewed = shop.ticket("standard", 30000, submit=True)
    review = eventually(lambda: shop.review(reviewed), timeout=15)
    assert review["route"] == "single_review", review
    unsubmitted = shop.ticket("standard", 30000)
    page = open_page()
    _sign_in(page, local_stack, "supervisor token")
    for ticket_id in (reviewed, unsubmitted):
        page.check(f"[data-select={ticket_id}]")
    expect(page.locator("[data-test=batch]")).to_contain_text("2 tickets selected")
    page.fill("[data-batch=assignee]", "agent-zhou")
    page.click("[data-batch-action=assign]")
    results = page.locator("[data-test=batch-results]")
    expect(results).to_contain_text("2 done, 0 refused")
    assert {_ticket(shop, t)["assignee_id"] for t in (reviewed, unsubmitted)} == {"agent-zhou"}

    roster = requests.get(f"{shop.api}/dispatch/agents", headers=shop.supervisor, timeout=15).json()["items"]
    team = next(a["team_id"] for a in roster if a["agent_id"] == "agent-zhou")
    page.select_option("[data-filter=team]", team)
    members = {a["agent_id"] for a in roster if a.get("team_id") == team}
    assignees = page.locator("[data-test=queue] tbody tr td:nth-child(6)").all_inner_texts()
    assert assignees and set(assignees) <= members, (assignees, members)
    expect(page.locator(f"[data-test=queue] tr[data-ticket={reviewed}]")).to_be_visible()

    page.fill("[data-batch=comment]", "checked in bulk")
    page.click("[data-batch-action=approve]")
    expect(results).to_contain_text("1 done, 1 refused")
    expect(results.locator(f"[data-result={reviewed}]")).to_have_attribute("data-ok", "true")
    expect(results.locator(f"[data-result={reviewed}]")).to_contain_text("Approved")
    expect(results.locator(f"[data-result={unsubmitted}]")).to_have_attribute("data-ok", "false")
    eventually(lambda: (shop.review(reviewed) or {}).get("status") == "approved", timeout=15)
    assert shop.review(unsubmitted) is None


def test_saved_views_belong_to_their_user_and_survive_a_reload(local_stack, open_page):
    """GIVEN a supervisor who filters the queue by status and assignee and saves it as a view
    WHEN the filters are cleared and the view picked THEN the filters come back; after a reload the
    view is still there; another user in the same browser does not see it."""
    page = open_page()
    _sign_in(page, local_stack, "supervisor token")
    page.select_option("[data-filter=status]", "pending_approval")
    page.fill("[data-filter=assignee]", "agent-zhou")
    page.fill("[data-test=view-name]", "Zhou waiting")
    page.click("[data-test=view-save]")
    page.select_option("[data-filter=status]", "")
    page.fill("[data-filter=assignee]", "")
    page.select_option("[data-test=view-pick]", "Zhou waiting")
    expect(page.locator("[data-filter=status]")).to_have_value("pending_approval")
    expect(page.locator("[data-filter=assignee]")).to_have_value("agent-zhou")
    page.reload()
    expect(page.locator("[data-test=view-pick] option", has_text="Zhou waiting")).to_have_count(1)
    other = page.context.new_page()  # same browser profile (localStorage), its own tab session
    _sign_in(other, local_stack, "agent token agent-li")
    expect(other.locator("[data-test=views]")).to_be_visible()
    expect(other.locator("[data-test=view-pick] option", has_text="Zhou waiting")).to_have_count(0)
    assert other.locator("[data-filter=team]").count() == 0  # the roster is the supervisors'
    other.close()
