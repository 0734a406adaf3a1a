"""List cursors are opaque, signed and bound to the listing that issued them."""

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.core.errors import InvalidRequest
from aftersales.http import cursors

LISTING = cursors.scope("tickets", "acme", "agent-1", None, "submitted")
POSITION = json.dumps({"gsi2pk": {"S": "acme#S#submitted"}, "sk": {"S": "HEADER"}})


def test_a_cursor_comes_back_as_the_position_it_was_issued_for():
    cursor = cursors.seal(LISTING, POSITION)
    assert POSITION not in cursor and "acme" not in cursor.split(".")[1]
    assert cursors.unseal(LISTING, cursor) == POSITION
    assert cursors.seal(LISTING, None) is None and cursors.unseal(LISTING, None) is None


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    _b64("[1, 2]"), _b64('"a string"'), _b64('{"junk": true}'), "not-base64!", "a.b.c", ".", "x.", ".x",
    _b64(POSITION),  # the old unsigned raw key
    _b64(POSITION) + "." + _b64("0" * 16),  # a made-up MAC
    "x" * 3000,
])
def test_anything_this_listing_did_not_issue_is_refused_at_query_cursor(cursor):
    with pytest.raises(InvalidRequest) as exc:
        cursors.unseal(LISTING, cursor)
    assert exc.value.details["field"] == "query.cursor"


def test_a_cursor_from_another_index_filter_tenant_or_caller_is_refused():
    cursor = cursors.seal(LISTING, POSITION)
    for other in (cursors.scope("tickets", "acme", "agent-1", None, None),  # another index
                  cursors.scope("tickets", "acme", "agent-1", "cust-1", "submitted"),
                  cursors.scope("tickets", "other", "agent-1", None, "submitted"),
                  cursors.scope("tickets", "acme", "agent-2", None, "submitted"),
                  cursors.scope("inbox.unmatched", "acme", "agent-1")):
        with pytest.raises(InvalidRequest):
            cursors.unseal(other, cursor)


def test_a_tampered_payload_is_refused():
    _payload, mac = cursors.seal(LISTING, POSITION).split(".")
    forged = _b64(POSITION.replace("submitted", "closed"))
    with pytest.raises(InvalidRequest):
        cursors.unseal(LISTING, f"{forged}.{mac}")


def test_none_and_empty_parts_do_not_collide():
    assert len({cursors.scope("a", None), cursors.scope("a", ""), cursors.scope("a", "\x00")}) == 3
    assert cursors.scope("a|b", "c") != cursors.scope("a", "b|c")


@given(st.text(max_size=300))
def test_any_text_is_a_position_or_a_refusal(text):
    try:
        assert isinstance(cursors.unseal(LISTING, text), str | None)
    except InvalidRequest as exc:
        assert exc.details["field"] == "query.cursor"
