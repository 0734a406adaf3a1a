"""Ticket domain events (EventBridge -> SQS) -> the money path's next steps: start approval and
refund executions, advance approved tickets, reshipment / repair dispatch, order update events."""

import json
import os

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.fulfilment.service import MoneyPathReactor
from aftersales.wiring import services

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)
_reactor: MoneyPathReactor | None = None


def reactor() -> MoneyPathReactor:
    global _reactor
    if _reactor is None:
        svc = services()
        env = os.environ.get
        _reactor = MoneyPathReactor(
            svc.tickets, svc.tickets._store, svc.money,
            review_timeout_seconds=int(env("REVIEW_TIMEOUT_SECONDS", "86400")),
            escalation_timeout_seconds=int(env("ESCALATION_TIMEOUT_SECONDS", "172800")),
            poll_seconds=int(env("REFUND_POLL_SECONDS", "30")), max_polls=int(env("REFUND_MAX_POLLS", "40")))
    return _reactor


def record_handler(record: SQSRecord) -> None:
    detail = json.loads(record.body)["detail"]
    done = reactor().handle(detail)
    logger.info("money path event", extra={"tenant_id": detail["tenant_id"], "ticket_id": detail["ticket_id"],
                                           "event": detail["event"], "seq": detail["seq"], "done": done})


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
