"""Ports the eligibility service needs; adapters/dynamo/eligibility.py implements them."""

from __future__ import annotations

from typing import Protocol

from .rules import IntakeRules


class RulesStore(Protocol):
    def published(self, tenant_id: str) -> IntakeRules | None: ...

    def draft(self, tenant_id: str) -> tuple[IntakeRules, int] | None: ...

    def put_draft(self, rules: IntakeRules, expected_revision: int | None) -> int:
        """Optimistic on the draft's revision (None: there must be no draft yet); ConcurrentModification."""

    def save(self, rules: IntakeRules) -> None:
        """An immutable version; a published one becomes the tenant's rules. Conflict when it exists."""
