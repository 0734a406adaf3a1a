"""Douyin intake worker: the push function keeps each push and queues its messages per after-sale
(tenant, push, msg ids in push order); this files them (tickets, transitions, comments, parked).
A failed message fails its record: the queue retries it, then the DLQ; the per-msg_id markers make a
retry file nothing twice."""

import json

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.wiring import services

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> list[dict]:
    request = json.loads(record.body)
    logger.append_keys(tenant_id=request["tenant_id"])
    results = services().channels.douyin.file(request["tenant_id"], request["push_id"], request["msg_ids"])
    logger.info("douyin messages filed", extra={"messages": len(results),
                                                "outcomes": sorted({r.outcome for r in results})})
    return [r.model_dump(mode="json") for r in results]


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
