"""微信客服 sync worker: the WeCom callback queues one request per kf_msg_or_event (tenant, kf account,
sync Token, event id) and answers at once; this reads the account's messages (kf/sync_msg from the
stored cursor) into tickets. A failed sync fails its record: the queue retries it, then the DLQ;
the stored cursor and the per-msgid markers make a retry file nothing twice."""

import json

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.wiring import services

logger = Logger()
# BatchSize 1: a failed sync is the whole batch; report it as the item failure (same retry by SQS)
# rather than raising, so the function itself does not count as erroring.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def record_handler(record: SQSRecord) -> str:
    request = json.loads(record.body)
    logger.append_keys(tenant_id=request["tenant_id"], event_id=request.get("event_id"))
    result = services().channels.wecom.sync_kf(request["tenant_id"], request["open_kfid"], request.get("token"),
                                              event_id=request.get("event_id"))
    return result.outcome


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
