"""The one page-cursor codec and the one reading of a failed write that every Dynamo adapter uses."""

from __future__ import annotations

import base64
import json
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.adapters.dynamo.conditions import cancellation_reasons, condition_failed
from aftersales.adapters.dynamo.cursors import decode_cursor, encode_cursor
from aftersales.core.errors import InvalidRequest

keys = st.dictionaries(st.sampled_from(["pk", "sk", "gsi1pk", "gsi1sk"]),
                       st.fixed_dictionaries({"S": st.text(min_size=1, max_size=30)}), min_size=1)


@given(keys)
def test_a_cursor_reads_back_as_the_key_it_was_made_from(key):
    cursor = encode_cursor(key)
    assert cursor is not None and "=" not in cursor.rstrip("=")  # URL-safe alphabet, padding only at the end
    assert decode_cursor(cursor) == key


def test_no_key_is_no_cursor_and_no_cursor_is_the_first_page():
    assert encode_cursor(None) is None and encode_cursor({}) is None
    assert decode_cursor(None) is None and decode_cursor("") is None


@pytest.mark.parametrize("cursor", ["%%%", base64.urlsafe_b64encode(b"[1, 2]").decode(),
                                    base64.urlsafe_b64encode(b"\xff\xfe").decode(),
                                    base64.urlsafe_b64encode(b'"text"').decode()])
def test_a_cursor_that_is_not_ours_is_a_422_naming_the_field(cursor):
    with pytest.raises(InvalidRequest) as refused:
        decode_cursor(cursor, field="cursor")
    assert refused.value.details["field"] == "cursor"


def test_a_cursor_bound_to_a_listing_refuses_another_listings_position():
    mine = encode_cursor({"gsi1pk": {"S": "t1#OPEN"}, "gsi1sk": {"S": "2026"}})
    assert decode_cursor(mine, index_key="gsi1pk", value="t1#OPEN")["gsi1sk"] == {"S": "2026"}
    with pytest.raises(InvalidRequest):
        decode_cursor(mine, index_key="gsi1pk", value="t2#OPEN")  # another tenant's queue
    with pytest.raises(InvalidRequest):
        decode_cursor(encode_cursor({"pk": {"S": "x"}}), index_key="gsi1pk", value="t1#OPEN")


def _failure(cause=None, reasons=()):
    return SimpleNamespace(cause_response_code=cause,
                           cancellation_reasons=[None if r is None else SimpleNamespace(code=r) for r in reasons])


def test_a_failed_condition_is_told_from_a_fault():
    assert condition_failed(_failure("ConditionalCheckFailedException"))
    assert condition_failed(_failure("TransactionCanceledException", [None, "ConditionalCheckFailed"]))
    assert condition_failed(_failure(None, ["ConditionalCheckFailed"]))
    assert not condition_failed(_failure("ProvisionedThroughputExceededException"))
    assert not condition_failed(_failure("InternalServerError", [None, "ThrottlingError"]))
    assert not condition_failed(ValueError("no DynamoDB here"))


def test_cancellation_reasons_keep_the_order_of_the_transactions_actions():
    assert cancellation_reasons(_failure("TransactionCanceledException", [None, "ConditionalCheckFailed", None])) == [
        None, "ConditionalCheckFailed", None]
    assert cancellation_reasons(ValueError()) == []
    json.dumps(cancellation_reasons(_failure(reasons=["X"])))
