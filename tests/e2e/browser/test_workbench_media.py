"""A ticket's photo as a thumbnail in a real browser against the local stack: the customer's JPEG
goes through the media check on the session stack, and the ticket page shows it from its presigned
URL. The page's CSP allows images from the media bucket's origin only, and the browser reports no
violation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.browser.test_workbench import _sign_in
from tests.support.environment import ROOT
from tests.support.local_stack import demo_auth, eventually
from tests.support.media_files import image_bytes

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", autouse=True)
def built_workbench():
    if not (ROOT / "build" / "workbench" / "index.html").is_file():
        pytest.fail("the workbench is not built: `make workbench`")


def _ticket_with_photo(stack) -> tuple[str, str]:
    api, customer = stack.api_url, demo_auth(stack, "customer token cust-1001")
    content = image_bytes("JPEG", (320, 240))
    granted = requests.post(f"{api}/media", json={"purpose": "ticket_evidence", "content_type": "image/jpeg",
                                                  "size": len(content)}, headers=customer, timeout=10)
    assert granted.status_code == 201, granted.text
    upload, media_id = granted.json()["upload"], granted.json()["media"]["id"]
    posted = requests.post(upload["url"], data=upload["fields"], files={"file": ("photo", content)}, timeout=10)
    assert posted.status_code == 204, posted.text
    eventually(lambda: requests.get(f"{api}/media/{media_id}", headers=customer, timeout=10).json()["status"]
               == "ready", timeout=30)
    delivered = datetime.now(UTC) - timedelta(days=2)
    order_id = f"BRM-{uuid.uuid4().hex[:8]}"
    order = {"order_id": order_id, "version": 1, "channel": "app", "currency": "CNY",
             "customer": {"id": "cust-1001", "tier": "vip"},
             "payment": {"provider": "sandbox", "reference": f"ch_{order_id}",
                         "captured": {"amount": 4900, "currency": "CNY"}},
             "shipping": {"country": "CN", "fee": {"amount": 1000, "currency": "CNY"}},
             "lines": [{"line_id": "1", "sku": "CUP", "name": "Cup", "quantity": 1,
                        "unit_price_paid": {"amount": 3900, "currency": "CNY"}}],
             "placed_at": (delivered - timedelta(days=4)).isoformat(),
             "fulfilment": {"status": "delivered", "shipped_at": (delivered - timedelta(days=2)).isoformat(),
                            "delivered_at": delivered.isoformat()}}
    put = requests.put(f"{api}/orders/{order_id}", json=order, headers=demo_auth(stack, "storefront API key"),
                       timeout=10)
    assert put.status_code == 201, put.text
    opened = requests.post(f"{api}/tickets", json={
        "type": "return_refund", "order_id": order_id, "channel": "app", "reason_code": "damaged",
        "lines": [{"line_id": "1", "quantity": 1}], "media_ids": [media_id]}, headers=customer, timeout=10)
    assert opened.status_code == 201, opened.text
    return opened.json()["id"], media_id


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
