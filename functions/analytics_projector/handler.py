"""Ticket domain events (via SQS) -> the tenant's analytics buckets. Applied once per ticket#seq
(the event's dedup_key): a redelivered event changes nothing."""

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
    applied = services().analytics_projector.on_ticket_event(detail)
    logger.debug("projected", extra={"dedup_key": detail.get("dedup_key"), "applied": applied})


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
