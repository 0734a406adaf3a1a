"""The sentiment refit's resources in template.yaml, as SAM and the local stack read them: the
hourly function with its tables and bucket, the sparse keys-only due index, and the functions that
read tenants' models (consumer, API) pointed at the same table and bucket."""

from __future__ import annotations

import pytest

from tests.support.environment import ROOT

pytestmark = pytest.mark.infra


@pytest.fixture(scope="module")
def resources() -> dict:
    from infra.local.cfn import load_yaml

    return load_yaml((ROOT / "template.yaml").read_text())["Resources"]


def _policy_targets(function: dict) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for policy in function["Properties"]["Policies"]:
        for name, spec in policy.items() if isinstance(policy, dict) else ():
            if isinstance(spec, dict):
                ref = spec.get("TableName") or spec.get("BucketName")
                if isinstance(ref, dict) and "Ref" in ref:
                    found.setdefault(name, set()).add(ref["Ref"])
    return found


def test_the_refit_function_runs_hourly_alone_with_its_table_bucket_and_the_reviews_it_reads(resources):
    fn = resources["SentimentRefitFunction"]["Properties"]
    assert fn["CodeUri"] == "functions/sentiment_refit/" and fn["ReservedConcurrentExecutions"] == 1
    [event] = fn["Events"].values()
    assert event["Type"] == "Schedule" and event["Properties"]["Schedule"] == "rate(1 hour)"
    assert fn["Environment"]["Variables"] == {"REVIEWS_TABLE": {"Ref": "ReviewsTable"},
                                              "SENTIMENT_TABLE": {"Ref": "SentimentTable"},
                                              "SENTIMENT_MODELS_BUCKET": {"Ref": "SentimentModelsBucket"}}
    policies = _policy_targets(resources["SentimentRefitFunction"])
    assert policies == {"DynamoDBReadPolicy": {"ReviewsTable"}, "DynamoDBCrudPolicy": {"SentimentTable"},
                        "S3CrudPolicy": {"SentimentModelsBucket"}}


def test_the_due_index_is_sparse_and_keys_only(resources):
    table = resources["SentimentTable"]["Properties"]
    [index] = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "gsi1" and index["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["gsi1pk", "gsi1sk"]
    bucket = resources["SentimentModelsBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())


@pytest.mark.parametrize("function, s3_policy", [("ReviewModerationFunction", "S3ReadPolicy"),
                                                 ("ApiFunction", "S3CrudPolicy")])
def test_the_consumer_and_the_api_read_tenants_models(resources, function, s3_policy):
    props = resources[function]["Properties"]
    variables = props["Environment"]["Variables"]
    assert variables["SENTIMENT_TABLE"] == {"Ref": "SentimentTable"}
    assert variables["SENTIMENT_MODELS_BUCKET"] == {"Ref": "SentimentModelsBucket"}
    policies = _policy_targets(resources[function])
    assert "SentimentTable" in policies["DynamoDBCrudPolicy"] and "SentimentModelsBucket" in policies[s3_policy]


def test_the_local_stack_runs_the_schedule_and_creates_the_table_and_bucket():
    from infra.local.template import load_model

    model = load_model(ROOT / "template.yaml", stack_name="local")
    [schedule] = [s for s in model.schedules if s.target.ref == "SentimentRefitFunction"]
    assert schedule.expression == "rate(1 hour)" and schedule.enabled
    assert "SentimentTable" in model.tables and "SentimentModelsBucket" in model.buckets
    env = model.functions["SentimentRefitFunction"].environment
    assert env["SENTIMENT_MODELS_BUCKET"] == model.buckets["SentimentModelsBucket"].name
