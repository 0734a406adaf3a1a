"""Append-only audit entries, hash-chained per ticket.

Each entry's hash covers its canonical JSON (sorted keys, no whitespace) plus the previous
entry's hash, so editing, removing or reordering any entry breaks every hash after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from pydantic import ConfigDict, Field

from aftersales.core.model import DomainModel

GENESIS_HASH = "0" * 64


class AuditEntry(DomainModel):
    model_config = ConfigDict(frozen=True)

    seq: int = Field(ge=1, description="1 for the creation entry; equals the ticket version after it")
    at: str = Field(description="UTC ISO-8601 time")
    event: str
    actor_id: str
    actor_role: str
    from_status: str | None
    to_status: str
    reason: str | None = None
    request_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str
    hash: str = ""

    def content(self) -> dict[str, Any]:
        return self.model_dump(exclude={"hash"})


def entry_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def seal(entry: AuditEntry) -> AuditEntry:
    return entry.model_copy(update={"hash": entry_hash(entry.content())})


class ChainVerification(DomainModel):
    valid: bool
    entries: int
    first_broken_seq: int | None = None
    reason: str | None = None
    head_hash: str | None = None


def verify_chain(entries: Sequence[AuditEntry]) -> ChainVerification:
    prev = GENESIS_HASH
    for expected_seq, entry in enumerate(entries, start=1):
        if entry.seq != expected_seq:
            return ChainVerification(valid=False, entries=len(entries), first_broken_seq=entry.seq,
                                     reason="sequence_gap")
        if entry.prev_hash != prev:
            return ChainVerification(valid=False, entries=len(entries), first_broken_seq=entry.seq,
                                     reason="prev_hash_mismatch")
        if entry_hash(entry.content()) != entry.hash:
            return ChainVerification(valid=False, entries=len(entries), first_broken_seq=entry.seq,
                                     reason="hash_mismatch")
        prev = entry.hash
    return ChainVerification(valid=True, entries=len(entries), head_hash=prev if entries else None)
