"""Tenant refits under moto: the SentimentTable store (counter, sparse due index, conditional
record, history), model files in S3, the reviews table's published reviews, the scheduled
function refitting a due tenant, and the moderation consumer reading with the tenant's model and
counting what it published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from aftersales import wiring
from aftersales.adapters.dynamo.sentiment import DynamoRatedReviews
from aftersales.core.errors import ConcurrentModification, Unavailable
from aftersales.reviews.model import Content, Review, ReviewStatus
from aftersales.sentiment.linear import SentimentModel
from aftersales.sentiment.refit import Winner
from aftersales.sentiment.refit_schedule import REFIT_AFTER_RATED, RefitRun, TenantModel, Trigger
from tests.support.lambdas import FakeContext, load_handler, sqs_record
from tests.support.tenant_reviews import slang_reviews, store_published

NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)


@pytest.fixture
def refit_env(aws, monkeypatch):
    for function in ("ReviewModerationFunction", "SentimentRefitFunction"):
        for key, value in aws.functions[function].environment.items():
            monkeypatch.setenv(key, str(value))
    bucket = aws.functions["SentimentRefitFunction"].environment["SENTIMENT_MODELS_BUCKET"]
    boto3.client("s3").create_bucket(Bucket=bucket)
    wiring.reset()
    return {"bucket": bucket}


def _run(at: datetime, version: str = "v1", winner: Winner = Winner.SHIPPED) -> RefitRun:
    return RefitRun(at=at, trigger=Trigger.SCHEDULE, winner=winner, candidate_version=version, base_version="b",
                    shipped_accuracy=0.8, tenant_accuracy=0.7, trained_on=80, held_back=20, reviews_read=100)


def test_the_store_counts_marks_due_once_and_records_at_the_revision_read(refit_env):
    store = wiring.services().sentiment_refit_store
    assert store.count_rated("acme", 3).rated_since_refit == 3
    assert store.count_rated("acme", 4).rated_since_refit == 7
    store.mark_due("acme", NOW)
    store.mark_due("acme", NOW + timedelta(hours=5))  # already due: the first time stays
    store.mark_due("later", NOW + timedelta(hours=1))
    assert store.state("acme").due_at == NOW
    assert store.due(NOW, 10) == ["acme"] and store.due(NOW + timedelta(hours=2), 10) == ["acme", "later"]
    model = TenantModel(version="b.acme.1", base_version="b", key="k/1", shipped_accuracy=0.7, tenant_accuracy=0.9,
                        trained_on=80, held_back=20, at=NOW)
    store.record("acme", _run(NOW, "b.acme.1", Winner.TENANT), model, counted=7, expected_revision=0)
    state = store.state("acme")
    assert (state.model, state.rated_since_refit, state.due_at, state.revision) == (model, 0, None, 1)
    assert store.current_model("acme") == model and store.due(NOW, 10) == []
    with pytest.raises(ConcurrentModification):
        store.record("acme", _run(NOW + timedelta(minutes=1), "v2"), None, counted=0, expected_revision=0)
    store.record("acme", _run(NOW + timedelta(minutes=2), "v3"), None, counted=0, expected_revision=1)
    assert store.current_model("acme") is None
    assert [r.candidate_version for r in store.history("acme", 10)] == ["v3", "b.acme.1"]
    assert store.history("acme", 1)[0].candidate_version == "v3"


def test_model_files_round_trip_and_a_missing_one_is_unavailable(refit_env):
    files = wiring.services().sentiment_model_files
    key = files.put("acme", "b.acme.1", b"weights")
    assert key == "sentiment-models/acme/b.acme.1.bin" and files.get(key) == b"weights"
    with pytest.raises(Unavailable):
        files.get("sentiment-models/acme/none.bin")


def test_rated_reviews_are_the_newest_published_ones_with_title_and_stars(refit_env):
    svc = wiring.services()
    store = svc.review_store
    store_published(store, "acme", slang_reviews(copies=1), NOW)
    content = Content(version=1, rating=2, title="标题", text="正文", locale="zh-Hans", at=NOW)
    store.create(Review(tenant_id="acme", review_id="titled", order_id="O-t", line_id="1", sku="MUG",
                        customer_id="c", verified_buyer=True, delivered=True, status=ReviewStatus.PUBLISHED,
                        content=content, created_at=NOW + timedelta(minutes=1), updated_at=NOW + timedelta(minutes=1)))
    store.create(Review(tenant_id="acme", review_id="held", order_id="O-h", line_id="1", sku="MUG",
                        customer_id="c", verified_buyer=True, delivered=True, status=ReviewStatus.PENDING_REVIEW,
                        content=content, created_at=NOW, updated_at=NOW))
    rated = DynamoRatedReviews().newest("acme", 5)
    assert len(rated) == 5 and rated[0].review_id == "titled"
    assert (rated[0].text, rated[0].stars) == ("标题\n正文", 2)
    assert "held" not in {r.review_id for r in DynamoRatedReviews().newest("acme", 100)}


def test_the_scheduled_function_refits_a_due_tenant_and_the_consumer_reads_with_its_model(refit_env):
    """GIVEN a tenant with 120 published star-rated reviews in words the shipped model misreads, counted
    as published WHEN the schedule fires THEN its refit beats the shipped model and is stored (file in
    S3, pointer, history) AND the moderation consumer records the refit's version on the next review
    and counts it as published."""
    svc = wiring.services()
    store_published(svc.review_store, "acme", slang_reviews(), NOW)
    svc.sentiment_refits.reviews_published({"acme": REFIT_AFTER_RATED + 20})
    sweeper = load_handler("sentiment_refit")
    answer = sweeper.lambda_handler({"source": "aws.events", "detail-type": "Scheduled Event"},
                                    FakeContext("SentimentRefitFunction"))
    assert answer == {"due": 1, "kept_tenant": 1, "kept_shipped": 0, "failed": 0}
    state = svc.sentiment_refit_store.state("acme")
    assert state.model is not None and state.model.tenant_accuracy > state.model.shipped_accuracy
    body = boto3.client("s3").get_object(Bucket=refit_env["bucket"], Key=state.model.key)["Body"].read()
    assert SentimentModel.from_bytes(body).version == state.model.version
    assert sweeper.lambda_handler({}, FakeContext("SentimentRefitFunction"))["due"] == 0  # left the due index

    review = Review(tenant_id="acme", review_id="fresh", order_id="O-new", line_id="1", sku="MUG",
                    customer_id="cust-new", verified_buyer=True, delivered=True, status=ReviewStatus.PENDING,
                    content=Content(version=1, rating=5, text="这次也绝绝子", locale="zh-Hans", at=NOW),
                    created_at=NOW, updated_at=NOW)
    svc.review_store.create(review)
    consumer = load_handler("review_moderation")
    record = sqs_record({"detail-type": "review.submitted",
                         "detail": {"tenant_id": "acme", "review_id": "fresh", "content_version": 1}})
    assert consumer.lambda_handler({"Records": [record]}, FakeContext("ReviewModerationFunction")) == {
        "batchItemFailures": []}
    moderated = svc.review_store.get("acme", "fresh")
    assert moderated.status is ReviewStatus.PUBLISHED
    assert moderated.moderation.model_version == state.model.version
    assert svc.sentiment_refit_store.state("acme").rated_since_refit == 1
