"""SQS (domain events from the bus: ticket.*, refund.*, review.*, dispute.*, survey.*,
webhook_endpoint.*) -> one webhook message per subscribed endpoint of the event's tenant, queued
for delivery. An event not in the catalogue is skipped; a failed record is retried by SQS, then
parked in the DLQ."""

import json

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
    key = str(detail.get("dedup_key") or event["id"])  # the producer's dedup key survives a re-publish
    report = services().webhook_delivery.fan_out(event["source"], event["detail-type"], detail, key,
                                                 parse_iso(event["time"]))
    logger.info("webhook fan-out", extra={"tenant_id": detail.get("tenant_id"), "event_type": event["detail-type"],
                                          "in_catalogue": report.built, "messages": report.messages,
                                          "queued": report.queued})


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
