"""The moderation stores over dicts, with the DynamoDB adapter's conditions and reads
(adapters/dynamo/moderation.py): lexicon versions are immutable, the draft is optimistic on its
revision, the published pointer only moves forward; the signature index answers by exact band key,
newest review ids first and at most `per_band` per band."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aftersales.core.errors import ConcurrentModification, Conflict
from aftersales.moderation.duplicates import BANDS, Signature
from aftersales.moderation.lexicon import Lexicon


class InMemoryLexiconStore:
    def __init__(self) -> None:
        self.versions: dict[tuple[str, int], Lexicon] = {}
        self.drafts: dict[str, tuple[Lexicon, int]] = {}
        self.pointers: dict[str, Lexicon] = {}
        self.reads = 0

    def __len__(self) -> int:
        return len(self.versions)

    def __contains__(self, tenant_and_version: object) -> bool:  # (tenant, version)
        return tenant_and_version in self.versions

    def published(self, tenant_id: str) -> Lexicon | None:
        self.reads += 1
        return self.pointers.get(tenant_id)

    def draft(self, tenant_id: str) -> tuple[Lexicon, int] | None:
        return self.drafts.get(tenant_id)

    def put_draft(self, lexicon: Lexicon, expected_revision: int | None) -> int:
        current = self.drafts.get(lexicon.tenant_id)
        stale = (current is not None) if expected_revision is None else (
            current is None or current[1] != expected_revision)
        if stale:
            raise ConcurrentModification("error.concurrent_modification")
        revision = (expected_revision or 0) + 1
        self.drafts[lexicon.tenant_id] = (lexicon, revision)
        return revision

    def save(self, lexicon: Lexicon) -> None:
        key = (lexicon.tenant_id, lexicon.version)
        pointer = self.pointers.get(lexicon.tenant_id)
        if key in self.versions or (lexicon.status == "published" and pointer is not None
                                    and pointer.version >= lexicon.version):
            raise Conflict("moderation.lexicon_version_exists", version=lexicon.version)
        self.versions[key] = lexicon
        if lexicon.status == "published":
            self.pointers[lexicon.tenant_id] = lexicon


class InMemorySignatureIndex:
    """Per tenant and band number, band key -> review id (one) or review ids (several)."""

    def __init__(self, per_band: int = 50) -> None:
        self.per_band = per_band
        self._bands: dict[str, list[dict[bytes, str | list[str]]]] = {}
        self._signatures: dict[tuple[str, str], Signature] = {}
        self.lookups = 0  # band keys read

    def __len__(self) -> int:
        return len(self._signatures)

    def __contains__(self, tenant_and_review: object) -> bool:  # (tenant, review id)
        return tenant_and_review in self._signatures

    def put(self, tenant_id: str, review_id: str, signature: Signature, at: datetime) -> None:
        bands = self._bands.setdefault(tenant_id, [{} for _ in range(BANDS)])
        known = (tenant_id, review_id) in self._signatures
        self._signatures[(tenant_id, review_id)] = signature
        for band, key in enumerate(signature.bands):
            held = bands[band].get(key)
            if held is None:
                bands[band][key] = review_id
            elif isinstance(held, str):
                if held != review_id:
                    bands[band][key] = [held, review_id]
            elif not (known and review_id in held):
                held.append(review_id)

    def candidates(self, tenant_id: str, bands: Sequence[bytes]) -> dict[str, Signature]:
        stored = self._bands.get(tenant_id)
        found: dict[str, Signature] = {}
        if stored is None:
            return found
        for band, key in enumerate(bands):
            self.lookups += 1
            held = stored[band].get(key)
            if held is None:
                continue
            ids = [held] if isinstance(held, str) else sorted(held, reverse=True)[:self.per_band]
            for review_id in ids:
                found.setdefault(review_id, self._signatures[(tenant_id, review_id)])
        return found
