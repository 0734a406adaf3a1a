"""SQS (one queued attempt per record) -> the attempt: the destination checked after DNS, the
signed POST to the checked address, the attempt recorded, the next retry queued (or indexed for
the sweeper when it is due later than 15 minutes). A record fails (and SQS retries it, then the
DLQ) only when our store or queue did not take the write; a receiver's failure is a recorded
attempt, not a failed record."""

import json

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.webhooks.model import Trigger
from aftersales.webhooks.ports import DeliveryJob
from aftersales.wiring import services

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    body = json.loads(record.body)
    job = DeliveryJob(str(body["tenant_id"]), str(body["endpoint_id"]), str(body["message_id"]), int(body["attempt"]),
                      Trigger(body.get("trigger", Trigger.SCHEDULED.value)))
    result = services().webhook_delivery.deliver(job)
    logger.info("webhook delivery", extra={"tenant_id": job.tenant_id, "endpoint_id": job.endpoint_id,
                                           "message_id": job.message_id, "attempt": job.attempt, "result": result})


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
