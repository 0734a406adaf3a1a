"""Reviews under moto: the API function (POST/PUT/GET /reviews, the product listing, the staff
listing and moderation queue, decisions, replies) on the template's ReviewsTable, and the
review-moderation function fed the `review.submitted` events the API published, as SQS records,
with partial batch failures; a negative published review opens its complaint ticket."""

from __future__ import annotations

import pytest

from aftersales import wiring
from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.reviews.service import SUBMITTED
from tests.support.channels import extra_resources
from tests.support.lambdas import FakeContext, load_handler, sqs_record
from tests.support.sent_mail import sent_mails
from tests.support.tickets import order_payload

GOOD = "保温效果很好，一整天水都是热的，颜色也好看，很满意"
BAD = "质量太差了，用了两天就坏了，漏水严重，非常失望"


@pytest.fixture
def rig(aws, monkeypatch, request):
    for key, value in aws.functions["ReviewModerationFunction"].environment.items():
        monkeypatch.setenv(key, str(value))
    published = RecordingPublisher()
    wiring.override(wiring.Container(events=published))
    creds = request.getfixturevalue("demo")["acme"]
    api = request.getfixturevalue("api")
    for order_id in ("O-1", "O-2"):
        body = order_payload(order_id, customer="cust-1") | {
            "fulfilment": {"status": "delivered", "delivered_at": "2026-11-25T10:00:00+08:00"},
            "customer": {"id": "cust-1", "account_created_at": "2025-01-01T00:00:00+00:00"}}
        assert api.request("PUT", f"/orders/{order_id}", body, creds["key"]).status in (200, 201)
    return {"api": api, "creds": creds, "events": published, "consumer": load_handler("review_moderation"),
            "aws": aws}


def moderate(rig) -> dict:
    records = [sqs_record({"detail": detail}, message_id=str(i))
               for i, (kind, detail) in enumerate(rig["events"].events) if kind == SUBMITTED]
    rig["events"].events.clear()
    return rig["consumer"].lambda_handler({"Records": records}, FakeContext("ReviewModerationFunction"))


def write(rig, order_id="O-1", text=GOOD, rating=5, who="cust-1", **extra):
    body = {"order_id": order_id, "line_id": "L1", "rating": rating, "text": text, "locale": "zh-Hans", **extra}
    return rig["api"].request("POST", "/reviews", body, rig["creds"][who])


def test_a_review_goes_pending_then_published_and_counts_in_the_product_listing(rig):
    api, creds = rig["api"], rig["creds"]
    created = write(rig)
    assert created.status == 201, created.body
    assert created.body["status"] == "pending" and created.body["verified_buyer"] is True
    assert api.request("GET", f"/reviews/{created.body['id']}", headers=creds["cust-2"]).status == 404
    assert moderate(rig) == {"batchItemFailures": []}
    listing = api.request("GET", "/products/MUG/reviews", headers=creds["cust-2"])
    assert listing.status == 200
    assert [r["id"] for r in listing.body["items"]] == [created.body["id"]]
    assert "status" not in listing.body["items"][0] and "customer_id" not in listing.body["items"][0]
    assert listing.body["rating"] == {"counts": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}, "total": 1,
                                      "average": 5.0}
    mine = api.request("GET", f"/reviews/{created.body['id']}", headers=creds["cust-1"])
    assert mine.body["status"] == "published" and mine.body["moderation"]["model_version"]
    from datetime import datetime

    at = datetime.fromisoformat(mine.body["created_at"])
    assert wiring.services().review_store.activity("acme", "cust-1", at) == (1, 1)


