"""A per-tenant document edited as a draft and published as an immutable version (the approval
policy, the intake rules, the moderation settings): one draft at a time, optimistic on the draft's
revision, each publish a new version, the built-in default until the tenant publishes one. A roll
back publishes a copy of an earlier version (or of the default) as the next version."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, Self, TypeVar

from pydantic import ConfigDict, Field, StrictInt, ValidationError

from aftersales.core.errors import InvalidRequest, NotFound
from aftersales.core.model import DomainModel

MAX_VERSION = 999_999  # versions are keyed V#<n:06d>


class Versioned(Protocol):
    tenant_id: str
    version: int
    status: str

    def publish(self) -> Self:
        """The published copy; Conflict when already published."""
        ...

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Self: ...

    def model_dump(self, *, mode: str = "python") -> dict[str, Any]: ...


D = TypeVar("D", bound=Versioned)


@dataclass(frozen=True, slots=True)
class DraftKind(Generic[D]):
    """One kind of versioned document: its model, its default, its key and its message ids
    (`<context>.no_draft`, `<context>.<noun>_invalid`, `<context>.<noun>_version_exists`,
    `<context>.<noun>_version_not_found`, `<context>.store_unavailable`)."""

    model: type[D]
    default: Callable[[str], D]
    key: str  # the stored items' partition: <tenant>#<key>
    context: str
    noun: str

    def parse(self, document: dict[str, Any]) -> D:
        return self.model.model_validate(document)  # type: ignore[attr-defined]

    def message(self, what: str) -> str:
        return f"{self.context}.{what}" if what in ("no_draft", "store_unavailable") else (
            f"{self.context}.{self.noun}_{what}")


class DraftStore(Protocol[D]):
    def published(self, tenant_id: str) -> D | None: ...

    def draft(self, tenant_id: str) -> tuple[D, int] | None:
        """The draft and its revision."""

    def version(self, tenant_id: str, version: int) -> D | None:
        """A stored version."""

    def versions(self, tenant_id: str, limit: int) -> list[int]:
        """The stored version numbers, newest first, at most `limit`."""
        ...

    def put_draft(self, document: D, expected_revision: int | None) -> int:
        """Optimistic on the draft's revision (None: there must be no draft yet); the new revision."""
        ...

    def save(self, document: D) -> None:
        """An immutable version; Conflict when it exists."""


class RollBack(DomainModel):
    """A request to publish an earlier version again."""

    model_config = ConfigDict(extra="forbid")
    version: StrictInt = Field(ge=0, le=MAX_VERSION, description="The version to publish again (the default's "
                                                                 "number: the built-in default)")


class Drafts(Generic[D]):
    def __init__(self, store: DraftStore[D], kind: DraftKind[D]) -> None:
        self._store = store
        self._kind = kind

    def published(self, tenant_id: str) -> D:
        return self._store.published(tenant_id) or self._kind.default(tenant_id)

    def draft(self, tenant_id: str) -> tuple[D, int]:
        """The stored draft, else a copy of the published version numbered as the next (revision 0)."""
        found = self._store.draft(tenant_id)
        if found is not None:
            return found
        published = self.published(tenant_id)
        return published.model_copy(update={"status": "draft", "version": published.version + 1}), 0

    def put_draft(self, tenant_id: str, document: dict[str, Any], expected_revision: int | None
                  ) -> tuple[D, int]:
        """InvalidRequest naming the first failing field (`terms.0.text`; `body` for the whole)."""
        try:
            draft = self._kind.parse({**document, "tenant_id": tenant_id, "status": "draft",
                                      "version": self.published(tenant_id).version + 1})
        except ValidationError as exc:
            first = exc.errors()[0]
            path = ".".join(str(p) for p in first["loc"]) or "body"
            raise InvalidRequest(self._kind.message("invalid"), field=path, problem=first["msg"]) from None
        stored = self._store.draft(tenant_id)
        expected = expected_revision if expected_revision is not None else (stored[1] if stored else None)
        return draft, self._store.put_draft(draft, expected or None)

    def publish(self, tenant_id: str) -> D:
        found = self._store.draft(tenant_id)
        if found is None:
            raise NotFound(self._kind.message("no_draft"), tenant_id=tenant_id)
        published = found[0].publish()
        self._store.save(published)
        return published

    def version(self, tenant_id: str, version: int) -> D:
        """A stored version, or the default under its own number (a tenant's versions start after it)."""
        found = self._store.version(tenant_id, version)
        if found is not None:
            return found
        default = self._kind.default(tenant_id)
        if default.version == version:
            return default
        raise NotFound(self._kind.message("version_not_found"), version=version)

    def versions(self, tenant_id: str, limit: int) -> list[int]:
        return self._store.versions(tenant_id, limit)

    def roll_back(self, tenant_id: str, version: int) -> D:
        """Publishes a copy of `version` as the next version; the published one when it is that already."""
        current = self.published(tenant_id)
        earlier = self.version(tenant_id, version)
        if earlier.version == current.version:
            return current
        restored = earlier.model_copy(update={"status": "published", "version": current.version + 1})
        self._store.save(restored)
        return restored
