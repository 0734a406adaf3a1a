"""DynamoDB adapter of the automatic answers' knowledge base, in the channels table.

  <t>#KB    ENTRY#<entry id>    one entry (doc: the KbEntry; version: for conditional replace)

One partition per tenant: the bot's read is one Query of that partition (paged by PynamoDB; at most
answers.model.MAX_ENTRIES items), staff reads are by key. No Scan anywhere."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, PutError
from pynamodb.models import Model

from aftersales.adapters.dynamo.conditions import condition_failed
from aftersales.adapters.dynamo.models import UNBOUND
from aftersales.answers.model import KbEntry
from aftersales.core.errors import Conflict


class KnowledgeItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = JSONAttribute()
    version = NumberAttribute()


def bind_knowledge(table_name: str) -> None:
    if KnowledgeItem.Meta.table_name != table_name:
        KnowledgeItem.Meta.table_name = table_name  # PynamoDB reconnects when the name changes


def _pk(tenant_id: str) -> str:
    return f"{tenant_id}#KB"


def _sk(entry_id: str) -> str:
    return f"ENTRY#{entry_id}"


class DynamoKnowledgeStore:
    """The answers context's KnowledgeStore."""

    def entries(self, tenant_id: str) -> list[KbEntry]:
        return [KbEntry.model_validate(i.doc)
                for i in KnowledgeItem.query(_pk(tenant_id), KnowledgeItem.sk.startswith("ENTRY#"))]

    def get(self, tenant_id: str, entry_id: str) -> KbEntry | None:
        try:
            return KbEntry.model_validate(KnowledgeItem.get(_pk(tenant_id), _sk(entry_id)).doc)
        except KnowledgeItem.DoesNotExist:
            return None

    def put(self, tenant_id: str, entry: KbEntry, expected_version: int | None) -> None:
        condition = (KnowledgeItem.pk.does_not_exist() if expected_version is None
                     else KnowledgeItem.version == expected_version)
        try:
            KnowledgeItem(pk=_pk(tenant_id), sk=_sk(entry.entry_id), doc=entry.model_dump(mode="json"),
                          version=entry.version).save(condition=condition)
        except PutError as exc:
            if condition_failed(exc):
                raise Conflict("error.version_mismatch", expected=expected_version) from exc
            raise

    def delete(self, tenant_id: str, entry_id: str) -> bool:
        try:
            KnowledgeItem(pk=_pk(tenant_id), sk=_sk(entry_id)).delete(condition=KnowledgeItem.pk.exists())
            return True
        except DeleteError as exc:
            if condition_failed(exc):
                return False
            raise
