"""SQS (domain events from the bus: ticket.*, refund.*, review.*, dispute.*, survey.*,
webhook_endpoint.*) -> one webhook message per subscribed endpoint of the event's tenant, queued
for delivery. An event not in the catalogue is skipped; a failed record is retried by SQS, then
parked in the DLQ."""

import contextlib
import json
from datetime import datetime

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.core.clock import parse_iso
from aftersales.wiring import services

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    event = json.loads(record.body)
    detail = event.get("detail") or {}
    # the producer's dedup key and time survive a re-publish, so the message (and its webhook-id) is the same
    key = str(detail.get("dedup_key") or event["id"])
    report = services().webhook_delivery.fan_out(event["source"], event["detail-type"], detail, key,
                                                 _event_time(event, detail))
    logger.info("webhook fan-out", extra={"tenant_id": detail.get("tenant_id"), "event_type": event["detail-type"],
                                          "in_catalogue": report.built, "messages": report.messages,
                                          "queued": report.queued})


def _event_time(event: dict, detail: dict) -> datetime:
    """The domain event's own time (`at`, e.g. a ticket's audit entry) when it has one, else the bus's."""
    at = detail.get("at")
    if isinstance(at, str):
        with contextlib.suppress(ValueError):
            return parse_iso(at)
    return parse_iso(event["time"])


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
