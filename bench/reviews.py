"""Reviews: AWS requests per review through intake (POST /reviews) and moderation (the consumer
on one SQS record), a one-star review's follow-up ticket, and the public listing; in-process
against moto, counted at botocore. Then the consumer's throughput on in-memory stores (the text
checks and the shipped sentiment model are the real ones)."""

from __future__ import annotations

import time

from bench.report import Section
from bench.support import RequestCounter, local_aws

GOOD = "烧水很快，做工精细，颜色也好看，很满意，推荐购买"
BAD = "用了两天就坏了，底座漏水，质量太差了，非常失望"
PRAISE = ["容量刚好，一次烧够全家人喝，噪音很小，开关手感也不错", "外观简洁大方，放在厨房里很好看，物流很快，包装结实"]
KEYS = {"X-Customer-IP": "198.51.100.7", "X-Device-Fingerprint": "bench-device-1"}


WARM, KEYED, PHOTO = "warm, no keys", "warm, IP and device keys, five stars", "warm, one photo"


def run() -> list[Section]:
    return [_requests(), _throughput()]


def _order(order_id: str, lines: int) -> dict:
    return {"order_id": order_id, "version": 1, "channel": "app", "currency": "CNY",
            "customer": {"id": "cust-1", "account_created_at": "2024-05-01T00:00:00+00:00"},
            "payment": {"provider": "sandbox", "reference": f"ch_{order_id}",
                        "captured": {"amount": lines * 19900 + 1000, "currency": "CNY"}},
            "shipping": {"country": "CN", "fee": {"amount": 1000, "currency": "CNY"}},
            "lines": [{"line_id": str(n), "sku": "KETTLE", "name": "Kettle", "quantity": 1,
                       "unit_price_paid": {"amount": 19900, "currency": "CNY"}} for n in range(1, lines + 1)],
            "placed_at": "2026-11-20T10:00:00+08:00",
            "fulfilment": {"status": "delivered", "delivered_at": "2026-11-25T10:00:00+08:00"}}


def _requests() -> Section:
    import os

    from tests.support.api_client import ApiClient
    from tests.support.lambdas import FakeContext, load_handler, sqs_record

    section = Section("AWS requests per review (moto, counted at botocore; the authorizer's reads not counted)",
                      ["step", "DynamoDB", "EventBridge", "other AWS", "calls"])
    with local_aws() as model:
        from aftersales.wiring import reset, services

        os.environ.update({k: str(v) for k, v in model.functions["ReviewModerationFunction"].environment.items()})
        os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"  # figures, not logs
        os.environ["MEDIA_MODERATION"] = "none"  # moto has no DetectModerationLabels
        reset()
        import boto3

        boto3.client("events").create_event_bus(Name=os.environ["EVENT_BUS_NAME"])
        boto3.client("s3").create_bucket(Bucket=os.environ["MEDIA_BUCKET"])
        svc = services()
        svc.tenants.create_tenant("bench", "Bench")
        key = {"X-Api-Key": svc.tenants.issue_api_key("bench", "storefront").api_key}
        client, consumer = ApiClient(), load_handler("review_moderation")
        client.request("PUT", "/orders/B-1", _order("B-1", 5), key)
        totals: dict[str, int] = {}

        def counted(label: str, call, total: str | None = None):
            counter = RequestCounter()
            with counter.counting():
                result = call()
            dynamo, events = counter.total("dynamodb"), counter.total("events")
            # a presigned GET passes botocore's hook as GetObject but is signed locally: no request
            signed = sum(n for (svc, op, _), n in counter.calls.items() if (svc, op) == ("s3", "GetObject"))
            calls = counter.describe().replace("GetObject", "GetObject (presigned, not sent)")
            section.rows.append([label, dynamo, events, counter.total() - dynamo - events - signed, calls])
            if total:
                totals[total] = totals.get(total, 0) + counter.total() - signed
            return result

        original = client.api.lambda_handler

        def api(label: str, method: str, path: str, body=None, total: str | None = None, headers=None):
            def handler(event, context):
                return counted(label, lambda: original(event, context), total)

            client.api.lambda_handler = handler
            try:
                return client.request(method, path, body, key | (headers or {}))
            finally:
                client.api.lambda_handler = original

        def moderate(label: str, review: dict, total: str | None = None):
            record = sqs_record({"detail": {"tenant_id": "bench", "review_id": review["id"], "content_version": 1}})
            counted(label, lambda: consumer.lambda_handler({"Records": [record]}, FakeContext("ReviewModeration")),
                    total)

        # a first review (the moderation context reads the tenant's lexicon once per container)
        first = api("POST /reviews (first of the container)", "POST", "/reviews",
                    {"order_id": "B-1", "line_id": "1", "rating": 5, "text": GOOD, "locale": "zh-Hans"}).body
        assert "id" in first, first
        moderate("moderation (first of the container)", first)
        second = api("POST /reviews", "POST", "/reviews",
                     {"order_id": "B-1", "line_id": "2", "rating": 4, "text": GOOD + "！", "locale": "zh-Hans"},
                     total=WARM).body
        moderate("moderation -> pending_review (a near-copy, warm)", second, total=WARM)
        third = api("POST /reviews (one star)", "POST", "/reviews",
                    {"order_id": "B-1", "line_id": "3", "rating": 1, "text": BAD, "locale": "zh-Hans"}).body
        moderate("moderation -> published + complaint ticket", third)
        keyed = api("POST /reviews (IP and device keys, five stars)", "POST", "/reviews",
                    {"order_id": "B-1", "line_id": "4", "rating": 5, "text": PRAISE[0], "locale": "zh-Hans"},
                    total=KEYED, headers=KEYS).body
        moderate("moderation, IP and device counted (four counters)", keyed, total=KEYED)
        photo = _checked_photo(svc)
        with_photo = api("POST /reviews (one photo)", "POST", "/reviews",
                         {"order_id": "B-1", "line_id": "5", "rating": 4, "text": PRAISE[1], "locale": "zh-Hans",
                          "media_ids": [photo]}, total=PHOTO).body
        assert with_photo["media"][0]["url"], with_photo
        moderate("moderation, its photo's near-duplicates looked up", with_photo, total=PHOTO)
        api("GET /products/{sku}/reviews", "GET", "/products/KETTLE/reviews")
    for label, n in totals.items():
        section.rows.append([f"total per review, intake + moderation ({label})", "", "", "", n])
    section.notes.append("The second review nearly copies the first, so moderation holds it: a held review "
                         "makes the calls a published one makes but moves no rating counter. Query×20 are the "
                         "signature bands of the duplicate check, BatchWriteItem stores the review's own. "
                         "On AWS add the SQS delivery of the event (EventBridge -> queue) and the "
                         "event source mapping's receive and delete (batched up to 10 records).")
    section.notes.append("With the request's IP and device keys (X-Customer-IP, X-Device-Fingerprint) the consumer "
                         "reads and writes one risk counter per key, and for five stars the key's five-star "
                         "counter of the sku too (GetItem + PutItem each; four stars: half). A photo costs one "
                         "GetItem and four bucket Queries in moderation, and one BatchGetItem at intake beside the "
                         "media check; its presigned URLs are signed locally, though botocore's hook counts each "
                         "as an S3 GetObject. The listing reads a page's media in one BatchGetItem.")
    return section


