"""DynamoDB adapters of the channels context.

channels table (every key starts with the tenant):
  <t>#IDX#<key>                 IDX       aggregation / thread / platform-aftersale -> ticket id
  <t>#DEDUP#<source>#<id>       DEDUP     provider message ids already handled (TTL expires_at)
  <t>#BODY#<source>#<digest>    BODY      a provider body as received (the Douyin push, for its intake
                                          worker; TTL expires_at)
  <t>#ID#<identity key>         LINK      identity -> the merchant's customer id
  <t>#CUST#<customer>           CONTACT#<channel>   how to reach the customer (+ locale)
  <t>#INBOX#<identity key>      MSG#<at>#<id>       messages we could not attach to an order yet
                                                    (TTL expires_at; listed ones carry gsi1pk/gsi1sk)
  <t>#UNMATCHED#<item id>       SETTLED   who filed / dismissed a listed item, when, why (TTL expires_at)
  <t>#SETTINGS                  <name>    integration secrets/config (carriers, WeCom, Douyin)
  <t>#KFCURSOR#<open_kfid>      CURSOR    where kf/sync_msg of a 微信客服 account stopped (next_cursor)
  gsi1 (sparse unmatched inbox): gsi1pk = <t>#UNMATCHED, gsi1sk = <item id> (msg_<ULID>, so newest
  first is a descending query); only parked messages an agent may act on are indexed, never the
  order-mention pointers or any other item.
tickets table: conversation items under the ticket's partition, sk = MSG#<at>#<id>; "MSG#" sorts
after "LOG" so the header+lines read (sk < "LOG") is untouched.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from pynamodb.attributes import BinaryAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from aftersales.adapters.dynamo.conditions import condition_failed
from aftersales.adapters.dynamo.models import UNBOUND, ConversationMessageItem
from aftersales.adapters.dynamo.store import ticket_pk
from aftersales.channels.ports import ConversationItem


class UnmatchedIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class ChannelsItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    ref = UnicodeAttribute(null=True)  # ticket id or customer id the item points at
    doc = JSONAttribute(null=True)
    body = BinaryAttribute(null=True, legacy_encoding=False)
    expires_at = NumberAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    unmatched = UnmatchedIndex()


__all__ = ["ChannelsItem", "ConversationMessageItem", "DynamoConversationStore", "DynamoIntakeStore",
           "DynamoIntegrationSettings", "bind_channels"]


def bind_channels(table_name: str) -> None:
    if ChannelsItem.Meta.table_name != table_name:
        ChannelsItem.Meta.table_name = table_name  # PynamoDB reconnects when the name changes


def _put_once(item: ChannelsItem) -> bool:
    """Write the item unless its key exists: True when this call wrote it."""
    try:
        item.save(condition=ChannelsItem.pk.does_not_exist())
        return True
    except PutError as exc:
        if condition_failed(exc):
            return False
        raise



class DynamoIntakeStore:
    def claim(self, tenant_id: str, key: str, ticket_id: str) -> str | None:
        if _put_once(ChannelsItem(pk=f"{tenant_id}#IDX#{key}", sk="IDX", ref=ticket_id)):
            return None
        return self.lookup(tenant_id, key)

    def lookup(self, tenant_id: str, key: str) -> str | None:
        try:
            return ChannelsItem.get(f"{tenant_id}#IDX#{key}", "IDX", consistent_read=True).ref
        except ChannelsItem.DoesNotExist:
            return None

    def release(self, tenant_id: str, key: str, ticket_id: str) -> None:
        try:
            ChannelsItem(pk=f"{tenant_id}#IDX#{key}", sk="IDX").delete(condition=ChannelsItem.ref == ticket_id)
        except Exception as exc:  # someone else already re-pointed it: nothing to do
            if not getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
                raise

    def put_external_ref(self, tenant_id: str, ticket_id: str, platform: str, ref: dict[str, Any]) -> None:
        ChannelsItem(pk=f"{tenant_id}#EXT#{platform}#{ticket_id}", sk="EXT", ref=ticket_id, doc=ref).save()

    def external_ref(self, tenant_id: str, ticket_id: str, platform: str) -> dict[str, Any] | None:
        try:
            return ChannelsItem.get(f"{tenant_id}#EXT#{platform}#{ticket_id}", "EXT").doc
        except ChannelsItem.DoesNotExist:
            return None

    def kf_cursor(self, tenant_id: str, open_kfid: str) -> str | None:
        try:
            return ChannelsItem.get(f"{tenant_id}#KFCURSOR#{open_kfid}", "CURSOR", consistent_read=True).ref
        except ChannelsItem.DoesNotExist:
            return None

    def save_kf_cursor(self, tenant_id: str, open_kfid: str, cursor: str) -> None:
        ChannelsItem(pk=f"{tenant_id}#KFCURSOR#{open_kfid}", sk="CURSOR", ref=cursor).save()

    def first_seen(self, tenant_id: str, source: str, external_id: str, ttl_days: int = 30) -> bool:
        return _put_once(ChannelsItem(pk=f"{tenant_id}#DEDUP#{source}#{external_id}", sk="DEDUP",
                                      expires_at=int(time.time()) + ttl_days * 86400))

    def keep_body(self, tenant_id: str, source: str, body_id: str, body: bytes, ttl_days: int = 30) -> bool:
        return _put_once(ChannelsItem(pk=f"{tenant_id}#BODY#{source}#{body_id}", sk="BODY", body=body,
                                      expires_at=int(time.time()) + ttl_days * 86400))

    def kept_body(self, tenant_id: str, source: str, body_id: str) -> bytes | None:
        try:
            return ChannelsItem.get(f"{tenant_id}#BODY#{source}#{body_id}", "BODY", consistent_read=True).body
        except ChannelsItem.DoesNotExist:
            return None

    def forget_body(self, tenant_id: str, source: str, body_id: str) -> None:
        ChannelsItem(pk=f"{tenant_id}#BODY#{source}#{body_id}", sk="BODY").delete()

    def forget(self, tenant_id: str, source: str, external_id: str) -> None:
        ChannelsItem(pk=f"{tenant_id}#DEDUP#{source}#{external_id}", sk="DEDUP").delete()

    def customer_of(self, tenant_id: str, identity_key: str) -> str | None:
        try:
            return ChannelsItem.get(f"{tenant_id}#ID#{identity_key}", "LINK").ref
        except ChannelsItem.DoesNotExist:
            return None

    def link(self, tenant_id: str, customer_id: str, identity_keys: list[str]) -> None:
        with ChannelsItem.batch_write() as batch:
            for key in dict.fromkeys(identity_keys):
                batch.save(ChannelsItem(pk=f"{tenant_id}#ID#{key}", sk="LINK", ref=customer_id))

    def put_contact(self, tenant_id: str, customer_id: str, channel: str, address: str,
                    locale: str | None, details: Mapping[str, str] | None = None) -> None:
        ChannelsItem(pk=f"{tenant_id}#CUST#{customer_id}", sk=f"CONTACT#{channel}", ref=customer_id,
                     doc={**(details or {}), "address": address, "locale": locale}).save()

    def contacts(self, tenant_id: str, customer_id: str) -> dict[str, dict[str, Any]]:
        return {item.sk.removeprefix("CONTACT#"): item.doc or {}
                for item in ChannelsItem.query(f"{tenant_id}#CUST#{customer_id}",
                                               ChannelsItem.sk.startswith("CONTACT#"))}

    def park(self, tenant_id: str, identity_key: str, item: dict[str, Any], *, expires_at: int | None = None,
             listed: bool = False) -> None:
        entry = ChannelsItem(pk=f"{tenant_id}#INBOX#{identity_key}", sk=f"MSG#{item['at']}#{item['message_id']}",
                             doc=item, expires_at=expires_at)
        if listed:
            entry.gsi1pk, entry.gsi1sk = _unmatched_pk(tenant_id), item["message_id"]
        entry.save()

    def parked(self, tenant_id: str, identity_key: str) -> list[dict[str, Any]]:
        return [i.doc for i in ChannelsItem.query(f"{tenant_id}#INBOX#{identity_key}",
                                                  ChannelsItem.sk.startswith("MSG#"))]

    def unpark(self, tenant_id: str, identity_key: str, item: dict[str, Any] | None = None) -> None:
        """Forget one parked item (matched), or the whole inbox when `item` is None."""
        if item is not None:
            ChannelsItem(pk=f"{tenant_id}#INBOX#{identity_key}", sk=f"MSG#{item['at']}#{item['message_id']}").delete()
            return
        with ChannelsItem.batch_write() as batch:
            for parked in ChannelsItem.query(f"{tenant_id}#INBOX#{identity_key}",
                                             ChannelsItem.sk.startswith("MSG#")):
                batch.delete(parked)

    # ------------------------------------------------------------------ unmatched inbox (agents)
    def unmatched_page(self, tenant_id: str, *, before: str | None, limit: int, now_epoch: int
                       ) -> tuple[list[tuple[str, dict[str, Any], int]], str | None]:
        """Listed parked items below `before`, newest first: (item id, doc, expires_at), and the id
        the next page starts below (None at the end). Expired items TTL has not removed yet are skipped."""
        results = ChannelsItem.unmatched.query(
            _unmatched_pk(tenant_id), ChannelsItem.gsi1sk < before if before else None,
            scan_index_forward=False, limit=limit, filter_condition=ChannelsItem.expires_at > now_epoch)
        items = [(i.gsi1sk, i.doc or {}, int(i.expires_at)) for i in results]
        last = results.last_evaluated_key  # the raw key of the last item read (filtered or not)
        return items, last["gsi1sk"]["S"] if last else None

    def unmatched_item(self, tenant_id: str, item_id: str) -> tuple[str, dict[str, Any], int | None] | None:
        """(identity key, doc, expires_at) of a listed item that is still parked. The index finds the
        item's key; a consistent read of the item decides, as the index may lag a delete."""
        hit = next(iter(ChannelsItem.unmatched.query(_unmatched_pk(tenant_id), ChannelsItem.gsi1sk == item_id,
                                                     limit=1)), None)
        if hit is None:
            return None
        try:
            item = ChannelsItem.get(hit.pk, hit.sk, consistent_read=True)
        except ChannelsItem.DoesNotExist:
            return None
        if item.gsi1pk != _unmatched_pk(tenant_id):
            return None
        return (item.pk.removeprefix(f"{tenant_id}#INBOX#"), item.doc or {},
                int(item.expires_at) if item.expires_at is not None else None)

    def settle(self, tenant_id: str, item_id: str, record: dict[str, Any], expires_at: int, *,
               overwrite: bool = False) -> bool:
        """Record how a listed item left the inbox; without `overwrite`, only the first record wins."""
        item = ChannelsItem(pk=f"{tenant_id}#UNMATCHED#{item_id}", sk="SETTLED", doc=record, expires_at=expires_at)
        if overwrite:
            item.save()
            return True
        return _put_once(item)

    def settled(self, tenant_id: str, item_id: str) -> dict[str, Any] | None:
        try:
            return ChannelsItem.get(f"{tenant_id}#UNMATCHED#{item_id}", "SETTLED", consistent_read=True).doc
        except ChannelsItem.DoesNotExist:
            return None

    def unsettle(self, tenant_id: str, item_id: str) -> None:
        ChannelsItem(pk=f"{tenant_id}#UNMATCHED#{item_id}", sk="SETTLED").delete()


