"""Ports the approvals service needs; adapters (DynamoDB) implement them."""

from __future__ import annotations

from typing import Protocol

from .policy import ApprovalPolicy
from .review import ReviewState


class PolicyRepository(Protocol):
    def published(self, tenant_id: str) -> ApprovalPolicy | None: ...

    def save(self, policy: ApprovalPolicy) -> None:
        """Must refuse (conditional write) to overwrite an existing (tenant_id, version)."""


class ReviewRepository(Protocol):
    def get(self, tenant_id: str, ticket_id: str) -> ReviewState | None: ...

    def save(self, state: ReviewState, expected_decisions: int) -> None:
        """Optimistic: write only if the stored review still has `expected_decisions` decisions."""
