"""The DynamoDB store of every per-tenant versioned document (core.drafts): the approval policy and
the intake rules in the money table, the moderation settings in the moderation table.

  <tenant>#<kind key>   DRAFT       doc, version = the draft's revision
                        PUBLISHED   doc, version = the published version
                        V#<n:06d>   doc                                   immutable once written

DRAFT is optimistic on its revision; publishing writes the version and moves PUBLISHED forward in
one transaction. The version list is one Query on the tenant's partition (keys only), never a Scan.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Generic

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, PynamoDBException, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from aftersales.adapters.dynamo.conditions import condition_failed
from aftersales.adapters.dynamo.connection import transactions
from aftersales.core.drafts import D, DraftKind
from aftersales.core.errors import ConcurrentModification, Conflict, Unavailable

VERSION_PREFIX = "V#"


class DraftItem(Model):
    """The item shape; each table gets its own subclass bound to its name (items_in)."""

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = JSONAttribute(null=True)
    version = NumberAttribute(null=True)


@lru_cache(maxsize=8)
def items_in(table_name: str) -> type[DraftItem]:
    """The item model bound to one table, made on first use (PynamoDB binds a model class to one table)."""

    class Meta:
        pass

    Meta.table_name = table_name  # type: ignore[attr-defined]
    return type("DraftItem", (DraftItem,), {"Meta": Meta})



class DynamoDraftStore(Generic[D]):
    """core.drafts.DraftStore for one kind of document in one table."""

    def __init__(self, kind: DraftKind[D], table_name: str) -> None:
        self._kind = kind
        self._table_name = table_name

    def published(self, tenant_id: str) -> D | None:
        item = self._get(tenant_id, "PUBLISHED")
        return self._kind.parse(item.doc) if item else None

    def draft(self, tenant_id: str) -> tuple[D, int] | None:
        item = self._get(tenant_id, "DRAFT")
        return (self._kind.parse(item.doc), int(item.version)) if item else None

    def version(self, tenant_id: str, version: int) -> D | None:
        if version < 0:
            return None
        item = self._get(tenant_id, _version_key(version))
        return self._kind.parse(item.doc) if item else None

    def versions(self, tenant_id: str, limit: int) -> list[int]:
        items = self._items()
        try:
            found = items.query(self._pk(tenant_id), items.sk.startswith(VERSION_PREFIX), scan_index_forward=False,
                                limit=limit, attributes_to_get=["pk", "sk"])
            return [int(item.sk.removeprefix(VERSION_PREFIX)) for item in found]
        except PynamoDBException as exc:
            raise Unavailable(self._kind.message("store_unavailable")) from exc

    def put_draft(self, document: D, expected_revision: int | None) -> int:
        items = self._items()
        revision = (expected_revision or 0) + 1
        item = items(self._pk(document.tenant_id), "DRAFT", doc=document.model_dump(mode="json"), version=revision)
        condition = items.pk.does_not_exist() if expected_revision is None else items.version == expected_revision
        try:
            item.save(condition=condition)
        except PutError as exc:
            if condition_failed(exc):
                raise ConcurrentModification("error.concurrent_modification") from exc
            raise Unavailable(self._kind.message("store_unavailable")) from exc
        return revision

    def save(self, document: D) -> None:
        items = self._items()
        pk = self._pk(document.tenant_id)
        doc = document.model_dump(mode="json")
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.save(items(pk, _version_key(document.version), doc=doc), condition=items.pk.does_not_exist())
                if document.status == "published":
                    tx.save(items(pk, "PUBLISHED", doc=doc, version=document.version),
                            condition=items.pk.does_not_exist() | (items.version < document.version))
        except TransactWriteError as exc:
            if condition_failed(exc):
                raise Conflict(self._kind.message("version_exists"), version=document.version) from exc
            raise Unavailable(self._kind.message("store_unavailable")) from exc

    def _items(self) -> type[DraftItem]:
        return items_in(self._table_name)

    def _pk(self, tenant_id: str) -> str:
        return f"{tenant_id}#{self._kind.key}"

    def _get(self, tenant_id: str, sk: str) -> DraftItem | None:
        items = self._items()
        try:
            return items.get(self._pk(tenant_id), sk, consistent_read=True)
        except items.DoesNotExist:
            return None
        except PynamoDBException as exc:
            raise Unavailable(self._kind.message("store_unavailable")) from exc


def _version_key(version: int) -> str:
    return f"{VERSION_PREFIX}{version:06d}"
