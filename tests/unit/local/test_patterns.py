"""EventBridge-style filter patterns as Lambda applies them to stream and SQS records."""

from __future__ import annotations

import pytest

from infra.local.patterns import matches, matches_any, sqs_filter_view

AUDIT_INSERT = {"eventName": "INSERT", "dynamodb": {"NewImage": {"kind": {"S": "audit"}, "n": {"N": "5"}}}}
PUBLISHER = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"kind": {"S": ["audit"]}}}}


@pytest.mark.parametrize(
    ("pattern", "event", "expected"),
    [
        (PUBLISHER, AUDIT_INSERT, True),
        (PUBLISHER, {**AUDIT_INSERT, "eventName": "MODIFY"}, False),
        (PUBLISHER, {"eventName": "INSERT", "dynamodb": {"NewImage": {"kind": {"S": "note"}}}}, False),
        (PUBLISHER, {"eventName": "REMOVE", "dynamodb": {"OldImage": {}}}, False),
        ({"eventName": [{"prefix": "INS"}]}, AUDIT_INSERT, True),
        ({"eventName": [{"anything-but": ["INSERT", "MODIFY"]}]}, AUDIT_INSERT, False),
        ({"eventName": [{"anything-but": "REMOVE"}]}, AUDIT_INSERT, True),
        ({"eventName": [{"anything-but": {"prefix": "IN"}}]}, AUDIT_INSERT, False),
        ({"dynamodb": {"OldImage": [{"exists": False}]}}, AUDIT_INSERT, True),
        ({"dynamodb": {"NewImage": [{"exists": True}]}}, AUDIT_INSERT, True),
        ({"dynamodb": {"OldImage": [{"exists": True}]}}, AUDIT_INSERT, False),
        ({"x": [None]}, {"x": None}, True),
        ({"n": [{"numeric": [">", 3, "<=", 5]}]}, {"n": 5}, True),
        ({"n": [{"numeric": [">", 5]}]}, {"n": 5}, False),
        ({"tags": ["b"]}, {"tags": ["a", "b"]}, True),
        ({"n": [5]}, {"n": "5"}, False),  # types matter
    ],
)
def test_matches(pattern, event, expected):
    assert matches(pattern, event) is expected


def test_no_filters_pass_everything_and_filters_are_ored():
    assert matches_any([], {"anything": 1})
    assert matches_any([{"a": ["x"]}, {"a": ["y"]}], {"a": "y"})
    assert not matches_any([{"a": ["x"]}], {"a": "y"})


def test_sqs_body_is_filtered_as_json():
    record = {"messageId": "1", "body": '{"type": "refund", "amount": 3}'}
    assert matches({"body": {"type": ["refund"]}}, sqs_filter_view(record))
    assert not matches({"body": {"type": ["refund"]}}, sqs_filter_view({"body": "plain text"}))