def _unmatched_pk(tenant_id: str) -> str:
    return f"{tenant_id}#UNMATCHED"


class DynamoIntegrationSettings:
    def get(self, tenant_id: str, name: str) -> dict[str, Any] | None:
        try:
            return ChannelsItem.get(f"{tenant_id}#SETTINGS", name).doc
        except ChannelsItem.DoesNotExist:
            return None

    def put(self, tenant_id: str, name: str, config: dict[str, Any]) -> None:
        ChannelsItem(pk=f"{tenant_id}#SETTINGS", sk=name, doc=config).save()

    def names(self, tenant_id: str) -> list[str]:
        return [i.sk for i in ChannelsItem.query(f"{tenant_id}#SETTINGS")]


class DynamoConversationStore:
    def add(self, tenant_id: str, item: ConversationItem) -> None:
        ConversationMessageItem(pk=ticket_pk(tenant_id, item.ticket_id), sk=f"MSG#{item.at}#{item.message_id}",
                                tenant_id=tenant_id, ticket_id=item.ticket_id,
                                doc=item.model_dump(mode="json")).save()

    def list(self, tenant_id: str, ticket_id: str) -> list[ConversationItem]:
        return [ConversationItem.model_validate(i.doc)
                for i in ConversationMessageItem.query(ticket_pk(tenant_id, ticket_id),
                                                       ConversationMessageItem.sk.startswith("MSG#"))]