def test_one_review_per_order_line_and_edits_keep_versions(rig):
    api, creds = rig["api"], rig["creds"]
    first = write(rig).body
    again = write(rig, text="再写一次")
    assert again.status == 409 and again.body["error"]["details"]["review_id"] == first["id"]
    moderate(rig)
    edited = api.request("PUT", f"/reviews/{first['id']}", {"rating": 3, "text": "用了一周，还行", "locale": "zh-Hans"},
                         creds["cust-1"])
    assert edited.status == 200 and edited.body["status"] == "pending" and edited.body["content_version"] == 2
    assert [v["text"] for v in edited.body["previous_versions"]] == [GOOD]
    assert api.request("GET", "/products/MUG/reviews", headers=creds["key"]).body["rating"]["total"] == 0
    assert api.request("PUT", f"/reviews/{first['id']}", {"rating": 1, "text": "x", "locale": "en"},
                       creds["cust-2"]).status == 404
    moderate(rig)
    assert api.request("GET", "/products/MUG/reviews", headers=creds["key"]).body["rating"]["counts"]["3"] == 1


def test_bad_input_is_422_with_field_paths(rig):
    for extra, path in (({"rating": 6}, "rating"), ({"locale": "???"}, "locale"), ({"line_id": "L9"}, "line_id"),
                        ({"media_ids": ["med_nope"]}, "media_ids[0]"), ({"order_id": "O-404"}, "order_id")):
        answer = write(rig, **extra)
        assert answer.status == 422, (extra, answer.body)
        assert [f["path"] for f in answer.body["error"]["fields"]] == [path]


def test_the_storefront_writes_for_the_customer_and_staff_decide_held_reviews(rig):
    api, creds = rig["api"], rig["creds"]
    held = write(rig, who="key", text=BAD, rating=5).body  # five stars on a furious text, held below
    assert held["customer_id"] == "cust-1"
    abuse = write(rig, order_id="O-2", text="傻逼卖家，操你妈，他妈的垃圾，fuck you", rating=1).body
    moderate(rig)
    assert api.request("GET", f"/reviews/{abuse['id']}", headers=creds["agent"]).body["status"] == "rejected"
    queue = api.request("GET", "/moderation/queue", headers=creds["agent"])
    assert queue.status == 200, queue.body
    pending = api.request("GET", "/reviews", headers=creds["agent"], query={"status": "pending_review"}).body
    assert [r["id"] for r in queue.body["items"]] == [r["id"] for r in pending["items"]]
    assert api.request("GET", "/moderation/queue", headers=creds["cust-1"]).status == 403
    assert api.request("POST", f"/reviews/{abuse['id']}/moderation", {"verdict": "publish", "reason": "mine"},
                       creds["cust-1"]).status == 403
    decided = api.request("POST", f"/reviews/{abuse['id']}/moderation", {"verdict": "reject", "reason": "again"},
                          creds["supervisor"])
    assert decided.status == 409
    published = api.request("POST", f"/reviews/{abuse['id']}/moderation",
                            {"verdict": "publish", "reason": "quoted a third party"}, creds["supervisor"])
    assert published.status == 200
    # published by a person, one star on a delivered line: its complaint follows as the consumer's do
    assert [e["event"] for e in published.body["entries"][-2:]] == ["review.published_by_staff", "review.follow_up"]
    assert published.body["follow_up_ticket_id"]
    replied = api.request("POST", f"/reviews/{abuse['id']}/reply", {"text": "抱歉，我们会改进"}, creds["agent"])
    assert replied.status == 200
    public = api.request("GET", f"/reviews/{abuse['id']}", headers=creds["cust-2"]).body
    assert public["reply"]["text"] == "抱歉，我们会改进" and "entries" not in public


def test_a_negative_published_review_opens_a_complaint_for_its_line(rig):
    api, creds = rig["api"], rig["creds"]
    review = write(rig, text=BAD, rating=1).body
    moderate(rig)
    seen = api.request("GET", f"/reviews/{review['id']}", headers=creds["agent"]).body
    assert seen["status"] == "published" and seen["follow_up_ticket_id"]
    ticket = api.request("GET", f"/tickets/{seen['follow_up_ticket_id']}", headers=creds["agent"]).body
    assert ticket["type"] == "complaint" and ticket["reason_code"] == "negative_review"
    audit = api.request("GET", f"/tickets/{ticket['id']}/audit", headers=creds["agent"]).body["entries"]
    assert any(e["event"] == "ticket.review_linked" and e["data"]["review_id"] == review["id"] for e in audit)


