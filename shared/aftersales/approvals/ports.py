"""Ports the approvals service needs; adapters (DynamoDB, Step Functions) implement them. The policy
store is a `core.drafts.DraftStore[ApprovalPolicy]`."""

from __future__ import annotations

from typing import Any, Protocol

from .review import ReviewState


class ReviewStore(Protocol):
    def get_with_token(self, tenant_id: str, ticket_id: str) -> tuple[ReviewState, str | None, int] | None: ...

    def save(self, state: ReviewState, expected_decisions: int, expected_generation: int | None = None) -> None:
        """Optimistic: write only if the stored review still has `expected_decisions` decisions (and,
        when given, the generation); ConcurrentModification otherwise."""

    def open(self, state: ReviewState, task_token: str | None, generation: int) -> None: ...


class TaskResumer(Protocol):
    def succeed(self, task_token: str, output: dict[str, Any]) -> None:
        """Conflict when the token is no longer valid (timed out / escalated / finished)."""
