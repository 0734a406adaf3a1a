"""DynamoDB store of the media context (its own table, PynamoDB):

  <tenant>#MEDIA#<media id>     MEDIA         the item (doc), its status
  <tenant>#PHASH#<band>:<hex>   <media id>    one per hash bucket of a ready image: media id,
                                              customer id, full hash

A ready image is written with its four hash buckets in one transaction, conditional on the item
still being pending. Near-duplicate lookups Query one bucket partition each; nothing scans.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from aftersales.adapters.dynamo.conditions import condition_failed
from aftersales.adapters.dynamo.connection import transactions
from aftersales.adapters.dynamo.models import UNBOUND
from aftersales.core.errors import Conflict
from aftersales.media.domain import phash_bands
from aftersales.media.model import MediaItem, MediaStatus
from aftersales.media.ports import Similar

ITEM_SK = "MEDIA"
BATCH_GET_MAX = 100


class MediaTableItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    status = UnicodeAttribute(null=True)
    doc = JSONAttribute(null=True)
    media_id = UnicodeAttribute(null=True)
    customer_id = UnicodeAttribute(null=True)
    phash = UnicodeAttribute(null=True)


def bind(table_name: str) -> None:
    if MediaTableItem.Meta.table_name != table_name:
        MediaTableItem.Meta.table_name = table_name


def media_pk(tenant_id: str, media_id: str) -> str:
    return f"{tenant_id}#MEDIA#{media_id}"


def bucket_pk(tenant_id: str, bucket: str) -> str:
    return f"{tenant_id}#PHASH#{bucket}"



def _row(item: MediaItem) -> MediaTableItem:
    return MediaTableItem(media_pk(item.tenant_id, item.id), ITEM_SK, status=item.status.value,
                          doc=item.model_dump(mode="json"))


class DynamoMediaStore:
    def create(self, item: MediaItem) -> None:
        try:
            _row(item).save(condition=MediaTableItem.pk.does_not_exist())
        except PutError as exc:
            if condition_failed(exc):
                raise Conflict("media.exists", media_id=item.id) from exc
            raise

    def get(self, tenant_id: str, media_id: str) -> MediaItem | None:
        try:
            row = MediaTableItem.get(media_pk(tenant_id, media_id), ITEM_SK, consistent_read=True)
        except MediaTableItem.DoesNotExist:
            return None
        return MediaItem.model_validate(row.doc)

    def get_many(self, tenant_id: str, media_ids: list[str]) -> list[MediaItem | None]:
        found: dict[str, MediaItem] = {}
        unique = list(dict.fromkeys(media_ids))
        for start in range(0, len(unique), BATCH_GET_MAX):
            keys = [(media_pk(tenant_id, m), ITEM_SK) for m in unique[start:start + BATCH_GET_MAX]]
            for row in MediaTableItem.batch_get(keys, consistent_read=True):
                item = MediaItem.model_validate(row.doc)
                found[item.id] = item
        return [found.get(m) for m in media_ids]

    def settle(self, item: MediaItem) -> None:
        phash = item.metadata.phash if item.metadata else None
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.save(_row(item), condition=MediaTableItem.status == MediaStatus.PENDING.value)
                if item.status is MediaStatus.READY and phash:
                    for bucket in phash_bands(phash):
                        tx.save(MediaTableItem(bucket_pk(item.tenant_id, bucket), item.id, media_id=item.id,
                                               customer_id=item.customer_id, phash=phash))
        except TransactWriteError as exc:
            if condition_failed(exc):
                raise Conflict("media.already_checked", media_id=item.id) from exc
            raise

    def similar(self, tenant_id: str, bucket: str, *, limit: int) -> list[Similar]:
        rows = MediaTableItem.query(bucket_pk(tenant_id, bucket), limit=limit)
        return [Similar(media_id=r.media_id, customer_id=r.customer_id, phash=r.phash) for r in rows]
