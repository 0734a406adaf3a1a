"""Product reviews on the local stack (the real template: API -> review.submitted on the bus ->
ReviewModerationQueue -> review_moderation -> ReviewsTable; a negative review's complaint through
the tickets service).

GIVEN the demo tenant and a delivered order WHEN the storefront writes a glowing review of one line
and a one-star review of the other, and a review full of abuse of a third THEN the first two are
published and counted in their product's histogram, the one-star review has opened a complaint
ticket naming it, and the abusive one is rejected with its reasons."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.support.local_stack import demo_auth, eventually

pytestmark = pytest.mark.e2e




def test_reviews_are_moderated_counted_and_a_one_star_review_opens_a_complaint(local_stack):
    suffix = uuid.uuid4().hex[:8]
    sku = f"KETTLE-{suffix}"
    delivered = datetime.now(UTC) - timedelta(days=3)
    lines = [{"line_id": str(n), "sku": sku, "name": "Kettle", "quantity": 1,
              "unit_price_paid": {"amount": 19900, "currency": "CNY"}} for n in (1, 2, 3)]
    order = {"order_id": f"E2E-REV-{suffix}", "version": 1, "channel": "app", "currency": "CNY",
             "customer": {"id": f"cust-rev-{suffix}", "account_created_at": "2024-05-01T00:00:00+00:00"},
             "payment": {"provider": "sandbox", "reference": f"ch_rev_{suffix}",
                         "captured": {"amount": 3 * 19900 + 1000, "currency": "CNY"}},
             "shipping": {"country": "CN", "fee": {"amount": 1000, "currency": "CNY"}},
             "lines": lines, "placed_at": (delivered - timedelta(days=3)).isoformat(),
             "fulfilment": {"status": "delivered", "delivered_at": delivered.isoformat()}}
    storefront, agent = demo_auth(local_stack, "storefront API key"), demo_auth(local_stack, "agent token")
    api = local_stack.api_url
    assert requests.put(f"{api}/orders/{order['order_id']}", json=order, headers=storefront,
                        timeout=10).status_code == 201

    ids = {}
    for line_id, rating, text in (("1", 5, "烧水很快，做工精细，颜色也好看，很满意"),
                                  ("2", 1, "用了两天就坏了，底座漏水，质量太差了"),
                                  ("3", 1, "傻逼卖家，操你妈，他妈的垃圾，fuck you")):
        created = requests.post(f"{api}/reviews", json={"order_id": order["order_id"], "line_id": line_id,
                                                        "rating": rating, "text": text, "locale": "zh-Hans"},
                                headers=storefront, timeout=10)
        assert created.status_code == 201, created.text
        assert created.json()["status"] == "pending"
        ids[line_id] = created.json()["id"]

    def review(line_id: str) -> dict:
        return requests.get(f"{api}/reviews/{ids[line_id]}", headers=agent, timeout=10).json()

    eventually(lambda: all(review(n)["status"] != "pending" for n in ids), timeout=60)
    assert [review(n)["status"] for n in ("1", "2", "3")] == ["published", "published", "rejected"]
    assert {r["code"] for r in review("3")["moderation"]["reasons"]} == {"prohibited_term"}

    listing = requests.get(f"{api}/products/{sku}/reviews", headers=storefront, timeout=10).json()
    assert [r["id"] for r in listing["items"]] == [ids["2"], ids["1"]]
    assert listing["rating"]["counts"] == {"1": 1, "2": 0, "3": 0, "4": 0, "5": 1}
    assert listing["rating"]["average"] == 3.0

    ticket_id = eventually(lambda: review("2")["follow_up_ticket_id"], timeout=30)
    ticket = requests.get(f"{api}/tickets/{ticket_id}", headers=agent, timeout=10).json()
    assert ticket["type"] == "complaint" and ticket["reason_code"] == "negative_review"
    assert [line["line_id"] for line in ticket["lines"]] == ["2"]
    audit = requests.get(f"{api}/tickets/{ticket_id}/audit", headers=agent, timeout=10).json()["entries"]
    assert [e["data"]["review_id"] for e in audit if e["event"] == "ticket.review_linked"] == [ids["2"]]
