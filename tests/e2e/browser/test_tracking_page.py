"""The customer's tracking page as the local stack serves it, in a real browser on a 360 px phone: a
Chinese customer's return, opened and submitted over the API, shows its steps in zh-Hans with no
horizontal scroll; the message typed into the page's form is on the page after the post (a plain
form: JavaScript stays off, as the page's CSP would have it); a photo chosen on the page's upload
form goes straight to the stack's S3, which sends the browser back to the page, and joins the ticket
once the media-check function has passed it; axe-core finds no WCAG 2.1 A/AA violation. The link is
signed as the notifications function signs it (the stack's TrackingLinkSecret)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import requests

from tests.support.environment import ROOT

pytestmark = pytest.mark.e2e
PHONE = {"width": 360, "height": 740}
ARTIFACTS = ROOT / "build" / "browser"  # screenshots, not committed
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _credential(stack, label: str) -> str:
    return next(value for key, value in stack.demo.items() if key.startswith(label))


def _zh_return(stack) -> str:
    """A return of a zh-Hans customer, submitted for approval (the intake checks run on it)."""
    api, key = stack.api_url, {"X-Api-Key": _credential(stack, "storefront API key")}
    order_id = f"TRK-{uuid.uuid4().hex[:10]}"
    order = {"order_id": order_id, "version": 1, "channel": "web", "currency": "CNY",
             "customer": {"id": f"cust-{order_id.lower()}", "tier": "standard"},
             "payment": {"provider": "sandbox", "reference": f"ch_{order_id}",
                         "captured": {"amount": 39900, "currency": "CNY"}},
             "shipping": {"country": "CN", "fee": {"amount": 0, "currency": "CNY"}},
             "lines": [{"line_id": "1", "sku": "KETTLE-1", "name": "电热水壶 Electric kettle with a long name",
                        "category": "appliances", "product_type": "physical", "quantity": 1,
                        "unit_price_paid": {"amount": 39900, "currency": "CNY"}}],
             "placed_at": datetime.now(UTC).isoformat().replace("+00:00", "Z")}
    put = requests.put(f"{api}/orders/{order_id}", json=order, headers=key, timeout=15)
    assert put.status_code in (200, 201), put.text

    def post(path: str, body: dict, headers: dict) -> dict:
        reply = requests.post(f"{api}{path}", json=body, timeout=15, headers={
            **headers, "Idempotency-Key": uuid.uuid4().hex, "Accept-Language": "zh-Hans"})
        assert reply.status_code in (200, 201), reply.text
        return reply.json()

    ticket = post("/tickets", {"type": "return_refund", "order_id": order_id, "channel": "web",
                               "reason_code": "quality", "lines": [{"line_id": "1", "quantity": 1}]}, key)
    post(f"/tickets/{ticket['id']}/transitions", {"to": "pending_approval"}, key)
    stack.drain(timeout=30)  # the intake checks, the approval route, the timeline projector
    return ticket["id"]


def _link(stack, ticket_id: str) -> str:
    from aftersales.tracking.links import TrackingLinks

    return TrackingLinks(stack.parameters["TrackingLinkSecret"], stack.api_url).url(
        "demo", ticket_id, datetime.now(UTC)) or ""


@pytest.fixture(scope="module")
def tracked(local_stack):
    ticket_id = _zh_return(local_stack)
    return {"ticket": ticket_id, "link": _link(local_stack, ticket_id)}


def test_the_page_in_chinese_on_a_phone_shows_the_steps_and_takes_a_message(browser, tracked, request):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        reply = page.goto(tracked["link"])
        assert reply.status == 200
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
        assert page.locator("h1").inner_text() == f"售后单 {tracked['ticket']}"
        steps = page.locator("ol.steps li")
        assert steps.count() >= 5
        assert steps.first.inner_text() == "已完成： 已提交"
        current = page.locator("ol.steps li[aria-current=step]")
        assert current.count() == 1 and current.inner_text().startswith("当前：")
        assert all(steps.nth(n).is_visible() for n in range(steps.count()))
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.fill("textarea[name=message]", "请问退货地址是哪里？我想尽快寄回。")
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert page.url.endswith("?sent=1")
        assert page.locator("[role=status]").inner_text() == "感谢留言，您的消息已添加到售后单。"
        mine = page.locator("li.mine")
        assert mine.count() == 1 and "请问退货地址是哪里？我想尽快寄回。" in mine.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        context.close()


def test_the_page_passes_axe_on_a_phone(browser, tracked):
    # the page's own CSP allows no script: the check is injected past it, the page is not changed
    context = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    try:
        assert page.goto(tracked["link"]).status == 200
        page.add_script_tag(path=str(ROOT / "node_modules" / "axe-core" / "axe.min.js"))
        result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
        violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
        assert violations == []
        assert len(result["passes"]) >= 10  # the rules did run on the page
    finally:
        context.close()


def test_a_photo_from_the_phone_goes_to_s3_and_joins_the_ticket(browser, tracked, local_stack, request, tmp_path):
    from tests.support.local_stack import eventually
    from tests.support.media_files import image_bytes

    photo = tmp_path / "broken-kettle.jpg"
    photo.write_bytes(image_bytes("JPEG", (640, 480)))
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        assert page.goto(tracked["link"]).status == 200
        with page.expect_navigation():
            page.click("text=添加照片")
        assert page.locator("h1").inner_text() == f"为售后单 {tracked['ticket']} 添加照片"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.set_input_files("input[type=file]", str(photo))
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert "photo=1" in page.url and page.url.startswith(tracked["link"])  # S3 sent the browser back
        assert "感谢上传" in page.locator("[role=status]").inner_text()

        def attached() -> bool:
            local_stack.drain(timeout=10)
            page.reload()
            return "售后单上的照片和视频：1 个" in page.content()

        eventually(attached, timeout=30)
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        context.close()
