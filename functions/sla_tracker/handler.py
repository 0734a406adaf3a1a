"""SLA tracker.

SQS (ticket domain events via the bus) -> the ticket's SLA deadlines, recomputed from its history,
and the dispatch load counters; `sla.recompute_page` (its own queue messages) -> one page of the
tenant's open tickets recomputed, the next page enqueued.
DynamoDB stream of the SLA table (the policy and calendar items only, by FilterCriteria) -> the
first recompute page enqueued and `sla.policy_changed` announced: the write itself is the trigger.
Recomputing is derived from the audit chain, so redelivered events are harmless."""

import json

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.wiring import services

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)
stream_processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def record_handler(record: SQSRecord) -> None:
    event = json.loads(record.body)
    detail = event["detail"]
    svc = services()
    if event.get("source") == "aftersales.sla":
        if event.get("detail-type") in ("sla.recompute_page", "sla.policy_changed"):  # the latter: in flight
            count, more = svc.sla.recompute_page(detail["tenant_id"], detail.get("cursor"))
            logger.info("recompute page", extra={"tenant_id": detail["tenant_id"], "tickets": count,
                                                 "more": more is not None})
        return
    svc.dispatch.on_ticket_event(detail)
    svc.sla.track(detail["tenant_id"], detail["ticket_id"])


def stream_record_handler(record: DynamoDBRecord) -> None:
    keys = record.dynamodb.keys if record.dynamodb else {}
    pk, sk = keys["pk"], keys["sk"]
    tenant_id = pk.removesuffix("#SLA")
    started = services().sla.policy_item_changed(tenant_id, sk)
    logger.info("policy item changed", extra={"tenant_id": tenant_id, "item": sk, "recompute": started})


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    records = event.get("Records") or []
    if records and records[0].get("eventSource") == "aws:dynamodb":
        return process_partial_response(event=event, record_handler=stream_record_handler,
                                        processor=stream_processor, context=context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
