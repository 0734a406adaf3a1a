"""`ticket.created` events (via SQS) -> the intake checks: an eligible request goes straight into
approval routing, an ineligible one is refused with the reason, anything else stays for an agent
with what is missing. A ticket already triaged (or moved on) is left alone, so redelivered events
are harmless; a failed record is retried by SQS and parked in the DLQ."""

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
    outcome = services().eligibility.triage(detail["tenant_id"], detail["ticket_id"])
    logger.info("eligibility triage", extra={"tenant_id": detail["tenant_id"], "ticket_id": detail["ticket_id"],
                                             "outcome": outcome})


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
