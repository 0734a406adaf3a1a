"""SQS adapter of RecomputePages: one tracker message per page of open tickets to recompute."""

from __future__ import annotations

import json

from aftersales.core.errors import DomainError

RECOMPUTE_PAGE = "sla.recompute_page"


def page_message(tenant_id: str, cursor: str | None) -> dict:
    """The tracker's message body (EventBridge-like, so the tracker reads one shape)."""
    return {"source": "aftersales.sla", "detail-type": RECOMPUTE_PAGE,
            "detail": {"tenant_id": tenant_id, "cursor": cursor}}


class SqsRecomputePages:
    def __init__(self, queue_url: str, client=None) -> None:
        self._url = queue_url
        self._client = client

    def _sqs(self):
        if self._client is None:
            import boto3

            self._client = boto3.client("sqs")
        return self._client

    def enqueue(self, tenant_id: str, cursor: str | None) -> None:
        if not self._url:
            raise DomainError("error.event_publish_failed", detail_type=RECOMPUTE_PAGE)
        try:
            self._sqs().send_message(QueueUrl=self._url, MessageBody=json.dumps(page_message(tenant_id, cursor)))
        except Exception as exc:  # botocore errors: one domain error for the caller
            raise DomainError("error.event_publish_failed", detail_type=RECOMPUTE_PAGE) from exc


class RecordingPages:
    """In-memory queue for tests and benches: `messages` are the tracker message bodies."""

    def __init__(self) -> None:
        self.messages: list[dict] = []

    def enqueue(self, tenant_id: str, cursor: str | None) -> None:
        self.messages.append(page_message(tenant_id, cursor))
