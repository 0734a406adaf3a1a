"""Survey triggers.

SQS (ticket.closed / ticket.resolved / ticket.reopened from the domain bus) -> a service survey
scheduled in the due index, or cancelled on reopen.
DynamoDB stream of the orders table (order items, by FilterCriteria) -> a delivery survey when a
snapshot's fulfilment status becomes "delivered" (the old image was not delivered).
Scheduling is idempotent (deterministic survey ids), so redelivered records are harmless."""

import json

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.core.clock import parse_iso
from aftersales.wiring import services

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)
stream_processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def record_handler(record: SQSRecord) -> None:
    detail = json.loads(record.body)["detail"]
    outcome = services().surveys.on_ticket_event(detail)
    logger.info("ticket event", extra={"event": detail.get("event"), "outcome": outcome})


def _fulfilment(image: dict | None) -> dict:
    doc = (image or {}).get("doc")
    if isinstance(doc, str):
        doc = json.loads(doc)
    return (doc or {}).get("fulfilment") or {}


def stream_record_handler(record: DynamoDBRecord) -> None:
    stream = record.dynamodb
    new, old = _fulfilment(stream.new_image if stream else None), _fulfilment(stream.old_image if stream else None)
    if new.get("status") != "delivered" or old.get("status") == "delivered" or not new.get("delivered_at"):
        return
    image = stream.new_image if stream else {}
    outcome = services().surveys.on_order_delivered(str(image["tenant_id"]), str(image["order_id"]),
                                                    parse_iso(new["delivered_at"]))
    logger.info("order delivered", extra={"outcome": outcome})


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    records = event.get("Records") or []
    if records and records[0].get("eventSource") == "aws:dynamodb":
        return process_partial_response(event=event, record_handler=stream_record_handler,
                                        processor=stream_processor, context=context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
