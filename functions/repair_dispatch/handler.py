"""Ticket domain events (EventBridge -> SQS): a repair ticket entering repair_dispatched is offered
to the first eligible provider of the repairs registry (region, brand, capacity). Idempotent: a
redelivered event finds the open job and offers nothing twice."""

import json

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.core.errors import IllegalTransition
from aftersales.wiring import services

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)
DISPATCHED = "repair_dispatched"


def record_handler(record: SQSRecord) -> None:
    detail = json.loads(record.body)["detail"]
    if detail.get("to_status") != DISPATCHED or detail.get("from_status") == DISPATCHED:
        return
    try:
        job = services().repairs.dispatch(detail["tenant_id"], detail["ticket_id"])
    except IllegalTransition as moved:  # staff moved the ticket on meanwhile: nothing to offer
        logger.info("repair not offered", extra={"tenant_id": detail["tenant_id"], "ticket_id": detail["ticket_id"],
                                                 "reason": moved.message_id})
        return
    logger.info("repair offered", extra={"tenant_id": detail["tenant_id"], "ticket_id": detail["ticket_id"],
                                         "job_id": job.job_id if job else None,
                                         "provider_id": job.provider_id if job else None})


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
