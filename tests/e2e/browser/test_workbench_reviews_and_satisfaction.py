"""The reviews moderation queue and the NPS / CSAT screen in a real browser against the local stack:
a copied review that moderation sent to a person is rejected with a reason from the queue; a
review's photo shows as a thumbnail on its card; a survey answered through its link shows in the
satisfaction figures' chart and table."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.browser.test_survey_page_accessibility import _survey_link
from tests.e2e.browser.test_workbench import _sign_in, _token
from tests.e2e.browser.test_workbench_dashboard import painted
from tests.support.environment import ROOT
from tests.support.local_stack import demo_auth, eventually
from tests.support.media_files import image_bytes
from tests.support.stack_media import settled_media, upload_photo

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", autouse=True)
def built_workbench():
    if not (ROOT / "build" / "workbench" / "index.html").is_file():
        pytest.fail("the workbench is not built: `make workbench`")


def _delivered_order(api: str, storefront: dict, sku: str) -> dict:
    order_id = f"BR-RV-{uuid.uuid4().hex[:10]}"
    delivered = datetime.now(UTC) - timedelta(days=2)
    order = {"order_id": order_id, "version": 1, "channel": "app", "currency": "CNY",
             "customer": {"id": f"cust-{order_id.lower()}", "account_created_at": "2024-05-01T00:00:00+00:00"},
             "payment": {"provider": "sandbox", "reference": f"ch_{order_id}",
                         "captured": {"amount": 19900, "currency": "CNY"}},
             "shipping": {"country": "CN", "fee": {"amount": 0, "currency": "CNY"}},
             "lines": [{"line_id": "1", "sku": sku, "name": "Kettle", "quantity": 1,
                        "unit_price_paid": {"amount": 19900, "currency": "CNY"}}],
             "placed_at": (delivered - timedelta(days=3)).isoformat(),
             "fulfilment": {"status": "delivered", "delivered_at": delivered.isoformat()}}
    assert requests.put(f"{api}/orders/{order_id}", json=order, headers=storefront, timeout=15).status_code == 201
    return order


@pytest.fixture
def held_review(local_stack) -> str:
    """The same text posted by a second buyer: moderation holds the copy for a person."""
    api, storefront = local_stack.api_url, demo_auth(local_stack, "storefront API key")
    agent = demo_auth(local_stack, "agent token")
    sku = f"KETTLE-BR-{uuid.uuid4().hex[:8]}"
    text = f"烧水很快，声音很小，外观漂亮，用了一周没有任何问题，推荐购买 {uuid.uuid4().hex[:6]}"

    def status(review_id: str) -> str:
        return requests.get(f"{api}/reviews/{review_id}", headers=agent, timeout=15).json()["status"]

    ids = []
    for _ in range(2):
        order = _delivered_order(api, storefront, sku)
        created = requests.post(f"{api}/reviews", headers=storefront, timeout=15, json={
            "order_id": order["order_id"], "line_id": "1", "rating": 4, "text": text, "locale": "zh-Hans",
            "customer_id": order["customer"]["id"]})
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
        eventually(lambda rid=ids[-1]: status(rid) != "pending", timeout=60, interval=0.5)
    assert status(ids[1]) == "pending_review"  # the copy (four stars: no five-star burst from this IP)
    return ids[1]


@pytest.mark.parametrize(("locale", "title"), [("en-GB", "Reviews moderation"), ("zh-CN", "评价审核")],
                         ids=["en", "zh-Hans"])
def test_an_agent_rejects_a_held_review_with_a_reason_from_the_moderation_queue(
        local_stack, open_page, held_review, locale, title):
    """GIVEN a copied review moderation sent to a person WHEN the agent opens the moderation queue
    THEN it is listed with moderation's reason code, and publish and reject wait for a reason;
    WHEN the agent rejects it with a reason THEN the API has it rejected by the agent with that
    reason, and it leaves the queue."""
    page = open_page(locale=locale)
    _sign_in(page, local_stack, "agent token agent-li", "#/reviews")
    expect(page.locator("h1")).to_have_text(title)
    card = page.locator(f"[data-review-id='{held_review}']")
    expect(card.locator("[data-reason=duplicate_text]")).to_be_visible()
    expect(card.locator("[data-action=reject]")).to_be_disabled()
    reason = f"copied text {uuid.uuid4().hex[:6]}"
    card.locator("[data-test=moderation-reason]").fill(reason)
    card.locator("[data-action=reject]").click()
    expect(card).to_have_count(0)
    agent = {"Authorization": f"Bearer {_token(local_stack, 'agent token agent-li')}"}
    review = requests.get(f"{local_stack.api_url}/reviews/{held_review}", headers=agent, timeout=15).json()
    assert review["status"] == "rejected"
    decision = review["entries"][-1]  # the decision is audited with who and why
    assert (decision["event"], decision["actor_id"], decision["reason"]) == \
        ("review.rejected_by_staff", "agent-li", reason)
    page.select_option("[data-test=review-status-filter]", "rejected")
    shown = page.locator(f"[data-review-id='{held_review}']")
    while not shown.count() and page.locator("[data-test=more]").count():  # oldest change first
        page.click("[data-test=more]")
        page.wait_for_load_state("networkidle")
    expect(shown).to_have_attribute("data-review-status", "rejected")
    expect(shown.locator("[data-test=staff-decision]")).to_contain_text(reason)
    expect(shown.locator("[data-action=publish]")).to_be_visible()  # a rejected review may still be published


def _all_figures(stack, month: str) -> dict:
    supervisor = {"Authorization": f"Bearer {_token(stack, 'supervisor token')}"}
    reply = requests.get(f"{stack.api_url}/satisfaction/figures", headers=supervisor, timeout=15,
                         params={"dimension": "all", "period": month})
    assert reply.status_code == 200, reply.text
    return next((r for r in reply.json()["rows"] if r["value"] == "all"), {})


@pytest.mark.parametrize(("locale", "title"), [("en-GB", "NPS and CSAT"), ("zh-CN", "NPS 与 CSAT 满意度")],
                         ids=["en", "zh-Hans"])
def test_an_answered_survey_shows_in_the_nps_and_csat_chart_and_table(local_stack, open_page, locale, title):
    """GIVEN a survey sent this month WHEN the customer answers it through its link (NPS 10,
    CSAT 5) THEN the API's figures for the month count one more answer; WHEN the supervisor opens
    NPS / CSAT by 'all' THEN the chart is painted and the table shows the API's answers and NPS."""
    month = datetime.now(UTC).strftime("%Y-%m")
    before = _all_figures(local_stack, month).get("answered", 0)
    link = _survey_link(local_stack, "zh-Hans")
    answered = requests.post(link, data={"nps": "10", "csat": "5"}, timeout=15)
    assert answered.status_code == 200, answered.text
    after = eventually(lambda: (f := _all_figures(local_stack, month)).get("answered", 0) > before and f, timeout=15)

    page = open_page(locale=locale)
    _sign_in(page, local_stack, "supervisor token", "#/satisfaction")
    expect(page.locator("h1")).to_have_text(title)
    page.select_option("[data-test=dimension]", "all")
    card = page.locator("[data-chart=satisfaction-by]")
    expect(card.locator("canvas").first).to_be_visible()
    painted(page, "satisfaction-by")
    card.locator("[data-test=toggle-numbers]").click()
    expect(card.locator("td[data-col=answered]")).to_have_text(str(after["answered"]))
    expect(card.locator("td[data-col=nps]")).to_have_text(f"{after['nps']:g}")
    trend = page.locator("[data-chart=satisfaction-trend]")
    expect(trend.locator("canvas").first).to_be_visible()


