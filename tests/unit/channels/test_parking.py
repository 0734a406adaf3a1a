"""Parking: intake kept until it can be filed, listed for agents, expiring with the retention."""

from __future__ import annotations

from datetime import timedelta

from aftersales.channels.inbox import PARKED_RETENTION
from aftersales.channels.parking import MENTION, Parking
from tests.support.channels_fakes import FakeParkedItems


def _epoch(rig, after: timedelta) -> int:
    return int((rig.clock.now() + after).timestamp())


def test_a_parked_item_is_listed_and_the_orders_it_names_point_at_it(rig):
    # GIVEN a message naming an order we do not know yet
    item = rig.parking.new_item(channel="email", author="email:x", body="order SO-NEW-000001?", external_id="<a@x>",
                                subject="Where?")
    rig.parking.park("acme", "email::buyer@example.com", item, ("SO-NEW-000001",))
    # THEN it is listed under the sender, expiring after the retention; the order points at the sender
    (row,) = rig.items.unmatched_page("acme", before=None, limit=10, now_epoch=_epoch(rig, timedelta(0)))[0]
    assert row == (item["message_id"], item, _epoch(rig, PARKED_RETENTION))
    (pointer,) = rig.parking.mentions("acme", "SO-NEW-000001")
    assert pointer["identity_key"] == "email::buyer@example.com" and len(rig.items) == 1  # the pointer is unlisted
    rig.parking.mention_replayed("acme", "SO-NEW-000001", pointer)
    assert rig.items.parked("acme", f"{MENTION}SO-NEW-000001") == []


def test_saving_an_item_again_keeps_its_expiry(rig):
    item = rig.parking.new_item(channel="email", author="email:x", body="photo", external_id="<a@x>")
    rig.parking.park("acme", "email:unknown", item)
    rig.clock.advance(days=10)
    rig.parking.update("acme", "email:unknown", "<a@x>", attachments=[{"key": "k"}])
    _key, doc, expires = rig.items.unmatched_item("acme", item["message_id"])
    assert doc["attachments"] == [{"key": "k"}]
    assert expires == int((rig.clock.now() - timedelta(days=10) + PARKED_RETENTION).timestamp())


def test_a_matched_item_leaves_the_inbox_with_a_record(rig):
    item = rig.parking.new_item(channel="wecom", author="wecom:x", body="hi", external_id="m-1")
    rig.parking.park("acme", "platform_user:wecom:u", item)
    rig.parking.matched("acme", "platform_user:wecom:u", item, "tkt_1")
    assert item["message_id"] not in rig.items
    record = rig.items.settled("acme", item["message_id"])
    assert (record["action"], record["ticket_id"], record["by"]) == ("matched", "tkt_1", "system:channels")


class _NoRecords(FakeParkedItems):
    def settle(self, *args, **kwargs) -> bool:
        raise ConnectionError("table unavailable")


def test_a_record_that_cannot_be_written_never_fails_the_filed_intake(rig):
    parking = Parking(_NoRecords(), rig.clock)
    item = parking.new_item(channel="wecom", author="wecom:x", body="hi", external_id="m-1")
    parking.park("acme", "k", item)
    parking.matched("acme", "k", item, "tkt_1")  # no exception
    assert parking.parked("acme", "k") == []
