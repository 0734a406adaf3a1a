"""Intake we cannot file yet is parked: kept under a key (the sender's identity, or the order a
Douyin event names) for the retention period, listed in the unmatched inbox, and replayed when
what it waits for arrives. A parked item that a replay files leaves a `matched` record, so an agent
who still has it on screen gets 409, not 404."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aws_lambda_powertools import Logger

from aftersales.channels import inbox
from aftersales.channels.intake import SYSTEM
from aftersales.channels.ports import ParkedItems
from aftersales.core.clock import Clock, iso
from aftersales.core.ids import new_id

logger = Logger(child=True)
MENTION = "mention:order:"  # inbox of pointers: parked messages that named an order we did not know


class Parking:
    def __init__(self, items: ParkedItems, clock: Clock, retention: timedelta = inbox.PARKED_RETENTION) -> None:
        """`retention`: how long parked intake (and the record of how it left) is kept."""
        self._items, self._clock, self._retention = items, clock, retention

    def new_item(self, *, channel: str, author: str, body: str, external_id: str, **extra: Any) -> dict[str, Any]:
        """A parked item's document, stamped now, with the message id the inbox lists it by."""
        now = self._clock.now()
        return {"message_id": new_id("msg", now), "at": iso(now), "channel": channel, "author": author,
                "body": body, "external_id": external_id, **extra}

    def park(self, tenant_id: str, key: str, item: dict[str, Any], order_numbers: tuple[str, ...] = ()) -> None:
        """Park a listed item under `key`; an order number the message named (but we do not know yet)
        gets a pointer, so the order's arrival replays `key`'s inbox. Both expire together."""
        expires = inbox.expires_epoch(item["at"], self._retention)
        self._items.park(tenant_id, key, item, expires_at=expires, listed=True)
        for number in order_numbers:
            self._items.park(tenant_id, f"{MENTION}{number}", {"message_id": item["message_id"], "at": item["at"],
                                                               "identity_key": key}, expires_at=expires)

    def parked(self, tenant_id: str, key: str) -> list[dict[str, Any]]:
        """The items parked under `key`, oldest first."""
        return self._items.parked(tenant_id, key)

    def update(self, tenant_id: str, key: str, external_id: str, **changes: Any) -> None:
        """Save the item of `external_id` parked under `key` again with `changes` (its expiry stays)."""
        for item in self._items.parked(tenant_id, key):
            if item.get("external_id") == external_id:
                self._items.park(tenant_id, key, {**item, **changes}, listed=True,
                                 expires_at=inbox.expires_epoch(item["at"], self._retention))

    def mentions(self, tenant_id: str, order_id: str) -> list[dict[str, Any]]:
        """Pointers to the keys whose parked messages named `order_id` (`identity_key`)."""
        return self._items.parked(tenant_id, f"{MENTION}{order_id}")

    def mention_replayed(self, tenant_id: str, order_id: str, pointer: dict[str, Any]) -> None:
        self._items.unpark(tenant_id, f"{MENTION}{order_id}", pointer)

    def matched(self, tenant_id: str, key: str, item: dict[str, Any], ticket_id: str | None) -> None:
        """A replay filed the item: it leaves the inbox with a `matched` record. When an agent's
        resolution caused the replay, the agent's record is already there and stays."""
        self._items.unpark(tenant_id, key, item)
        now = self._clock.now()
        try:
            self._items.settle(tenant_id, item["message_id"], inbox.Settlement(
                item_id=item["message_id"], action="matched", at=iso(now), by=SYSTEM.id, ticket_id=ticket_id,
                channel=item.get("channel")).record(), int((now + self._retention).timestamp()))
        except Exception:  # only a nicer answer for agents: never fail (and redeliver) filed intake for it
            logger.warning("matched item not recorded", extra={"tenant_id": tenant_id, "item_id": item["message_id"]})