def test_resolving_the_follow_up_invites_the_author_to_update_the_review(rig):
    api, creds = rig["api"], rig["creds"]
    review = write(rig, text=BAD, rating=1).body
    moderate(rig)
    ticket_id = api.request("GET", f"/reviews/{review['id']}", headers=creds["agent"]).body["follow_up_ticket_id"]
    for to in ("investigating", "resolved"):
        moved = api.request("POST", f"/tickets/{ticket_id}/transitions", {"to": to, "reason": "fixed"},
                            creds["agent"])
        assert moved.status == 200, moved.body
    closure = {"detail-type": "ticket.resolved", "source": "aftersales.tickets",
               "detail": {"tenant_id": "acme", "ticket_id": ticket_id, "to_status": "resolved"}}
    for attempt in range(2):  # the second is a redelivery: nothing more is sent
        answer = rig["consumer"].lambda_handler({"Records": [sqs_record(closure, message_id=str(attempt))]},
                                                FakeContext("ReviewModerationFunction"))
        assert answer == {"batchItemFailures": []}
    invited = [detail for kind, detail in rig["events"].events if kind == "review.update_invited"]
    assert [(d["review_id"], d["ticket_id"], d["customer_id"]) for d in invited] == [
        (review["id"], ticket_id, "cust-1")]
    entries = api.request("GET", f"/reviews/{review['id']}", headers=creds["agent"]).body["entries"]
    assert entries[-1]["event"] == "review.update_invited" and entries[-1]["data"] == {"ticket_id": ticket_id}

    # the outbox delivers the invitation in the review's language, once however often it arrives
    extra_resources(rig["aws"])
    assert api.request("PUT", "/customers/cust-1/contacts/email", {"address": "buyer@example.com"},
                       creds["key"]).status == 200
    notifications = load_handler("notifications")
    message = {"detail-type": "review.update_invited", "source": "aftersales.reviews", "detail": invited[0]}
    for attempt in range(2):
        notifications.lambda_handler({"Records": [sqs_record(message, message_id=str(attempt))]},
                                     FakeContext("NotificationsFunction"))
    (mail,) = sent_mails()
    assert mail.to == ["buyer@example.com"] and "邀请您更新评价" in mail.subject and ticket_id in mail.subject


def test_a_record_that_fails_is_reported_alone(rig):
    write(rig)
    records = [sqs_record({"detail": detail}, message_id="ok") for _, detail in rig["events"].events]
    records.append(sqs_record({"detail": {"tenant_id": "acme"}}, message_id="bad"))
    answer = rig["consumer"].lambda_handler({"Records": records}, FakeContext("ReviewModerationFunction"))
    assert answer == {"batchItemFailures": [{"itemIdentifier": "bad"}]}


def test_insights_count_the_causes_of_published_reviews_with_quotes(rig):
    api, creds = rig["api"], rig["creds"]
    review = write(rig, text="包装很好。" + BAD, rating=1).body
    write(rig, order_id="O-2", text="尺码偏小，穿着很紧，建议买大一号", rating=2)
    moderate(rig)
    found = api.request("GET", "/insights/products/MUG", headers=creds["agent"])
    assert found.status == 200, found.body
    causes = {c["cause"]: c for c in found.body["clusters"]}
    assert causes["quality"]["reviews"] == 1
    assert causes["quality"]["quotes"][0] == {"review_id": review["id"], "text": BAD,
                                              "at": causes["quality"]["quotes"][0]["at"]}
    assert api.request("GET", "/insights/products/MUG", headers=creds["cust-1"]).status == 403
    api.request("POST", f"/reviews/{review['id']}/moderation", {"verdict": "reject", "reason": "spam"},
                creds["agent"])
    left = {c["cause"] for c in api.request("GET", "/insights/products/MUG", headers=creds["agent"]).body["clusters"]}
    assert "quality" not in left


