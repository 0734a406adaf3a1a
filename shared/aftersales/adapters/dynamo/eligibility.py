"""DynamoDB store of the intake rules, in the money table beside the approval policy:

  <tenant>#INTAKE_RULES   DRAFT | PUBLISHED | V#<version:06d>

Versions are immutable once written; DRAFT is the one editable document (optimistic on its
revision); publishing writes the version and moves PUBLISHED in one transaction. Nothing scans.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from aftersales.adapters.dynamo.connection import transactions
from aftersales.adapters.dynamo.models import UNBOUND
from aftersales.core.errors import ConcurrentModification, Conflict
from aftersales.eligibility.rules import IntakeRules

CONDITIONAL = ("ConditionalCheckFailedException", "TransactionCanceledException")


class RulesItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = JSONAttribute(null=True)
    version = NumberAttribute(null=True)


def bind(table_name: str) -> None:
    if RulesItem.Meta.table_name != table_name:
        RulesItem.Meta.table_name = table_name  # PynamoDB reconnects when the name changes


def _conditional(exc: PutError | TransactWriteError) -> bool:
    if getattr(exc, "cause_response_code", None) in CONDITIONAL:
        return True
    return any(r is not None and r.code == "ConditionalCheckFailed" for r in (
        getattr(exc, "cancellation_reasons", None) or []))


def _pk(tenant_id: str) -> str:
    return f"{tenant_id}#INTAKE_RULES"


def _get(tenant_id: str, sk: str) -> RulesItem | None:
    try:
        return RulesItem.get(_pk(tenant_id), sk, consistent_read=True)
    except RulesItem.DoesNotExist:
        return None


class DynamoRulesStore:
    def published(self, tenant_id: str) -> IntakeRules | None:
        item = _get(tenant_id, "PUBLISHED")
        return IntakeRules.model_validate(item.doc) if item else None

    def draft(self, tenant_id: str) -> tuple[IntakeRules, int] | None:
        item = _get(tenant_id, "DRAFT")
        return (IntakeRules.model_validate(item.doc), int(item.version)) if item else None

    def put_draft(self, rules: IntakeRules, expected_revision: int | None) -> int:
        revision = (expected_revision or 0) + 1
        item = RulesItem(_pk(rules.tenant_id), "DRAFT", doc=rules.model_dump(mode="json"), version=revision)
        condition = (RulesItem.pk.does_not_exist() if expected_revision is None
                     else RulesItem.version == expected_revision)
        try:
            item.save(condition=condition)
        except PutError as exc:
            if _conditional(exc):
                raise ConcurrentModification("error.concurrent_modification") from exc
            raise
        return revision

    def save(self, rules: IntakeRules) -> None:
        doc = rules.model_dump(mode="json")
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.save(RulesItem(_pk(rules.tenant_id), f"V#{rules.version:06d}", doc=doc),
                        condition=RulesItem.pk.does_not_exist())
                if rules.status == "published":
                    tx.save(RulesItem(_pk(rules.tenant_id), "PUBLISHED", doc=doc, version=rules.version),
                            condition=RulesItem.pk.does_not_exist() | (RulesItem.version < rules.version))
        except TransactWriteError as exc:
            if _conditional(exc):
                raise Conflict("eligibility.rules_version_exists", version=rules.version) from exc
            raise
