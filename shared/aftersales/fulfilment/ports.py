"""The workflow engine the money path starts and resumes (Step Functions on AWS)."""

from __future__ import annotations

from typing import Any, Protocol


class WorkflowStarter(Protocol):
    def start(self, state_machine_arn: str, name: str, payload: dict[str, Any]) -> bool:
        """Start a NAMED execution; False when it already exists (an idempotent replay)."""
        ...


class Workflows(WorkflowStarter, Protocol):
    """Step Functions on AWS: starts executions and resumes a waiting task (the approval review)."""

    def succeed(self, task_token: str, output: dict[str, Any]) -> None:
        """Conflict when the token is no longer valid (timed out / escalated / finished)."""
        ...


class RepairProviders(Protocol):
    """The repairs context's provider registry, as the money path asks whether anyone can take a repair."""

    def first_eligible_provider(self, tenant_id: str, *, country: str, brands: set[str]) -> str | None: ...
