"""The helpdesk sync's pure rules: what goes out, status maps, loop prevention, the conflict rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.helpdesks import domain
from aftersales.helpdesks.model import InboundComment, Link, Vendor
from aftersales.tickets.model import Status

AT = "2026-12-03T09:00:00.000Z"
T = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _detail(event: str, *, data=None, from_status="investigating", to_status="investigating") -> dict:
    return {"tenant_id": "acme", "ticket_id": "tkt_1", "seq": 4, "event": event, "from_status": from_status,
            "to_status": to_status, "at": AT, "data": data or {}, "dedup_key": "tkt_1#4"}


def test_creation_replies_and_visible_status_changes_go_out_each_as_one_kind():
    # GIVEN our ticket events  WHEN planned for Zendesk  THEN creation, a public reply, a status change
    created = domain.plan(_detail("ticket.created", from_status=None, to_status="submitted"), Vendor.ZENDESK)
    reply = domain.plan(_detail("ticket.agent_replied", data={"message_id": "msg_1"}), Vendor.ZENDESK)
    note = domain.plan(_detail("ticket.internal_note", data={"message_id": "msg_2"}), Vendor.ZENDESK)
    solved = domain.plan(_detail("ticket.resolved", to_status="resolved"), Vendor.ZENDESK)
    assert (created.kind, created.status, created.key) == ("create", "submitted", "tkt_1#4#zendesk")
    assert (reply.kind, reply.message_id, reply.public) == ("comment", "msg_1", True)
    assert (note.kind, note.public) == ("comment", False)
    assert (solved.kind, solved.status) == ("status", "resolved")


def test_a_status_change_invisible_to_the_vendor_and_other_events_are_not_sent():
    # approved -> awaiting_return is "open" there before and after
    moved = _detail("ticket.return_requested", from_status="approved", to_status="awaiting_return")
    assert domain.plan(moved, Vendor.ZENDESK) is None
    assert domain.plan(_detail("ticket.assigned"), Vendor.FRESHDESK) is None
    assert domain.plan(_detail("ticket.customer_replied", data={"message_id": "m"}), Vendor.ZENDESK) is None


@pytest.mark.parametrize("vendor", list(Vendor))
def test_a_change_that_came_from_a_vendor_is_never_sent_back_to_it(vendor):
    # GIVEN a status change we applied from the vendor (origin in the audit entry's data)
    detail = _detail("ticket.resolved", to_status="resolved", data={"origin": vendor.value})
    # THEN it is not planned for that vendor, but it is for the other one
    other = next(v for v in Vendor if v is not vendor)
    assert domain.plan(detail, vendor) is None
    assert domain.plan(detail, other).kind == "status"


def test_our_own_sync_notes_are_never_sent():
    for event in domain.SYNC_EVENTS:
        assert domain.plan(_detail(event, data={"message_id": "m"}), Vendor.ZENDESK) is None


def test_statuses_map_to_each_vendors_values_and_back():
    assert domain.vendor_status(Vendor.ZENDESK, Status.WAITING_CUSTOMER) == "pending"
    assert domain.vendor_status(Vendor.ZENDESK, Status.RESOLVED) == "solved"
    assert domain.vendor_status(Vendor.ZENDESK, Status.CANCELLED) == "closed"
    assert domain.vendor_status(Vendor.ZENDESK, Status.INSPECTING) == "open"
    assert domain.vendor_status(Vendor.FRESHDESK, Status.RESOLVED) == 4
    assert domain.vendor_status(Vendor.FRESHDESK, Status.INVESTIGATING) == 2
    assert domain.inbound_targets(Vendor.ZENDESK, "solved") == (Status.RESOLVED,)
    assert domain.inbound_targets(Vendor.FRESHDESK, "5") == (Status.CLOSED, Status.RESOLVED)
    assert domain.inbound_targets(Vendor.ZENDESK, "hold") == ()


@given(st.integers(-10_000, 10_000))
def test_the_later_source_time_wins_and_a_tie_keeps_ours(seconds):
    theirs = T + timedelta(seconds=seconds)
    assert domain.resolve(T, theirs) == ("theirs" if seconds > 0 else "ours")
    assert domain.resolve(None, theirs) == "theirs"


def test_only_public_comments_new_to_both_sides_come_in_oldest_first():
    link = Link(tenant_id="acme", ticket_id="tkt_1", vendor=Vendor.ZENDESK, external_id="9",
                sent_comment_ids=["c-ours"], received_comment_ids=["c-old"])

    def comment(cid, *, public=True, minutes=0, body="hi"):
        return InboundComment(comment_id=cid, body=body, public=public, author_id="a",
                              at=T + timedelta(minutes=minutes))

    fresh = domain.new_comments(link, [comment("c-2", minutes=2), comment("c-ours"), comment("c-old"),
                                       comment("c-private", public=False), comment("c-1", minutes=1),
                                       comment("c-blank", body="  ")])
    assert [c.comment_id for c in fresh] == ["c-1", "c-2"]


def test_remembered_ids_keep_the_newest():
    assert domain.remember(["a", "b"], ["b", "c"], keep=2) == ["b", "c"]
