"""Ticket domain events (EventBridge -> SQS) -> risk counters (sliding windows), event by event.
Counting is idempotent per event id, so redelivery changes nothing. Never scans."""

import json

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.wiring import services

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    detail = json.loads(record.body)["detail"]
    changed = services().risk.record(detail)
    logger.info("risk counters", extra={"tenant_id": detail["tenant_id"], "event": detail["event"],
                                        "changed": changed})


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
