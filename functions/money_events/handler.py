"""Ticket domain events (EventBridge -> SQS) -> the money path's next steps: start approval and
refund executions, advance approved tickets, reshipment / repair dispatch, order update events."""

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
    done = services().fulfilment.handle(detail)
    logger.info("money path event", extra={"tenant_id": detail["tenant_id"], "ticket_id": detail["ticket_id"],
                                           "event": detail["event"], "seq": detail["seq"], "done": done})


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
