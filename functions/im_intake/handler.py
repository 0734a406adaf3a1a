"""IM intake worker: the push function verified and kept each Qiyu / Meiqia push and queued a pointer
(tenant, channel, kept body, event type); this takes it once: the linked ticket's conversation, the
channel intake of a customer's text (the bot's turn), or the unmatched inbox. A failed push fails its
record: the queue retries it, then the DLQ; the per-message markers make a retry take nothing twice."""

import json

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.wiring import services

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> dict:
    request = json.loads(record.body)
    logger.append_keys(tenant_id=request["tenant_id"], channel=request["channel"])
    result = services().channels.im.file(request["tenant_id"], request["channel"], request["body_id"],
                                         request["event_type"])
    logger.info("im push taken", extra={"outcome": result.outcome})
    return result.model_dump(mode="json")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