def _checked_photo(svc) -> str:
    """A ready review photo of the bench's customer (uploaded and checked outside the counts)."""
    import os

    import boto3

    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role
    from tests.support.media_files import photo_like

    content = photo_like(3)
    grant = svc.media.request_upload("bench", Actor(id="apikey:bench", roles=frozenset({Role.STOREFRONT})),
                                     purpose="review", content_type="image/png", size=len(content),
                                     customer_id="cust-1")
    boto3.client("s3").put_object(Bucket=os.environ["MEDIA_BUCKET"], Key=grant.item.upload_key, Body=content)
    assert svc.media.check_upload("bench", grant.item.id, len(content)) == "ready"
    return grant.item.id


def _throughput() -> Section:
    from datetime import UTC, datetime

    from aftersales.adapters.eventbridge import RecordingPublisher
    from aftersales.core.clock import FixedClock
    from aftersales.moderation.service import ModerationService
    from aftersales.orders.domain import Order
    from aftersales.reviews.service import Draft, ReviewModeration, ReviewService
    from aftersales.sentiment.analyzers import SharedModel, TenantAnalyzer
    from aftersales.sentiment.shipped import shipped_model
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role
    from aftersales.tickets.ports import StoredOrder
    from tests.support.fakes.moderation import InMemoryLexiconStore, InMemorySignatureIndex
    from tests.support.fakes.reviews import CheckedMedia, InMemoryReviewStore, StoredOrders

    per_order, orders = 500, 4
    clock = FixedClock(datetime(2026, 12, 2, 8, tzinfo=UTC))
    stored = {("bench", f"T-{k}"): StoredOrder(Order.model_validate(_order(f"T-{k}", per_order)), rev=1)
              for k in range(orders)}
    store = InMemoryReviewStore()
    reviews = ReviewService(store, StoredOrders(stored), CheckedMedia(), RecordingPublisher(), clock)
    consumer = ReviewModeration(store, ModerationService(InMemoryLexiconStore(), InMemorySignatureIndex(), clock),
                                TenantAnalyzer(SharedModel(shipped_model())), clock)
    storefront = Actor(id="apikey:bench", roles=frozenset({Role.STOREFRONT}))
    texts = [f"第{n}次购买，{GOOD if n % 3 else BAD}，编号{n * 7919 % 10007}" for n in range(per_order * orders)]
    submitted = [reviews.submit("bench", storefront, order_id=f"T-{n // per_order}", line_id=str(n % per_order + 1),
                                draft=Draft(rating=5 if n % 3 else 1, text=text, locale="zh-Hans"))
                 for n, text in enumerate(texts)]
    consumer.moderate("bench", submitted[0].review_id, 1)  # builds the automaton and loads the model
    started, cpu = time.perf_counter(), time.process_time()
    outcomes: dict[str, int] = {}
    for review in submitted[1:]:
        outcome = consumer.moderate("bench", review.review_id, 1)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    n = len(submitted) - 1
    section = Section("Review moderation consumer on in-memory stores (text checks + sentiment + verdict)",
                      ["reviews", "reviews/s (wall)", "reviews/s (CPU)", "outcomes"])
    shares = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
    section.rows.append([n, round(n / wall), round(n / cpu), shares])
    section.notes.append("A worst case: every text shares a template and one author writes them all, so the "
                         "duplicate lookups find candidates to compare on every review and most are held.")
    return section
