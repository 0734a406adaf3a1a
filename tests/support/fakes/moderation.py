"""The moderation stores over dicts, with the DynamoDB adapters' conditions and reads: the settings
store is the generic draft store (fakes/drafts.py); the signature index (adapters/dynamo/moderation.py)
answers by exact band key, newest review ids first and at most `per_band` per band."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aftersales.moderation.duplicates import BANDS, Signature
from aftersales.moderation.lexicon import LEXICON, Lexicon
from tests.support.fakes.drafts import InMemoryDraftStore


class InMemoryLexiconStore(InMemoryDraftStore[Lexicon]):
    """The moderation settings store: the generic in-memory draft store (fakes/drafts.py)."""

    def __init__(self) -> None:
        super().__init__(LEXICON)


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
