"""Ticket events (EventBridge -> SQS) -> product insights: the lines of each opened return,
exchange or refund-only request are counted per sku, period and batch under the cause their reason
code shares with review causes (once per ticket line), and a cluster they push over a threshold is
announced as `insight.suggested`. Never scans."""

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
    counted = services().product_insights.count_returns(detail)
    logger.info("return reasons", extra={"tenant_id": detail["tenant_id"], "ticket_type": detail.get("ticket_type"),
                                         "counted": counted})


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
