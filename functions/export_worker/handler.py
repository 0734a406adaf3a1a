"""Export jobs (via SQS) -> the month's files in the exports bucket, progress stored per page."""

import json

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.wiring import services

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    body = json.loads(record.body)
    job = services().exports.run(str(body["tenant_id"]), str(body["export_id"]))
    logger.info("export", extra={"export_id": job.export_id, "status": job.status.value, "rows": job.rows})


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
