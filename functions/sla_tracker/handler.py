"""Ticket domain events (via SQS) -> the ticket's SLA deadlines, recomputed from its history, and
the dispatch load counters; `sla.policy_changed` -> every open ticket of the tenant recomputed.
Recomputing is derived from the audit chain, so redelivered events are harmless."""

import json

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.wiring import services

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    event = json.loads(record.body)
    detail = event["detail"]
    sla = services().sla
    if event.get("source") == "aftersales.sla":
        if event.get("detail-type") == "sla.policy_changed":
            count = sla.engine.recompute_open(detail["tenant_id"])
            logger.info("policy change applied", extra={"tenant_id": detail["tenant_id"], "tickets": count})
        return
    sla.dispatch.on_ticket_event(detail)
    sla.engine.track(detail["tenant_id"], detail["ticket_id"])


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
