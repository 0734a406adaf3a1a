"""What the moderation service needs from outside."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from aftersales.core.drafts import DraftStore

from .duplicates import Signature
from .lexicon import Lexicon

LexiconStore = DraftStore[Lexicon]


class SignatureIndex(Protocol):
    """A tenant's review signatures by band: a lookup reads one key per band, never the whole index."""

    def put(self, tenant_id: str, review_id: str, signature: Signature, at: datetime) -> None:
        """Idempotent for the same review (a redelivery overwrites its own entries)."""

    def candidates(self, tenant_id: str, bands: Sequence[bytes]) -> dict[str, Signature]:
        """Reviews sharing at least one band (band number = position), newest first per band,
        at most a bounded number per band."""
        ...
