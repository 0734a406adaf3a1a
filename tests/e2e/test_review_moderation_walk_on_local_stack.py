"""The reviews walk a merchant would try on `make run` (the real template on the local stack).

GIVEN the demo tenant, a kettle and five buyers with delivered orders
WHEN one writes a prohibited word, and others write it with full-width letters, with spaces between
its letters, and in Traditional characters; three buyers post the same template text with small
edits; one writes a genuine one-star review; one posts a review with a photo uploaded through
/media
THEN no review with the prohibited word is published; the template is published once and held
after that, with the copied review named; the one-star review is published and opens a follow-up
complaint; the photo shows on the published review with a download URL; and the product's insights
list the negative review's causes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.support.local_stack import demo_auth, eventually
from tests.support.media_files import photo_like

pytestmark = pytest.mark.e2e

TEMPLATE = "质量非常好，物流很快，包装完整，卖家服务态度很好，五星好评推荐购买，下次还会再来"
EDITS = (TEMPLATE, TEMPLATE.replace("非常好", "特别好"), TEMPLATE.replace("下次还会再来", "下次还来"))
PROHIBITED = ("卖家是个傻逼", "ｆｕｃｋ this kettle", "f u c k this kettle", "客服操你媽")
ONE_STAR = "用了两天就坏了，底座一直漏水，质量太差了"


def _order(suffix: str, n: int, sku: str) -> dict:
    delivered = datetime.now(UTC) - timedelta(days=3)
    return {"order_id": f"E2E-WALK-{suffix}-{n}", "version": 1, "channel": "app", "currency": "CNY",
            "customer": {"id": f"cust-walk-{suffix}-{n}", "account_created_at": "2024-05-01T00:00:00+00:00"},
            "payment": {"provider": "sandbox", "reference": f"ch_walk_{suffix}_{n}",
                        "captured": {"amount": 20900, "currency": "CNY"}},
            "shipping": {"country": "CN", "fee": {"amount": 1000, "currency": "CNY"}},
            "lines": [{"line_id": "1", "sku": sku, "name": "Kettle", "quantity": 1,
                       "unit_price_paid": {"amount": 19900, "currency": "CNY"}}],
            "placed_at": (delivered - timedelta(days=3)).isoformat(),
            "fulfilment": {"status": "delivered", "delivered_at": delivered.isoformat()}}


def test_the_reviews_walk_of_a_merchant(local_stack):
    api, suffix = local_stack.api_url, uuid.uuid4().hex[:8]
    sku = f"KETTLE-WALK-{suffix}"
    storefront, agent = demo_auth(local_stack, "storefront API key"), demo_auth(local_stack, "agent token")
    writes = [*PROHIBITED, *EDITS, ONE_STAR, "烧水很快，很安静，颜色也好看"]
    orders = [_order(suffix, n, sku) for n in range(len(writes))]
    for order in orders:
        assert requests.put(f"{api}/orders/{order['order_id']}", json=order, headers=storefront,
                            timeout=10).status_code == 201

    photo_owner = orders[-1]["customer"]["id"]
    photo = photo_like(int(suffix, 16), fmt="JPEG")  # a picture no other customer posted: no copy signal
    granted = requests.post(f"{api}/media", json={"purpose": "review", "content_type": "image/jpeg",
                                                  "size": len(photo), "customer_id": photo_owner},
                            headers=storefront, timeout=10)
    assert granted.status_code == 201, granted.text
    upload, media_id = granted.json()["upload"], granted.json()["media"]["id"]
    assert requests.post(upload["url"], data=upload["fields"], files={"file": ("photo", photo)},
                         timeout=10).status_code == 204
    eventually(lambda: requests.get(f"{api}/media/{media_id}", headers=agent, timeout=10).json()["status"] == "ready",
               timeout=30)

    def review(review_id: str) -> dict:
        return requests.get(f"{api}/reviews/{review_id}", headers=agent, timeout=10).json()

    ids = []
    for n, (order, text) in enumerate(zip(orders, writes, strict=True)):
        rating = 1 if text == ONE_STAR else 5
        body = {"order_id": order["order_id"], "line_id": "1", "rating": rating, "text": text, "locale": "zh-Hans",
                "customer_id": order["customer"]["id"]}
        if n == len(writes) - 1:
            body["media_ids"] = [media_id]
        created = requests.post(f"{api}/reviews", json=body, headers=storefront, timeout=10)
        assert created.status_code == 201, created.text
        review_id = created.json()["id"]
        ids.append(review_id)
        if text in EDITS:  # one after the other, as a template farm posts them
            eventually(lambda rid=review_id: review(rid)["status"] != "pending", timeout=60)

    eventually(lambda: all(review(r)["status"] != "pending" for r in ids), timeout=60)
    seen = [review(r) for r in ids]
    prohibited, template, one_star, with_photo = seen[:4], seen[4:7], seen[7], seen[8]

    for r in prohibited:
        assert r["status"] in ("pending_review", "rejected"), r
        assert "prohibited_term" in {reason["code"] for reason in r["moderation"]["reasons"]}, r["text"]

    assert [r["status"] for r in template] == ["published", "pending_review", "pending_review"]
    for held in template[1:]:
        assert "duplicate_text" in {reason["code"] for reason in held["moderation"]["reasons"]}

    assert one_star["status"] == "published"
    ticket_id = eventually(lambda: review(ids[7])["follow_up_ticket_id"], timeout=30)
    ticket = requests.get(f"{api}/tickets/{ticket_id}", headers=agent, timeout=10).json()
    assert ticket["type"] == "complaint" and ticket["reason_code"] == "negative_review"

    assert with_photo["status"] == "published"
    public = requests.get(f"{api}/products/{sku}/reviews", headers=storefront, timeout=10).json()
    listed = {r["id"]: r for r in public["items"]}
    assert set(listed) == {template[0]["id"], one_star["id"], with_photo["id"]}  # nothing held shows
    (shown,) = listed[with_photo["id"]]["media"]
    assert shown["id"] == media_id and shown["url"]
    downloaded = requests.get(shown["url"], timeout=10)
    assert downloaded.status_code == 200 and downloaded.content[:3] == b"\xff\xd8\xff"

    insights = requests.get(f"{api}/insights/products/{sku}", headers=agent, timeout=10).json()
    clusters = {c["cause"]: c for c in insights["clusters"]}
    assert clusters["quality"]["reviews"] == 1
    assert [q["review_id"] for q in clusters["quality"]["quotes"]] == [one_star["id"]]
