"""A staff session that ends while a screen is open, in a real browser against the local stack: the
screen stays behind a sign-in dialog, and what was typed or waiting carries on after signing in
again. Two ways a session ends: its token's expiry time passes (the browser's clock is moved past
it with Playwright's clock), or the API answers 401 (here one answer of the queue's read, replaced
at the network layer, as the API answers a token it no longer accepts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.test_workbench import Shop, _sign_in, _token
from tests.support.environment import ROOT

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", autouse=True)
def built_workbench():
    if not (ROOT / "build" / "workbench" / "index.html").is_file():
        pytest.fail("the workbench is not built: `make workbench`")


def test_an_expired_session_keeps_the_ticket_and_the_typed_reply_until_signed_in_again(local_stack, open_page):
    """GIVEN a supervisor on a ticket with a reply typed and not sent WHEN the browser's clock passes
    the token's expiry THEN a sign-in dialog covers the page, naming the user, and the typed reply is
    still there; WHEN the supervisor signs in again THEN the dialog goes, the reply is sent and joins
    the conversation."""
    ticket_id = Shop(local_stack).ticket("standard", 19900)
    page = open_page()
    page.clock.install()
    _sign_in(page, local_stack, "supervisor token", f"#/tickets/{ticket_id}")
    text = f"Your replacement ships today ({ticket_id[-6:]})."
    page.fill("[data-test=reply-body]", text)
    page.clock.fast_forward("13:00:00")  # past the demo token's 12 hours: the expiry timer fires
    dialog = page.locator("[data-test=renew]")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-test=lapsed]")).to_contain_text("sup-wang")
    expect(page.locator("[data-test=reply-body]")).to_have_value(text)
    page.clock.set_system_time(datetime.now(UTC) + timedelta(seconds=1))  # back to the API's time
    dialog.locator("[data-test=token]").fill(_token(local_stack, "supervisor token"))
    dialog.locator("[data-test=sign-in]").click()
    expect(dialog).to_have_count(0)
    page.click("[data-test=reply-send]")
    expect(page.locator("[data-part=conversation]")).to_contain_text(text)


def test_a_401_waits_for_the_new_sign_in_and_the_read_is_sent_again(local_stack, open_page):
    """GIVEN the queue WHEN the API answers its read with 401 THEN the dialog asks to sign in again
    over the page; WHEN the supervisor does THEN the same read is sent again and the rows show."""
    page = open_page()
    answered = []

    def once_unauthorized(route):
        if not answered:
            answered.append(route.request.url)
            route.fulfill(status=401, content_type="application/json", body='{"message": "Unauthorized"}')
        else:
            route.continue_()

    page.route("**/v1/tickets?*", once_unauthorized)
    # the one-click sign-in link; the queue's first read meets the 401
    page.goto(f"{local_stack.workbench_url}#token={_token(local_stack, 'supervisor token')}")
    dialog = page.locator("[data-test=renew]")
    expect(dialog).to_be_visible()
    assert answered and page.locator("tr[data-ticket]").count() == 0
    dialog.locator("[data-test=token]").fill(_token(local_stack, "supervisor token"))
    dialog.locator("[data-test=sign-in]").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("tr[data-ticket]").first).to_be_visible()
