"""GET /sentiment/model (staff) and POST /sentiment/model/refit (admin) through the API function
under moto: the shipped model before any refit, a refit now that wins, its status and history."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest

from aftersales import wiring
from tests.support.tenant_reviews import generic_reviews, slang_reviews, store_published

NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)


@pytest.fixture
def rig(aws, api, demo):
    boto3.client("s3").create_bucket(Bucket=aws.functions["ApiFunction"].environment["SENTIMENT_MODELS_BUCKET"])
    return {"api": api, "creds": demo["acme"], "other": demo["other"]}


def test_before_any_refit_the_shipped_model_reads_the_tenants_reviews(rig):
    found = rig["api"].request("GET", "/sentiment/model", headers=rig["creds"]["agent"])
    assert found.status == 200, found.body
    assert found.body["current"]["source"] == "shipped"
    assert found.body["current"]["version"] == found.body["shipped_version"]
    assert (found.body["rated_since_refit"], found.body["last_refit"], found.body["history"]) == (0, None, [])


def test_only_staff_see_the_status_and_only_an_admin_refits(rig):
    api, creds = rig["api"], rig["creds"]
    assert api.request("GET", "/sentiment/model", headers=creds["cust-1"]).status == 403
    assert api.request("GET", "/sentiment/model", headers=creds["key"]).status == 403
    refused = api.request("POST", "/sentiment/model/refit", headers=creds["supervisor"])
    assert refused.status == 403 and refused.body["error"]["details"]["required"] == ["admin"]


def test_an_admins_refit_now_wins_on_the_tenants_words_and_shows_in_the_status(rig):
    """GIVEN 120 published reviews in the tenant's own words WHEN an admin asks for a refit THEN the
    answer names the refit that won with both accuracies, the status shows it current, and the other
    tenant still reads with the shipped model."""
    api, creds = rig["api"], rig["creds"]
    store_published(wiring.services().review_store, "acme", slang_reviews(), NOW)
    done = api.request("POST", "/sentiment/model/refit", headers=creds["admin"] | {"Idempotency-Key": "refit-1"})
    assert done.status == 200, done.body
    refit = done.body["refit"]
    assert refit["winner"] == "tenant" and refit["trigger"] == "admin" and refit["reviews_read"] == 120
    assert refit["tenant_accuracy"] > refit["shipped_accuracy"] and "key" not in refit
    assert done.body["current"] == {"source": "tenant", "version": refit["candidate_version"],
                                    "shipped_accuracy": refit["shipped_accuracy"],
                                    "tenant_accuracy": refit["tenant_accuracy"], "trained_on": refit["trained_on"],
                                    "held_back": refit["held_back"], "at": done.body["current"]["at"]}
    again = api.request("POST", "/sentiment/model/refit", headers=creds["admin"] | {"Idempotency-Key": "refit-1"})
    assert again.body == done.body  # the same key: the same refit, not a second one
    status = api.request("GET", "/sentiment/model", headers=creds["supervisor"]).body
    assert status["current"]["version"] == refit["candidate_version"] and len(status["history"]) == 1
    assert status["last_refit"] == refit
    other = api.request("GET", "/sentiment/model", headers=rig["other"]["agent"]).body
    assert other["current"]["source"] == "shipped"


def test_a_refit_that_does_not_win_keeps_the_shipped_model(rig):
    api, creds = rig["api"], rig["creds"]
    store_published(wiring.services().review_store, "acme", generic_reviews(copies=5), NOW)  # 20 reviews
    done = api.request("POST", "/sentiment/model/refit", headers=creds["admin"])
    assert done.status == 200 and done.body["refit"]["winner"] == "shipped"
    assert done.body["current"]["source"] == "shipped" and done.body["history"][0]["winner"] == "shipped"
