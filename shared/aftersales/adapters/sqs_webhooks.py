"""The webhook delivery queue (SQS): one message per attempt, delayed up to SQS's 15 minutes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from aftersales.core.errors import Unavailable
from aftersales.webhooks.ports import DeliveryJob

MAX_DELAY_SECONDS = 900
BATCH = 10


class SqsDeliveryQueue:
    def __init__(self, queue_url: str) -> None:
        self._url = queue_url

    @cached_property
    def _sqs(self) -> Any:
        import boto3

        return boto3.client("sqs")

    def enqueue(self, jobs: Sequence[DeliveryJob]) -> None:
        for start in range(0, len(jobs), BATCH):
            chunk = jobs[start:start + BATCH]
            entries = [{"Id": str(i), "MessageBody": json.dumps(job.body()),
                        "DelaySeconds": max(0, min(MAX_DELAY_SECONDS, job.delay_seconds))}
                       for i, job in enumerate(chunk)]
            try:
                result = self._sqs.send_message_batch(QueueUrl=self._url, Entries=entries)
            except Exception as exc:  # botocore's errors: one domain error for every caller
                raise Unavailable("webhooks.queue_unavailable") from exc
            if result.get("Failed"):
                raise Unavailable("webhooks.queue_unavailable", failed=len(result["Failed"]))
