"""Small adapters of the analytics context: the tenant's zone from its SLA calendars, agents' teams
from the dispatch context, the export queue (SQS)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cached_property
from typing import Any

from aftersales.core.errors import Unavailable
from aftersales.dispatch.service import DispatchService
from aftersales.sla.service import SlaService


class CalendarZones:
    """The zone of the tenant's calendar without a region (else its first calendar), cached per process."""

    def __init__(self, sla: Callable[[], SlaService], default: str) -> None:
        self._sla = sla
        self._default = default
        self._zones: dict[str, str] = {}

    def zone(self, tenant_id: str) -> str:
        if tenant_id not in self._zones:
            calendars = sorted(self._sla().calendars(tenant_id), key=lambda c: (c.region is not None, c.calendar_id))
            self._zones[tenant_id] = calendars[0].timezone if calendars else self._default
        return self._zones[tenant_id]


class DispatchTeams:
    def __init__(self, dispatch: Callable[[], DispatchService]) -> None:
        self._dispatch = dispatch

    def team_of(self, tenant_id: str, agent_id: str) -> str | None:
        return self._dispatch().team_of(tenant_id, agent_id)


class SqsExportQueue:
    def __init__(self, queue_url: str) -> None:
        self._url = queue_url

    @cached_property
    def _sqs(self) -> Any:
        import boto3

        return boto3.client("sqs")

    def enqueue(self, tenant_id: str, export_id: str) -> None:
        try:
            self._sqs.send_message(QueueUrl=self._url,
                                   MessageBody=json.dumps({"tenant_id": tenant_id, "export_id": export_id}))
        except Exception as exc:  # botocore's errors: one domain error
            raise Unavailable("exports.queue_unavailable") from exc