def test_helpful_votes_sort_the_listing_most_helpful_first(rig):
    api, creds = rig["api"], rig["creds"]
    older = write(rig).body
    newer = write(rig, order_id="O-2", text="很好").body
    moderate(rig)
    for _ in range(2):
        voted = api.request("POST", f"/reviews/{older['id']}/helpful", {}, creds["cust-2"])
        assert voted.status == 200 and voted.body["helpful"] == 1
    assert api.request("POST", f"/reviews/{older['id']}/helpful", {}, creds["cust-1"]).status == 409
    by_helpful = api.request("GET", "/products/MUG/reviews", headers=creds["key"], query={"sort": "helpful"}).body
    newest = api.request("GET", "/products/MUG/reviews", headers=creds["key"]).body
    assert [r["id"] for r in by_helpful["items"]] == [older["id"], newer["id"]]
    assert [r["id"] for r in newest["items"]] == [newer["id"], older["id"]]


def test_the_largest_review_the_rules_allow_fits_one_dynamodb_item(rig):
    from aftersales.core.errors import Conflict
    from aftersales.reviews.model import MAX_ENTRIES, MAX_REASON, MAX_TEXT, MAX_VERSIONS
    from aftersales.reviews.service import Draft
    from aftersales.tickets.model import Role
    from tests.support.ticket_factories import actor

    svc, consumer = wiring.services().reviews, wiring.services().review_moderation
    author = actor(Role.CUSTOMER, id="cust-1", customer_id="cust-1")
    agent = actor(Role.AGENT, id="agent-1")
    text = ("质量很好，" * MAX_TEXT)[:MAX_TEXT]
    review = svc.submit("acme", author, order_id="O-1", line_id="L1",
                        draft=Draft(rating=5, text=text, locale="zh-Hans"))
    for n in range(2, MAX_VERSIONS + 1):
        draft = Draft(rating=4, text=f"{n:02d}" + text[2:], locale="zh-Hans")
        review = svc.edit("acme", review.review_id, author, draft)
    consumer.moderate("acme", review.review_id, MAX_VERSIONS)
    svc.reply("acme", review.review_id, agent, "谢" * 2000)
    publish = svc.get("acme", review.review_id, agent).status.value != "published"
    with pytest.raises(Conflict) as caught:
        for _ in range(MAX_ENTRIES + 1):
            svc.decide("acme", review.review_id, agent, publish=publish, reason="理" * MAX_REASON)
            publish = not publish
    assert caught.value.message_id == "reviews.too_many_changes"
    stored = svc.get("acme", review.review_id, agent)
    assert len(stored.entries) == MAX_ENTRIES and len(stored.previous) == MAX_VERSIONS - 1
    from aftersales.adapters.dynamo.attributes import Utf8JsonAttribute

    size = len(Utf8JsonAttribute().serialize(stored.model_dump(mode="json")).encode())
    assert size < 380_000, size  # the doc, with room for the keys and index attributes


def test_a_decision_sent_with_an_idempotency_key_is_answered_and_replayed_with_the_same_view(rig):
    """GIVEN a moderated review WHEN staff decide it with an Idempotency-Key (as the workbench sends every
    POST) THEN the answer is 200 with the view (its datetimes stored as JSON text, not a 5xx), and
    the same key again replays the same answer without a second decision."""
    api, creds = rig["api"], rig["creds"]
    held = write(rig, who="key", text=BAD, rating=5).body
    moderate(rig)
    headers = {**creds["agent"], "Idempotency-Key": "decide-held-review-1"}
    body = {"verdict": "reject", "reason": "furious text, five stars"}
    first = api.request("POST", f"/reviews/{held['id']}/moderation", body, headers)
    assert first.status == 200, first.body
    assert first.body["status"] == "rejected" and isinstance(first.body["created_at"], str)
    again = api.request("POST", f"/reviews/{held['id']}/moderation", body, headers)
    assert again.status == 200 and again.body == first.body
    entries = api.request("GET", f"/reviews/{held['id']}", headers=creds["agent"]).body["entries"]
    assert sum(e["event"] == "review.rejected_by_staff" for e in entries) == 1, [e["event"] for e in entries]
