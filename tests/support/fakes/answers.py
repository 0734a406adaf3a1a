"""The automatic answers' KnowledgeStore over a dict, with the adapter's conditions: a create needs
a new id, a replace the version it read (Conflict otherwise), a delete an existing entry."""

from __future__ import annotations

from aftersales.answers.model import KbEntry
from aftersales.core.errors import Conflict


class InMemoryKnowledgeStore:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], KbEntry] = {}
        self.queries = 0  # partition reads (the bot's cached read is one per TTL)

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, key: object) -> bool:  # (tenant, entry id)
        return key in self.items

    def entries(self, tenant_id: str) -> list[KbEntry]:
        self.queries += 1
        return [e for (t, _), e in self.items.items() if t == tenant_id]

    def get(self, tenant_id: str, entry_id: str) -> KbEntry | None:
        return self.items.get((tenant_id, entry_id))

    def put(self, tenant_id: str, entry: KbEntry, expected_version: int | None) -> None:
        current = self.items.get((tenant_id, entry.entry_id))
        if (expected_version is None and current is not None) or (
                expected_version is not None and (current is None or current.version != expected_version)):
            raise Conflict("error.version_mismatch", expected=expected_version)
        self.items[(tenant_id, entry.entry_id)] = entry

    def delete(self, tenant_id: str, entry_id: str) -> bool:
        return self.items.pop((tenant_id, entry_id), None) is not None
