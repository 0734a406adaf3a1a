"""A ticket's photo as a thumbnail in a real browser against the local stack: the customer's JPEG
goes through the media check on the session stack, and the ticket page shows it from its presigned
URL. The page's CSP allows images from the media bucket's origin only, and the browser reports no
violation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.test_workbench import _sign_in
from tests.support.environment import ROOT
from tests.support.local_stack import demo_auth, eventually
from tests.support.media_files import image_bytes
from tests.support.stack_media import settled_media, upload_photo
from tests.support.stack_orders import open_ticket, put_order

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", autouse=True)
def built_workbench():
    if not (ROOT / "build" / "workbench" / "index.html").is_file():
        pytest.fail("the workbench is not built: `make workbench`")


def _ticket_with_photo(stack) -> tuple[str, str]:
    customer = demo_auth(stack, "customer token cust-1001")
    media_id = upload_photo(stack, customer, image_bytes("JPEG", (320, 240)))
    assert settled_media(stack, customer, media_id)["status"] == "ready"
    order = put_order(stack, "BRM", 3900, customer_id="cust-1001", tier="vip",
                      delivered_at=datetime.now(UTC) - timedelta(days=2))
    opened = open_ticket(stack, order, customer, ticket_type="return_refund", reason_code="damaged",
                         media_ids=[media_id])
    return opened["id"], media_id


def test_a_checked_photo_is_shown_as_a_thumbnail_within_the_pages_csp(local_stack, open_page):
    ticket_id, media_id = _ticket_with_photo(local_stack)
    page = open_page()
    refused = []
    page.on("console", lambda m: "Content Security Policy" in m.text and refused.append(m.text))
    _sign_in(page, local_stack, "supervisor token", f"#/tickets/{ticket_id}")
    thumb = page.locator(f"[data-media={media_id}] [data-test=thumbnail]")
    expect(thumb).to_be_visible()
    width = eventually(lambda: page.evaluate("(img) => img.complete && img.naturalWidth", thumb.element_handle()),
                       timeout=10, interval=0.2)
    assert width == 320 and not refused, refused
