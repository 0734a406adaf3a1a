"""Statuses the API answers are the ones its published OpenAPI document lists for the operation
(found by the schemathesis run, tests/e2e/test_api_fuzz_on_local_stack.py; pinned here in-process)."""

from __future__ import annotations

import json

import pytest

from tests.support.lambdas import FakeContext


@pytest.fixture
def document(api) -> dict:
    event = {"resource": "/openapi.json", "path": "/openapi.json", "httpMethod": "GET", "headers": {},
             "multiValueHeaders": {}, "queryStringParameters": None, "multiValueQueryStringParameters": None,
             "pathParameters": None, "stageVariables": None, "requestContext": {"requestId": "r", "stage": "v1"},
             "body": None, "isBase64Encoded": False}
    return json.loads(api.api.lambda_handler(event, FakeContext("api"))["body"])


def test_issuing_an_api_key_answers_the_documented_201(api, demo, document):
    """GIVEN an admin WHEN issuing an API key THEN 201, and 201 (not 200) is what the document lists."""
    reply = api.request("POST", "/api-keys", {"name": "erp", "scopes": ["storefront"]}, demo["acme"]["admin"])
    assert reply.status == 201, reply
    assert set(document["paths"]["/api-keys"]["post"]["responses"]) >= {"201"}
    assert "200" not in document["paths"]["/api-keys"]["post"]["responses"]


def test_the_sla_policy_before_one_is_saved_answers_the_documented_404(api, demo, document):
    """GIVEN a tenant that never saved an SLA policy WHEN reading it THEN 404, documented for the operation."""
    reply = api.request("GET", "/sla/policy", headers=demo["acme"]["supervisor"])
    assert reply.status == 404 and reply.body["error"]["code"] == "not_found"
    assert "404" in document["paths"]["/sla/policy"]["get"]["responses"]
    assert "404" not in document["paths"]["/tickets"]["get"]["responses"]
