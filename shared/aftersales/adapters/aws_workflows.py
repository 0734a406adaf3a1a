"""Step Functions adapter of the money path: start named executions, resume a waiting task.

Clients are created on first use, never at import.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from aftersales.core.errors import Conflict


class StepFunctionsGateway:
    def __init__(self) -> None:
        pass

    @cached_property
    def _client(self):
        import boto3

        return boto3.client("stepfunctions")

    def start(self, state_machine_arn: str, name: str, payload: dict[str, Any]) -> bool:
        """Start a NAMED execution; False when it already exists (an idempotent replay)."""
        try:
            self._client.start_execution(stateMachineArn=state_machine_arn, name=name[:80],
                                         input=json.dumps(payload))
        except self._client.exceptions.ExecutionAlreadyExists:
            return False
        return True

    def succeed(self, task_token: str, output: dict[str, Any]) -> None:
        try:
            self._client.send_task_success(taskToken=task_token, output=json.dumps(output, default=str))
        except (self._client.exceptions.TaskTimedOut, self._client.exceptions.InvalidToken,
                self._client.exceptions.TaskDoesNotExist) as exc:
            raise Conflict("approvals.review_not_resumable") from exc
