"""A per-tenant document edited as a draft and published as an immutable version (the approval
policy, the intake rules): one draft at a time, optimistic on the draft's revision, each publish a
new version, the built-in default until the tenant publishes one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Protocol, Self, TypeVar

from aftersales.core.errors import NotFound


class Versioned(Protocol):
    version: int

    def publish(self) -> Self:
        """The published copy; Conflict when already published."""
        ...

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Self: ...


D = TypeVar("D", bound=Versioned)


class DraftStore(Protocol[D]):
    def published(self, tenant_id: str) -> D | None: ...

    def draft(self, tenant_id: str) -> tuple[D, int] | None:
        """The draft and its revision."""

    def put_draft(self, document: D, expected_revision: int | None) -> int:
        """Optimistic on the draft's revision (None: there must be no draft yet); the new revision."""

    def save(self, document: D) -> None:
        """An immutable version; Conflict when it exists."""


class Drafts(Generic[D]):
    def __init__(self, store: DraftStore[D], parse: Callable[[dict[str, Any]], D], default: Callable[[str], D],
                 no_draft: str) -> None:
        self._store = store
        self._parse = parse  # pydantic validation: ValidationError for the route to map
        self._default = default
        self._no_draft = no_draft  # the NotFound message id when there is nothing to publish

    def published(self, tenant_id: str) -> D:
        return self._store.published(tenant_id) or self._default(tenant_id)

    def draft(self, tenant_id: str) -> tuple[D, int]:
        """The stored draft, else a copy of the published version numbered as the next (revision 0)."""
        found = self._store.draft(tenant_id)
        if found is not None:
            return found
        published = self.published(tenant_id)
        return published.model_copy(update={"status": "draft", "version": published.version + 1}), 0

    def put_draft(self, tenant_id: str, document: dict[str, Any], expected_revision: int | None
                  ) -> tuple[D, int]:
        draft = self._parse({**document, "tenant_id": tenant_id, "status": "draft",
                             "version": self.published(tenant_id).version + 1})
        stored = self._store.draft(tenant_id)
        expected = expected_revision if expected_revision is not None else (stored[1] if stored else None)
        return draft, self._store.put_draft(draft, expected or None)

    def publish(self, tenant_id: str) -> D:
        found = self._store.draft(tenant_id)
        if found is None:
            raise NotFound(self._no_draft, tenant_id=tenant_id)
        published = found[0].publish()
        self._store.save(published)
        return published
