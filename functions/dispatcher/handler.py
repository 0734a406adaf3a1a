"""`ticket.created` events (via SQS) -> automatic assignment with the reason in the audit chain.
A ticket that already has an assignee is left alone, so redelivered events are harmless."""

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
    decision = services().dispatch.auto_assign(detail["tenant_id"], detail["ticket_id"])
    if decision is not None:
        logger.info("dispatch decision", extra={"tenant_id": detail["tenant_id"], "ticket_id": detail["ticket_id"],
                                                "agent_id": decision.agent_id, "reason_code": decision.reason_code})


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
