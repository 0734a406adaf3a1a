"""The request-body guard before the resolver: 413 / 415 / 400 for bodies no route should parse."""

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.http.request_body import MAX_DEPTH, refusal

LIMIT = 262_144


def event(body, content_type="application/json", method="POST", b64=False):
    headers = {"Content-Type": content_type} if content_type else {}
    return {"httpMethod": method, "headers": headers, "body": body, "isBase64Encoded": b64}


@pytest.mark.parametrize("body,content_type,method", [
    ('{"a": 1}', "application/json", "POST"),
    ('{"a": 1}', "application/json; charset=utf-8", "PUT"),
    ('{"a": 1}', None, "POST"),  # no Content-Type: read as JSON, as the resolver does
    (None, "multipart/form-data", "GET"),  # a read with a stray header and no body
    (None, None, "POST"),  # an empty POST (e.g. publish)
    ("[" * MAX_DEPTH + "]" * MAX_DEPTH, "application/json", "POST"),
    ('"\\ud83d\\ude00"', "application/json", "POST"),  # an escaped surrogate pair is one emoji
])
def test_json_the_routes_can_take_passes(body, content_type, method):
    assert refusal(event(body, content_type, method), LIMIT) is None


@pytest.mark.parametrize("body,content_type,status,code", [
    ('{"a": 1}', "multipart/form-data", 415, "unsupported_media_type"),  # no boundary: was a 502
    (None, "multipart/form-data", 415, "unsupported_media_type"),
    ('a=1', "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ('{"a": 1}', "text/plain", 415, "unsupported_media_type"),
    ('{"a": 1}', "application/json; charset=latin-1", 415, "unsupported_media_type"),
    ("[" * 100_000 + "]" * 100_000, "application/json", 400, "json_too_deep"),  # was a RecursionError
    ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "application/json", 400, "json_too_deep"),
    ('{"a": {"b": ' * 20 + "1" + "}}" * 20, "application/json", 400, "json_too_deep"),
    ('{"a": NaN}', "application/json", 400, "malformed_json"),
    ('{"a": 1e400}', "application/json", 400, "malformed_json"),
    ('{"a": 9223372036854775808}', "application/json", 400, "malformed_json"),
    ('{"a": 1, "a": 2}', "application/json", 400, "malformed_json"),
    ('{"a": "\\ud800"}', "application/json", 400, "malformed_json"),
    ("{not json", "application/json", 400, "malformed_json"),
    ("1" * 5000, "application/json", 400, "malformed_json"),  # past Python's int digit limit
    ("x" * (LIMIT + 1), "application/json", 413, "payload_too_large"),
])
def test_bodies_no_route_should_parse_are_refused(body, content_type, status, code):
    refused = refusal(event(body, content_type), LIMIT)
    assert (refused.status, refused.code) == (status, code)


def test_a_body_that_is_not_utf8_is_400_not_a_decode_crash():
    # GIVEN bytes that are not UTF-8, delivered base64-encoded as API Gateway does for binary bodies
    raw = base64.b64encode(b'{"description": "\xff\xfe"}').decode()
    # WHEN screened THEN 400 body_not_utf8
    assert refusal(event(raw, b64=True), LIMIT).code == "body_not_utf8"
    assert refusal(event("***", b64=True), LIMIT).code == "malformed_body"
    assert refusal(event(base64.b64encode(b'{"a": 1}').decode(), b64=True), LIMIT) is None


@given(st.recursive(st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children,
                                                                                       max_size=4),
                    max_leaves=30))
def test_any_shallow_json_document_passes(document):
    text = json.dumps(document)
    if text.count("[") + text.count("{") <= MAX_DEPTH:  # depth is at most the bracket count
        assert refusal(event(text), LIMIT) is None


@given(st.binary(max_size=200))
def test_arbitrary_bytes_get_an_answer_never_an_exception(data):
    refused = refusal(event(base64.b64encode(data).decode(), b64=True), LIMIT)
    assert refused is None or refused.status in (400, 413, 415)
