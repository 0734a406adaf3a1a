"""Domain events (via SQS) -> the customer-facing progress timeline of each ticket.
Writes are keyed by (ticket, seq), so redelivered events are harmless."""

import json

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.tickets.ports import TimelineEntry
from aftersales.tickets.timeline import customer_visible
from aftersales.wiring import services

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    event = json.loads(record.body)
    detail = event["detail"]
    if not customer_visible(detail["event"]):
        return
    services().tickets.project_timeline(detail["tenant_id"], detail["ticket_id"], TimelineEntry(
        seq=int(detail["seq"]), event=detail["event"], at=detail["at"], status=detail["to_status"]))


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
