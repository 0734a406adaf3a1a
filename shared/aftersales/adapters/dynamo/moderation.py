"""DynamoDB stores of the moderation context, in the moderation table:

  <tenant>#LEXICON                         DRAFT | PUBLISHED | V#<version:06d>   the tenant's moderation
                                                                                 settings (adapters/dynamo/drafts.py)
  <tenant>#SIG<scheme>#<band:02d>#<key>    <review id>                           a review's signature, once
                                                                                 per band (TTL expires_at)

A near-duplicate lookup is one Query per band on its exact key (newest review ids first, at most
PER_BAND each): BANDS reads whatever the tenant has stored, never a Scan. Each band item carries the
whole signature, so no second read is needed to compare.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pynamodb.attributes import BinaryAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException
from pynamodb.models import Model

from aftersales.adapters.dynamo.models import UNBOUND
from aftersales.core.errors import Unavailable
from aftersales.moderation import duplicates
from aftersales.moderation.duplicates import Signature

PER_BAND = 50
RETENTION = timedelta(days=180)  # a template older than this is no longer looked for


class SignatureItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    signature = BinaryAttribute(legacy_encoding=False)
    at = UnicodeAttribute()
    expires_at = NumberAttribute()


def bind(table_name: str) -> None:
    if SignatureItem.Meta.table_name != table_name:
        SignatureItem.Meta.table_name = table_name  # PynamoDB reconnects when the name changes


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
