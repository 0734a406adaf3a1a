"""The intake rules store over dicts, with the DynamoDB adapter's conditions
(adapters/dynamo/eligibility.py): versions are immutable, the draft is optimistic on its revision,
the published pointer only moves forward."""

from __future__ import annotations

from aftersales.core.errors import ConcurrentModification, Conflict
from aftersales.eligibility.rules import IntakeRules


class InMemoryRulesStore:
    def __init__(self) -> None:
        self.versions: dict[tuple[str, int], IntakeRules] = {}
        self.drafts: dict[str, tuple[IntakeRules, int]] = {}
        self.pointers: dict[str, IntakeRules] = {}

    def __len__(self) -> int:
        return len(self.versions)

    def __contains__(self, tenant_and_version: object) -> bool:  # (tenant, version)
        return tenant_and_version in self.versions

    def published(self, tenant_id: str) -> IntakeRules | None:
        return self.pointers.get(tenant_id)

    def draft(self, tenant_id: str) -> tuple[IntakeRules, int] | None:
        return self.drafts.get(tenant_id)

    def put_draft(self, rules: IntakeRules, expected_revision: int | None) -> int:
        current = self.drafts.get(rules.tenant_id)
        stale = (current is not None) if expected_revision is None else (
            current is None or current[1] != expected_revision)
        if stale:
            raise ConcurrentModification("error.concurrent_modification")
        revision = (expected_revision or 0) + 1
        self.drafts[rules.tenant_id] = (rules, revision)
        return revision

    def save(self, rules: IntakeRules) -> None:
        key = (rules.tenant_id, rules.version)
        pointer = self.pointers.get(rules.tenant_id)
        if key in self.versions or (rules.status == "published" and pointer is not None
                                    and pointer.version >= rules.version):
            raise Conflict("eligibility.rules_version_exists", version=rules.version)
        self.versions[key] = rules
        if rules.status == "published":
            self.pointers[rules.tenant_id] = rules
