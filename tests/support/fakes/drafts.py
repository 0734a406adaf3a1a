"""A per-tenant versioned document store over dicts, with the DynamoDB adapter's conditions
(adapters/dynamo/drafts.py): versions are immutable, the draft is optimistic on its revision, the
published pointer only moves forward, versions list newest first."""

from __future__ import annotations

from typing import Generic

from aftersales.core.drafts import D, DraftKind
from aftersales.core.errors import ConcurrentModification, Conflict


class InMemoryDraftStore(Generic[D]):
    def __init__(self, kind: DraftKind[D]) -> None:
        self.kind = kind
        self.versions_by_key: dict[tuple[str, int], D] = {}
        self.drafts: dict[str, tuple[D, int]] = {}
        self.pointers: dict[str, D] = {}
        self.reads = 0  # published() calls

    def __len__(self) -> int:
        return len(self.versions_by_key)

    def __contains__(self, tenant_and_version: object) -> bool:  # (tenant, version)
        return tenant_and_version in self.versions_by_key

    def published(self, tenant_id: str) -> D | None:
        self.reads += 1
        return self.pointers.get(tenant_id)

    def draft(self, tenant_id: str) -> tuple[D, int] | None:
        return self.drafts.get(tenant_id)

    def version(self, tenant_id: str, version: int) -> D | None:
        return self.versions_by_key.get((tenant_id, version))

    def versions(self, tenant_id: str, limit: int) -> list[int]:
        return sorted((v for t, v in self.versions_by_key if t == tenant_id), reverse=True)[:limit]

    def put_draft(self, document: D, expected_revision: int | None) -> int:
        current = self.drafts.get(document.tenant_id)
        stale = (current is not None) if expected_revision is None else (
            current is None or current[1] != expected_revision)
        if stale:
            raise ConcurrentModification("error.concurrent_modification")
        revision = (expected_revision or 0) + 1
        self.drafts[document.tenant_id] = (document, revision)
        return revision

    def save(self, document: D) -> None:
        key = (document.tenant_id, document.version)
        pointer = self.pointers.get(document.tenant_id)
        if key in self.versions_by_key or (document.status == "published" and pointer is not None
                                           and pointer.version >= document.version):
            raise Conflict(self.kind.message("version_exists"), version=document.version)
        self.versions_by_key[key] = document
        if document.status == "published":
            self.pointers[document.tenant_id] = document
