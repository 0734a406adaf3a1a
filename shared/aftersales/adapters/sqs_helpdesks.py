"""The helpdesk sync queue (SQS): a retry of an outbound change, delayed up to SQS's 15 minutes
(a vendor's Retry-After or the backoff), and its dead-letter queue for changes out of attempts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from aftersales.core.errors import Unavailable
from aftersales.helpdesks.model import SyncJob

MAX_DELAY_SECONDS = 900
BATCH = 10
JOB_KIND = "helpdesk.sync_job"


def job_body(job: SyncJob, reason: str | None = None) -> str:
    return json.dumps({"kind": JOB_KIND, "job": job.model_dump(mode="json"),
                       **({"reason": reason} if reason else {})})


class SqsSyncQueue:
    def __init__(self, queue_url: str, dlq_url: str) -> None:
        self._url, self._dlq = queue_url, dlq_url

    @cached_property
    def _sqs(self) -> Any:
        import boto3

        return boto3.client("sqs")

    def enqueue(self, jobs: Sequence[SyncJob], delay_seconds: int = 0) -> None:
        delay = max(0, min(MAX_DELAY_SECONDS, delay_seconds))
        for start in range(0, len(jobs), BATCH):
            entries = [{"Id": str(i), "MessageBody": job_body(job), "DelaySeconds": delay}
                       for i, job in enumerate(jobs[start:start + BATCH])]
            try:
                result = self._sqs.send_message_batch(QueueUrl=self._url, Entries=entries)
            except Exception as exc:  # botocore's errors: one domain error for every caller
                raise Unavailable("helpdesk.queue_unavailable") from exc
            if result.get("Failed"):
                raise Unavailable("helpdesk.queue_unavailable", failed=len(result["Failed"]))

    def park(self, job: SyncJob, reason: str) -> None:
        try:
            self._sqs.send_message(QueueUrl=self._dlq, MessageBody=job_body(job, reason))
        except Exception as exc:
            raise Unavailable("helpdesk.queue_unavailable") from exc