def test_a_reviews_photo_shows_as_a_thumbnail_on_the_moderation_screen(local_stack, open_page):
    """GIVEN a review written with the customer's checked photo WHEN an agent opens the moderation
    screen on the review's status THEN its card shows the photo as a thumbnail loaded from the
    review view's presigned URL (its real width), and the browser reports no CSP violation."""
    api, storefront = local_stack.api_url, demo_auth(local_stack, "storefront API key")
    agent = demo_auth(local_stack, "agent token")
    order = _delivered_order(api, storefront, f"KETTLE-PH-{uuid.uuid4().hex[:8]}")
    customer_id = order["customer"]["id"]
    media_id = upload_photo(local_stack, storefront, image_bytes("JPEG", (320, 240)), purpose="review",
                            customer_id=customer_id)
    assert settled_media(local_stack, storefront, media_id)["status"] == "ready"
    created = requests.post(f"{api}/reviews", headers=storefront, timeout=15, json={
        "order_id": order["order_id"], "line_id": "1", "rating": 4, "locale": "en", "customer_id": customer_id,
        "text": f"Boils fast and quietly; the lid closes well. Photo attached {uuid.uuid4().hex[:6]}",
        "media_ids": [media_id]})
    assert created.status_code == 201, created.text
    review_id = created.json()["id"]
    status = eventually(lambda: (s := requests.get(f"{api}/reviews/{review_id}", headers=agent, timeout=15)
                                 .json()["status"]) != "pending" and s, timeout=60, interval=0.5)

    page = open_page()
    refused = []
    page.on("console", lambda m: "Content Security Policy" in m.text and refused.append(m.text))
    _sign_in(page, local_stack, "agent token agent-li", "#/reviews")
    expect(page.locator("[data-screen=moderation]")).to_be_visible()
    if status != "pending_review":
        page.select_option("[data-test=review-status-filter]", status)
    card = page.locator(f"[data-review-id='{review_id}']")
    page.wait_for_load_state("networkidle")
    while not card.count() and page.locator("[data-test=more]").count():  # oldest change first
        page.click("[data-test=more]")
        page.wait_for_load_state("networkidle")
    thumb = card.locator(f"[data-media='{media_id}'] [data-test=thumbnail]")
    expect(thumb).to_be_visible()
    width = eventually(lambda: page.evaluate("(img) => img.complete && img.naturalWidth", thumb.element_handle()),
                       timeout=10, interval=0.2)
    assert width == 320 and not refused, refused
