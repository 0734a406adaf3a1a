"""DynamoDB stores of the moderation context, in the moderation table:

  <tenant>#LEXICON                         DRAFT | PUBLISHED | V#<version:06d>   the tenant's lexicon
  <tenant>#SIG<scheme>#<band:02d>#<key>    <review id>                           a review's signature, once
                                                                                 per band (TTL expires_at)

A near-duplicate lookup is one Query per band on its exact key (newest review ids first, at most
PER_BAND each): BANDS reads whatever the tenant has stored, never a Scan. Each band item carries the
whole signature, so no second read is needed to compare. Lexicon versions are immutable once
written; DRAFT is optimistic on its revision; publishing writes the version and moves PUBLISHED in
one transaction (as the intake rules do).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pynamodb.attributes import BinaryAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, PynamoDBException, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from aftersales.adapters.dynamo.connection import transactions
from aftersales.adapters.dynamo.models import UNBOUND
from aftersales.core.errors import ConcurrentModification, Conflict, Unavailable
from aftersales.moderation import duplicates
from aftersales.moderation.duplicates import Signature
from aftersales.moderation.lexicon import Lexicon

CONDITIONAL = ("ConditionalCheckFailedException", "TransactionCanceledException")
PER_BAND = 50
RETENTION = timedelta(days=180)  # a template older than this is no longer looked for


class LexiconItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = JSONAttribute(null=True)
    version = NumberAttribute(null=True)


class SignatureItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    signature = BinaryAttribute(legacy_encoding=False)
    at = UnicodeAttribute()
    expires_at = NumberAttribute()


def bind(table_name: str) -> None:
    for model in (LexiconItem, SignatureItem):
        if model.Meta.table_name != table_name:
            model.Meta.table_name = table_name  # PynamoDB reconnects when the name changes


def _conditional(exc: PutError | TransactWriteError) -> bool:
    if getattr(exc, "cause_response_code", None) in CONDITIONAL:
        return True
    return any(r is not None and r.code == "ConditionalCheckFailed" for r in (
        getattr(exc, "cancellation_reasons", None) or []))


def _lexicon_pk(tenant_id: str) -> str:
    return f"{tenant_id}#LEXICON"


def _get(tenant_id: str, sk: str) -> LexiconItem | None:
    try:
        return LexiconItem.get(_lexicon_pk(tenant_id), sk, consistent_read=True)
    except LexiconItem.DoesNotExist:
        return None


class DynamoLexiconStore:
    def published(self, tenant_id: str) -> Lexicon | None:
        item = _get(tenant_id, "PUBLISHED")
        return Lexicon.model_validate(item.doc) if item else None

    def draft(self, tenant_id: str) -> tuple[Lexicon, int] | None:
        item = _get(tenant_id, "DRAFT")
        return (Lexicon.model_validate(item.doc), int(item.version)) if item else None

    def put_draft(self, lexicon: Lexicon, expected_revision: int | None) -> int:
        revision = (expected_revision or 0) + 1
        item = LexiconItem(_lexicon_pk(lexicon.tenant_id), "DRAFT", doc=lexicon.model_dump(mode="json"),
                           version=revision)
        condition = (LexiconItem.pk.does_not_exist() if expected_revision is None
                     else LexiconItem.version == expected_revision)
        try:
            item.save(condition=condition)
        except PutError as exc:
            if _conditional(exc):
                raise ConcurrentModification("error.concurrent_modification") from exc
            raise Unavailable("moderation.store_unavailable") from exc
        return revision

    def save(self, lexicon: Lexicon) -> None:
        doc = lexicon.model_dump(mode="json")
        pk = _lexicon_pk(lexicon.tenant_id)
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.save(LexiconItem(pk, f"V#{lexicon.version:06d}", doc=doc),
                        condition=LexiconItem.pk.does_not_exist())
                if lexicon.status == "published":
                    tx.save(LexiconItem(pk, "PUBLISHED", doc=doc, version=lexicon.version),
                            condition=LexiconItem.pk.does_not_exist() | (LexiconItem.version < lexicon.version))
        except TransactWriteError as exc:
            if _conditional(exc):
                raise Conflict("moderation.lexicon_version_exists", version=lexicon.version) from exc
            raise Unavailable("moderation.store_unavailable") from exc


def band_key(tenant_id: str, band: int, key: bytes) -> str:
    return f"{tenant_id}#SIG{duplicates.VERSION}#{band:02d}#{key.hex()}"


class DynamoSignatureIndex:
    def __init__(self, per_band: int = PER_BAND, retention: timedelta = RETENTION) -> None:
        self._per_band = per_band
        self._retention = retention
        self.queries = 0  # Query calls made, for the container's metrics and the tests

    def put(self, tenant_id: str, review_id: str, signature: Signature, at: datetime) -> None:
        expires = int((at + self._retention).timestamp())
        try:
            with SignatureItem.batch_write() as batch:
                for band, key in enumerate(signature.bands):
                    batch.save(SignatureItem(band_key(tenant_id, band, key), review_id, signature=signature.values,
                                             at=at.isoformat(), expires_at=expires))
        except PynamoDBException as exc:
            raise Unavailable("moderation.store_unavailable") from exc

    def candidates(self, tenant_id: str, bands: Sequence[bytes]) -> dict[str, Signature]:
        found: dict[str, Signature] = {}
        try:
            for band, key in enumerate(bands):
                self.queries += 1
                for item in SignatureItem.query(band_key(tenant_id, band, key), scan_index_forward=False,
                                                limit=self._per_band):
                    found.setdefault(item.sk, Signature(bytes(item.signature)))
        except PynamoDBException as exc:
            raise Unavailable("moderation.store_unavailable") from exc
        return found
